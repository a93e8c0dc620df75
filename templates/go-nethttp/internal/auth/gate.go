package auth

import (
	"context"
	"errors"
	"time"

	"golang.org/x/sync/semaphore"
)

// ErrHashBusy means every hashing slot stayed taken for the whole wait: the
// server is saturated and the request should be retried shortly (503).
var ErrHashBusy = errors.New("password hashing is saturated")

// Gate bounds how many password hashes run at once. argon2id with the
// default parameters allocates 19 MiB per hash and keeps one core busy, and
// net/http serves every request on its own goroutine: without a bound, a
// burst of logins allocates memory without limit and slows every hash.
//
// Waiters are served first come, first served (semaphore.Weighted is FIFO),
// and nobody waits longer than the gate's wait.
type Gate struct {
	slots *semaphore.Weighted
	wait  time.Duration
}

// NewGate allows n hashes at once (at least 1) and lets a caller wait at
// most wait for a free slot.
func NewGate(n int, wait time.Duration) *Gate {
	return &Gate{slots: semaphore.NewWeighted(int64(max(n, 1))), wait: max(wait, 0)}
}

// Enter takes a slot, waiting up to the gate's wait, and returns the func
// that gives it back. It fails with ErrHashBusy when no slot freed in time,
// or with ctx's error when the caller gave up first.
func (g *Gate) Enter(ctx context.Context) (leave func(), err error) {
	leave = func() { g.slots.Release(1) }
	if g.slots.TryAcquire(1) {
		return leave, nil
	}
	waitCtx, cancel := context.WithTimeout(ctx, g.wait)
	defer cancel()
	if err := g.slots.Acquire(waitCtx, 1); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, ErrHashBusy
	}
	return leave, nil
}
