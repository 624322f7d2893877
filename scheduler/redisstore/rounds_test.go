package redisstore

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestRoundsBatchInOrder: concurrent calls are answered each with its own result, share
// round trips, and a call never joins a round that had started before it arrived.
func TestRoundsBatchInOrder(t *testing.T) {
	var runs, inFlight atomic.Int64
	var mu sync.Mutex
	var seen []int
	b := rounds[int, int]{run: func(_ context.Context, items []int) ([]int, error) {
		if inFlight.Add(1) != 1 {
			t.Error("two rounds ran at once")
		}
		defer inFlight.Add(-1)
		runs.Add(1)
		mu.Lock()
		seen = append(seen, items...)
		mu.Unlock()
		time.Sleep(2 * time.Millisecond)
		out := make([]int, len(items))
		for i, v := range items {
			out[i] = v * 10
		}
		return out, nil
	}}
	const n = 200
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := b.do(i)
			if err != nil || got != i*10 {
				t.Errorf("do(%d) = %d, %v; want %d", i, got, err, i*10)
			}
		}()
	}
	wg.Wait()
	if r := runs.Load(); r >= n || r < 1 {
		t.Errorf("%d calls took %d round trips; want fewer", n, r)
	}
	if len(seen) != n {
		t.Errorf("%d items sent; want %d, each once", len(seen), n)
	}
	// A call made after a round started waits for the next one.
	started := make(chan struct{})
	release := make(chan struct{})
	var first atomic.Bool
	c := rounds[string, string]{run: func(_ context.Context, items []string) ([]string, error) {
		if first.CompareAndSwap(false, true) {
			close(started)
			<-release
			return []string{"old"}, nil
		}
		return []string{"new"}, nil
	}}
	go c.do("a")
	<-started
	done := make(chan string)
	go func() { v, _ := c.do("b"); done <- v }()
	time.Sleep(10 * time.Millisecond)
	close(release)
	if v := <-done; v != "new" {
		t.Errorf("a call made during a round got %q; want the next round's answer", v)
	}
	e := rounds[int, int]{run: func(context.Context, []int) ([]int, error) { return nil, errors.New("down") }}
	if _, err := e.do(1); err == nil {
		t.Error("a failed round returned no error")
	}
}
