package redisstore

import (
	"context"
	"sync"
	"time"
)

// rounds batches calls of one kind into round trips: a call that arrives while a round
// is in flight joins the next round, which starts when that one ends, so a busy replica
// sends one command (or one pipeline) for many calls instead of one each. Each round is
// sent after every call in it arrived, so a call never gets an answer read before it was
// made (a revision read after a write acknowledged elsewhere sees it), and rounds run one
// at a time in arrival order (audit records keep their order). The zero value is not
// ready: set run.
type rounds[T, R any] struct {
	run func(ctx context.Context, items []T) ([]R, error) // one result per item, in order

	mu      sync.Mutex
	running bool
	next    *round[T, R]
}

type round[T, R any] struct {
	items []T
	res   []R
	err   error
	done  chan struct{}
}

// roundTimeout bounds one round trip (the client's own timeouts are shorter).
const roundTimeout = 5 * time.Second

// do adds item to a round and returns its result once the round has run.
func (b *rounds[T, R]) do(item T) (R, error) {
	b.mu.Lock()
	if b.next == nil {
		b.next = &round[T, R]{done: make(chan struct{})}
	}
	r := b.next
	i := len(r.items)
	r.items = append(r.items, item)
	if !b.running {
		b.running = true
		b.next = nil
		b.mu.Unlock()
		b.exec(r)
	} else {
		b.mu.Unlock()
	}
	<-r.done
	var zero R
	if r.err != nil {
		return zero, r.err
	}
	return r.res[i], nil
}

// exec runs r, then starts the round gathered meanwhile, if any, on a goroutine of its own
// (so that no caller keeps running rounds for others).
func (b *rounds[T, R]) exec(r *round[T, R]) {
	ctx, cancel := context.WithTimeout(context.Background(), roundTimeout)
	r.res, r.err = b.run(ctx, r.items)
	cancel()
	close(r.done)
	b.mu.Lock()
	n := b.next
	b.next = nil
	if n == nil {
		b.running = false
	}
	b.mu.Unlock()
	if n != nil {
		go b.exec(n)
	}
}
