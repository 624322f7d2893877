package boltstore

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestAuditRoundsGather checks that writes arriving while a round runs wait for it to
// finish and then run together, each returning its own error.
func TestAuditRoundsGather(t *testing.T) {
	var a auditRounds
	release := make(chan struct{})
	firstRunning := make(chan struct{})
	var firstErr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		firstErr = a.do(func() error {
			close(firstRunning)
			<-release
			return errors.New("first")
		})
	}()
	<-firstRunning
	a.mu.Lock()
	a.running.started = time.Time{} // the join window has passed
	a.mu.Unlock()

	const n = 50
	var ran atomic.Int32
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = a.do(func() error {
				ran.Add(1)
				if i%2 == 1 {
					return fmt.Errorf("write %d", i)
				}
				return nil
			})
		}()
	}
	for { // until all n wait in the next round
		a.mu.Lock()
		waiting := 0
		if a.next != nil {
			waiting = a.next.n
		}
		a.mu.Unlock()
		if waiting == n {
			break
		}
		runtime.Gosched()
	}
	if got := ran.Load(); got != 0 {
		t.Fatalf("%d writes ran while the first round was running; want 0", got)
	}
	close(release)
	wg.Wait()
	if firstErr == nil || firstErr.Error() != "first" {
		t.Errorf("first write returned %v; want its own error", firstErr)
	}
	if got := ran.Load(); got != n {
		t.Errorf("%d writes ran; want %d", got, n)
	}
	for i, err := range errs {
		if want := fmt.Sprintf("write %d", i); i%2 == 1 && (err == nil || err.Error() != want) || i%2 == 0 && err != nil {
			t.Errorf("write %d returned %v", i, err)
		}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.running != nil || a.next != nil {
		t.Errorf("after every write: running %v, next %v; want none", a.running, a.next)
	}
}

// TestAuditRoundsConcurrent runs many writes from many goroutines: each runs exactly once.
func TestAuditRoundsConcurrent(t *testing.T) {
	var a auditRounds
	const n = 2000
	var count [n]atomic.Int32
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := a.do(func() error { count[i].Add(1); return nil }); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	for i := range count {
		if c := count[i].Load(); c != 1 {
			t.Fatalf("write %d ran %d times; want 1", i, c)
		}
	}
}
