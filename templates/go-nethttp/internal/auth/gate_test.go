package auth

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestGateRefusesWhenEverySlotStaysTaken(t *testing.T) {
	gate := NewGate(1, 50*time.Millisecond)
	h, err := NewHasher(fastParams, gate)
	if err != nil {
		t.Fatal(err)
	}
	leave, err := gate.Enter(context.Background()) // the one slot, held
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := h.Hash(context.Background(), "correct horse battery"); !errors.Is(err, ErrHashBusy) {
		t.Fatalf("Hash with the slot held: err = %v, want ErrHashBusy", err)
	}
	if waited := time.Since(start); waited < 50*time.Millisecond || waited > 2*time.Second {
		t.Errorf("waited %v, want about the 50ms queue timeout", waited)
	}
	if _, err := h.Verify(context.Background(), "pw", h.dummy); !errors.Is(err, ErrHashBusy) {
		t.Errorf("Verify with the slot held: err = %v, want ErrHashBusy", err)
	}
	if err := h.Waste(context.Background(), "pw"); !errors.Is(err, ErrHashBusy) {
		t.Errorf("Waste with the slot held: err = %v, want ErrHashBusy", err)
	}

	leave()
	if _, err := h.Hash(context.Background(), "correct horse battery"); err != nil {
		t.Errorf("Hash after the slot was freed: %v", err)
	}
}

func TestGateWaiterGetsASlotFreedInTime(t *testing.T) {
	gate := NewGate(1, 5*time.Second)
	leave, _ := gate.Enter(context.Background())
	time.AfterFunc(20*time.Millisecond, leave)
	got, err := gate.Enter(context.Background())
	if err != nil {
		t.Fatalf("a slot freed within the wait was not handed over: %v", err)
	}
	got()
}

func TestGateStopsWaitingWhenTheCallerGivesUp(t *testing.T) {
	gate := NewGate(1, time.Minute)
	leave, _ := gate.Enter(context.Background())
	defer leave()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	if _, err := gate.Enter(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestGateNeverLetsMoreThanItsSlotsRun(t *testing.T) {
	const slots = 3
	gate := NewGate(slots, 10*time.Second)
	var running, peak atomic.Int32
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			leave, err := gate.Enter(context.Background())
			if err != nil {
				t.Error(err)
				return
			}
			defer leave()
			n := running.Add(1)
			for {
				p := peak.Load()
				if n <= p || peak.CompareAndSwap(p, n) {
					break
				}
			}
			time.Sleep(5 * time.Millisecond)
			running.Add(-1)
		})
	}
	wg.Wait()
	if p := peak.Load(); p > slots {
		t.Errorf("%d hashes ran at once, want at most %d", p, slots)
	}
}

func TestGateWithZeroWaitStillUsesAFreeSlot(t *testing.T) {
	gate := NewGate(1, 0)
	leave, err := gate.Enter(context.Background())
	if err != nil {
		t.Fatalf("a free slot was refused: %v", err)
	}
	defer leave()
	if _, err := gate.Enter(context.Background()); !errors.Is(err, ErrHashBusy) {
		t.Errorf("err = %v, want ErrHashBusy", err)
	}
}
