package auth

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

// fakeClock is a limiter clock the test moves by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func newClockedLimiter(maxEvents int, per time.Duration, maxKeys int) (*Limiter, *fakeClock) {
	clock := &fakeClock{t: time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)}
	l := NewLimiter(maxEvents, per, maxKeys)
	l.now = clock.now
	return l, clock
}

func TestLimiterRefusesOnceTheWindowIsFullUntilAnEventLeavesIt(t *testing.T) {
	l, clock := newClockedLimiter(3, time.Minute, 100)
	for i := range 3 {
		if _, _, ok := l.Take("ada"); !ok {
			t.Fatalf("event %d refused", i+1)
		}
		clock.advance(10 * time.Second)
	}
	// Events at :00, :10, :20; now :30. The first leaves the window at 1:00.
	if _, wait, ok := l.Take("ada"); ok || wait != 30*time.Second {
		t.Fatalf("Take = %v, %v; want refused, 30s", ok, wait)
	}
	if _, _, ok := l.Take("bob"); !ok {
		t.Error("another key is refused")
	}
	clock.advance(30 * time.Second)
	if _, _, ok := l.Take("ada"); !ok {
		t.Error("still refused once the oldest event left the window")
	}
}

func TestLimiterWaitIsAtLeastOneSecond(t *testing.T) {
	l, clock := newClockedLimiter(1, time.Minute, 100)
	l.Take("ada")
	clock.advance(time.Minute - time.Millisecond)
	if _, wait, ok := l.Take("ada"); ok || wait != time.Second {
		t.Errorf("Take = %v, %v; want refused, 1s", ok, wait)
	}
}

func TestLimiterResetForgetsEvents(t *testing.T) {
	l, _ := newClockedLimiter(2, time.Minute, 100)
	l.Take("ada")
	l.Take("ada")
	l.Reset("ada")
	if _, _, ok := l.Take("ada"); !ok {
		t.Error("refused after Reset")
	}
}

func TestLimiterUndoGivesTheEventBack(t *testing.T) {
	l, _ := newClockedLimiter(1, time.Minute, 100)
	r, _, _ := l.Take("ada")
	l.Undo(r)
	if _, _, ok := l.Take("ada"); !ok {
		t.Error("an undone event still counts")
	}
}

// Regression: the check and the record were two steps, so concurrent
// attempts all passed the check before any was recorded.
func TestLimiterCountsConcurrentTakesAtomically(t *testing.T) {
	l := NewLimiter(10, time.Minute, 100)
	var mu sync.Mutex
	granted := 0
	var wg sync.WaitGroup
	for range 200 {
		wg.Go(func() {
			if _, _, ok := l.Take("ada"); ok {
				mu.Lock()
				granted++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if granted != 10 {
		t.Errorf("%d of 200 concurrent takes granted, want exactly 10", granted)
	}
}

func TestLimiterMemoryStaysBoundedUnderManyDistinctKeys(t *testing.T) {
	const maxKeys = 1000
	l, clock := newClockedLimiter(10, time.Minute, maxKeys)
	// 50,000 unique keys within one window: never more than maxKeys kept.
	for i := range 50_000 {
		l.Take(fmt.Sprintf("spray-%d@example.com", i))
		if n := l.Len(); n > maxKeys {
			t.Fatalf("after %d keys the limiter holds %d, want at most %d", i+1, n, maxKeys)
		}
	}
	// Keys expire with their window: once it has passed, one new event
	// leaves only its own key.
	clock.advance(time.Minute)
	l.Take("late@example.com")
	if n := l.Len(); n != 1 {
		t.Errorf("after the window passed the limiter holds %d keys, want 1", n)
	}
}

func TestLimiterEvictsTheLeastRecentlyUsedKeyFirst(t *testing.T) {
	l, clock := newClockedLimiter(1, time.Minute, 2)
	l.Take("old")
	clock.advance(time.Second)
	l.Take("recent")
	clock.advance(time.Second)
	l.Take("new") // evicts "old"
	if _, _, ok := l.Take("recent"); ok {
		t.Error(`"recent" was evicted instead of "old"`)
	}
	if _, _, ok := l.Take("old"); !ok {
		t.Error(`"old" is still remembered`)
	}
}
