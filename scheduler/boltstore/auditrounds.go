package boltstore

import (
	"sync"
	"time"
)

// auditRounds lets one round of audit writes run at a time: the writes that arrive while a
// round runs wait, and go together as the next round once it has finished. Audit writes go
// through bbolt's Batch (a commit of two fdatasyncs for every batch), so a round becomes one
// commit, and the busier the server the more records share it; without rounds each commit
// held only the records of one short batch window (1 ms), and committing was the largest
// cost of an audited read.
// A write arriving within auditJoinWindow of a round's start joins it instead of waiting:
// it still reaches the store's batch of that round (bbolt waits 1 ms for company), so a
// quiet server does not make a read wait for a whole round before its own.
// Every record is still committed before its read is answered: only when the commit
// starts changes. The zero value is ready; safe for concurrent use.
type auditRounds struct {
	mu      sync.Mutex
	running *auditRound // the round whose writes run; nil when none does
	next    *auditRound // the round gathering behind it
}

type auditRound struct {
	n       int           // writes in the round not yet finished
	start   chan struct{} // closed when the round may run
	started time.Time     // when it started running
}

// auditJoinWindow is how long after a round started a write may still join it: well within
// bbolt's batch delay (1 ms), so that the write lands in the round's commit.
const auditJoinWindow = 300 * time.Microsecond

// do runs write in a round and returns its error.
func (a *auditRounds) do(write func() error) error {
	r := a.join()
	err := write()
	a.leave(r)
	return err
}

// join returns the round the caller's write belongs to, once that round may run.
func (a *auditRounds) join() *auditRound {
	a.mu.Lock()
	if a.running == nil {
		r := &auditRound{n: 1, started: time.Now()}
		a.running = r
		a.mu.Unlock()
		return r
	}
	if r := a.running; a.next == nil && time.Since(r.started) < auditJoinWindow {
		r.n++
		a.mu.Unlock()
		return r
	}
	if a.next == nil {
		a.next = &auditRound{start: make(chan struct{})}
	}
	r := a.next
	r.n++
	a.mu.Unlock()
	<-r.start
	return r
}

// leave ends the caller's write; the last write of the running round starts the next.
func (a *auditRounds) leave(r *auditRound) {
	a.mu.Lock()
	defer a.mu.Unlock()
	r.n--
	if r.n > 0 || a.running != r {
		return
	}
	a.running, a.next = a.next, nil
	if a.running != nil {
		a.running.started = time.Now()
		close(a.running.start)
	}
}
