package auth

import (
	"math"
	"sync"
	"time"
)

// LoginLimiter counts failed logins per key (the lower-cased email) in a
// sliding window. Once Max failures sit in the window, Blocked says how long
// to wait, and the handler answers 429 without checking the password.
//
// It lives in memory: fine for one instance; several replicas would share a
// store such as Redis instead.
type LoginLimiter struct {
	Max    int
	Window time.Duration

	mu       sync.Mutex
	failures map[string][]time.Time
	now      func() time.Time
}

// NewLoginLimiter allows max failures per window.
func NewLoginLimiter(maxFailures int, window time.Duration) *LoginLimiter {
	return &LoginLimiter{Max: maxFailures, Window: window, failures: map[string][]time.Time{}, now: time.Now}
}

// Blocked returns whether key is locked out and, if so, for how long
// (always at least one second).
func (l *LoginLimiter) Blocked(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	recent := l.prune(key, now)
	if len(recent) < l.Max {
		return false, 0
	}
	// The lockout ends when the oldest failure that keeps the count at Max
	// leaves the window.
	until := recent[len(recent)-l.Max].Add(l.Window)
	wait := time.Duration(math.Ceil(until.Sub(now).Seconds())) * time.Second
	return true, max(wait, time.Second)
}

// Fail records a failed attempt for key.
func (l *LoginLimiter) Fail(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.failures[key] = append(l.prune(key, now), now)
	if len(l.failures) > 10_000 {
		l.sweep(now)
	}
}

// Reset forgets key's failures after a successful login.
func (l *LoginLimiter) Reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.failures, key)
}

// prune drops key's failures older than the window; callers hold mu.
func (l *LoginLimiter) prune(key string, now time.Time) []time.Time {
	times := l.failures[key]
	cut := 0
	for cut < len(times) && now.Sub(times[cut]) >= l.Window {
		cut++
	}
	if cut == len(times) {
		delete(l.failures, key)
		return nil
	}
	times = times[cut:]
	l.failures[key] = times
	return times
}

// sweep bounds memory when many emails are tried; callers hold mu.
func (l *LoginLimiter) sweep(now time.Time) {
	for key := range l.failures {
		l.prune(key, now)
	}
}
