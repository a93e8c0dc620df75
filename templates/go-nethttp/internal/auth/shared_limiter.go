package auth

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"math"
	"sync/atomic"
	"time"
)

// RateLimiter is what the handlers need from a limiter: Limiter in memory
// (one process, SQLite) or SharedLimiter in PostgreSQL (any number of
// replicas on one database).
type RateLimiter interface {
	Take(key string) (r Reservation, wait time.Duration, ok bool)
	Undo(r Reservation)
	Reset(key string)
}

// SharedLimiter is Limiter's sliding window kept in PostgreSQL, so N
// replicas enforce one limit instead of N. Take runs one short transaction
// under a transaction-scoped advisory lock on the key: check and record are
// one step for every process, as the in-memory mutex makes them for one.
// Times come from the database clock, so replicas with skewed clocks agree.
//
// If the database cannot be reached Take lets the request through (the
// login then fails on the same database anyway) and logs why.
type SharedLimiter struct {
	db     *sql.DB
	scope  string
	max    int
	window time.Duration
	logger *slog.Logger

	lastSweep atomic.Int64 // unix nanoseconds
}

// NewSharedLimiter allows maxEvents per key per window; scope separates
// limiters sharing the table ("login", "ip").
func NewSharedLimiter(db *sql.DB, scope string, maxEvents int, per time.Duration, logger *slog.Logger) *SharedLimiter {
	return &SharedLimiter{db: db, scope: scope, max: max(maxEvents, 1), window: per, logger: logger}
}

const (
	lockKey = `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`
	expire  = `DELETE FROM auth_rate_limit_events WHERE key = $1 AND at <= clock_timestamp() - make_interval(secs => $2)`
	inUse   = `SELECT COUNT(*), COALESCE(EXTRACT(EPOCH FROM MIN(at) + make_interval(secs => $2) - clock_timestamp()), 0)
		FROM auth_rate_limit_events WHERE key = $1`
	record = `INSERT INTO auth_rate_limit_events (key, at) VALUES ($1, clock_timestamp()) RETURNING id`
	sweep  = `DELETE FROM auth_rate_limit_events WHERE at <= clock_timestamp() - make_interval(secs => $1)`
)

// Take records an event for key if fewer than the maximum sit in the window.
func (l *SharedLimiter) Take(key string) (Reservation, time.Duration, bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	l.maybeSweep(ctx)
	r, wait, ok, err := l.take(ctx, l.scope+":"+key)
	if err != nil {
		l.logger.Error("shared rate limiter unavailable: request let through", "scope", l.scope, "error", err.Error())
		return Reservation{}, 0, true
	}
	return r, wait, ok
}

func (l *SharedLimiter) take(ctx context.Context, key string) (Reservation, time.Duration, bool, error) {
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return Reservation{}, 0, false, err
	}
	defer func() { _ = tx.Rollback() }()
	window := l.window.Seconds()
	if _, err := tx.ExecContext(ctx, lockKey, key); err != nil {
		return Reservation{}, 0, false, err
	}
	if _, err := tx.ExecContext(ctx, expire, key, window); err != nil {
		return Reservation{}, 0, false, err
	}
	var count int
	var untilFree float64
	if err := tx.QueryRowContext(ctx, inUse, key, window).Scan(&count, &untilFree); err != nil {
		return Reservation{}, 0, false, err
	}
	if count >= l.max {
		// Events are never recorded past the maximum, so the oldest one
		// frees the next place when it leaves the window.
		wait := time.Duration(math.Ceil(untilFree)) * time.Second
		return Reservation{}, max(wait, time.Second), false, tx.Commit()
	}
	var id int64
	if err := tx.QueryRowContext(ctx, record, key).Scan(&id); err != nil {
		return Reservation{}, 0, false, err
	}
	if err := tx.Commit(); err != nil {
		return Reservation{}, 0, false, err
	}
	return Reservation{key: key, id: id}, 0, true, nil
}

// Undo gives back an event that Take counted but that did not happen.
func (l *SharedLimiter) Undo(r Reservation) {
	if r.id == 0 {
		return
	}
	l.exec(`DELETE FROM auth_rate_limit_events WHERE id = $1`, r.id)
}

// Reset forgets key's events (after a successful login).
func (l *SharedLimiter) Reset(key string) {
	l.exec(`DELETE FROM auth_rate_limit_events WHERE key = $1`, l.scope+":"+key)
}

func (l *SharedLimiter) exec(query string, arg any) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := l.db.ExecContext(ctx, query, arg); err != nil && !errors.Is(err, context.Canceled) {
		l.logger.Error("shared rate limiter write failed", "scope", l.scope, "error", err.Error())
	}
}

// maybeSweep deletes every key's expired events, at most once a window per
// process, so keys that are never seen again do not stay forever.
func (l *SharedLimiter) maybeSweep(ctx context.Context) {
	now := time.Now().UnixNano()
	last := l.lastSweep.Load()
	if now-last < l.window.Nanoseconds() || !l.lastSweep.CompareAndSwap(last, now) {
		return
	}
	if _, err := l.db.ExecContext(ctx, sweep, l.window.Seconds()); err != nil {
		l.logger.Warn("sweep of the shared rate limiter failed", "error", err.Error())
	}
}
