package auth

import (
	"testing"
	"time"
)

func TestLimiterBlocksAfterMaxFailuresUntilTheWindowPasses(t *testing.T) {
	l := NewLoginLimiter(3, time.Minute)
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	l.now = func() time.Time { return now }

	for range 3 {
		if blocked, _ := l.Blocked("ada"); blocked {
			t.Fatal("blocked too early")
		}
		l.Fail("ada")
		now = now.Add(10 * time.Second)
	}
	// Failures at :00, :10, :20; now :30. The first leaves the window at 1:00.
	blocked, wait := l.Blocked("ada")
	if !blocked || wait != 30*time.Second {
		t.Fatalf("Blocked = %v, %v; want true, 30s", blocked, wait)
	}
	if blocked, _ := l.Blocked("bob"); blocked {
		t.Error("another key is blocked")
	}
	now = now.Add(30 * time.Second)
	if blocked, _ := l.Blocked("ada"); blocked {
		t.Error("still blocked once the oldest failure left the window")
	}
}

func TestLimiterWaitIsAtLeastOneSecond(t *testing.T) {
	l := NewLoginLimiter(1, time.Minute)
	now := time.Now()
	l.now = func() time.Time { return now }
	l.Fail("ada")
	now = now.Add(time.Minute - time.Millisecond)
	if _, wait := l.Blocked("ada"); wait != time.Second {
		t.Errorf("wait %v, want 1s", wait)
	}
}

func TestLimiterResetForgetsFailures(t *testing.T) {
	l := NewLoginLimiter(2, time.Minute)
	l.Fail("ada")
	l.Fail("ada")
	l.Reset("ada")
	if blocked, _ := l.Blocked("ada"); blocked {
		t.Error("blocked after Reset")
	}
}
