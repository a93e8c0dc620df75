package auth

import (
	"container/list"
	"math"
	"slices"
	"sync"
	"time"
)

// Limiter allows at most Max events per key in any sliding Window. The login
// handler keys one by email (failed logins), another by client IP (every
// register and login request).
//
// Take checks and records in one step, under one lock: a caller that gets a
// Reservation has already been counted, so N concurrent callers cannot all
// pass the check before any of them is recorded. A caller whose attempt did
// not happen after all (the server was too busy to check the password) gives
// its reservation back with Undo.
//
// Memory is bounded whatever keys callers send: keys are kept in least
// recently used order, the ones whose newest event has left the window are
// dropped as new events come in, and at MaxKeys the least recently used key
// is evicted. It lives in memory: fine for one process (SQLite); with
// PostgreSQL the replicas share SharedLimiter instead.
type Limiter struct {
	Max     int
	Window  time.Duration
	MaxKeys int

	mu    sync.Mutex
	keys  map[string]*list.Element // of *window
	order *list.List               // most recently used at the front
	now   func() time.Time
}

// window is one key's events, oldest first.
type window struct {
	key    string
	events []time.Time
}

// Reservation is one event counted by Take.
type Reservation struct {
	key string
	at  time.Time
	id  int64 // SharedLimiter's row
}

// NewLimiter allows max events per key per window and remembers at most
// maxKeys keys.
func NewLimiter(maxEvents int, per time.Duration, maxKeys int) *Limiter {
	return &Limiter{
		Max: max(maxEvents, 1), Window: per, MaxKeys: max(maxKeys, 1),
		keys: map[string]*list.Element{}, order: list.New(), now: time.Now,
	}
}

// Take records an event for key if fewer than Max sit in the window. When
// the window is full it records nothing and says how long until an event
// leaves it (always at least one second, in whole seconds).
func (l *Limiter) Take(key string) (r Reservation, wait time.Duration, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.expire(now)

	el, found := l.keys[key]
	if !found {
		if len(l.keys) >= l.MaxKeys {
			l.remove(l.order.Back())
		}
		el = l.order.PushFront(&window{key: key})
		l.keys[key] = el
	}
	w := el.Value.(*window)
	w.events = l.recent(w.events, now)
	if len(w.events) >= l.Max {
		// The window frees a place when the oldest of the last Max events
		// leaves it.
		until := w.events[len(w.events)-l.Max].Add(l.Window)
		wait = time.Duration(math.Ceil(until.Sub(now).Seconds())) * time.Second
		return Reservation{}, max(wait, time.Second), false
	}
	w.events = append(w.events, now)
	l.order.MoveToFront(el)
	return Reservation{key: key, at: now}, 0, true
}

// Undo gives back an event that Take counted but that did not happen.
func (l *Limiter) Undo(r Reservation) {
	l.mu.Lock()
	defer l.mu.Unlock()
	el, found := l.keys[r.key]
	if !found {
		return
	}
	w := el.Value.(*window)
	if i := slices.Index(w.events, r.at); i >= 0 {
		w.events = slices.Delete(w.events, i, i+1)
	}
}

// Reset forgets key's events (after a successful login).
func (l *Limiter) Reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if el, found := l.keys[key]; found {
		l.remove(el)
	}
}

// Len is how many keys the limiter remembers.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.keys)
}

// expire drops, from the least recently used end, keys whose newest event
// has left the window; callers hold mu.
func (l *Limiter) expire(now time.Time) {
	for el := l.order.Back(); el != nil; el = l.order.Back() {
		w := el.Value.(*window)
		if len(w.events) > 0 && now.Sub(w.events[len(w.events)-1]) < l.Window {
			return
		}
		l.remove(el)
	}
}

// recent drops the events that have left the window.
func (l *Limiter) recent(events []time.Time, now time.Time) []time.Time {
	cut := 0
	for cut < len(events) && now.Sub(events[cut]) >= l.Window {
		cut++
	}
	return events[cut:]
}

func (l *Limiter) remove(el *list.Element) {
	l.order.Remove(el)
	delete(l.keys, el.Value.(*window).key)
}
