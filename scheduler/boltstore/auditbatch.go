package boltstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// auditBatcher group-commits audit records. One goroutine commits (started by the first
// record after a quiet spell, gone once quiet again); records that arrive
// while it commits gather in the next group, which it commits as soon as the current one
// is on disk. Nothing waits for company: a lone record is committed at once, and under load
// a group holds whatever arrived during one commit.
//
// Every caller waits until its group's commit has returned and gets that commit's error:
// a failed commit fails every record of its group, and none is reported stored unless it
// is. A group is committed in arrival order. Safe for concurrent use; start with
// newAuditBatcher, end with close.
type auditBatcher struct {
	commit func(recs [][]byte) error // stores one group durably, in order
	// flush is called by the committing goroutine after each group (idle false) and once
	// no record has come for flushIdle, and at close (idle true): the store moves its
	// journal into bbolt then (Store.flushAudit).
	flush func(idle bool)

	mu      sync.Mutex
	queue   []*auditGroup // groups not yet committed; only the last still gathers
	running bool          // the committing goroutine runs
	closing bool
	kick    chan struct{} // a record was queued or the batcher closes (buffered, 1)
	wg      sync.WaitGroup
}

// auditGroup is the records committed together, and the outcome every one of them gets.
type auditGroup struct {
	recs [][]byte
	done chan struct{} // closed once err is set
	err  error
}

// maxAuditGroup bounds the records of one commit, so that a backlog after a slow commit
// (a stalled disk) is written in commits of bounded size and memory; under `make load` a
// group holds tens of records.
const maxAuditGroup = 1024

// flushIdle is how long the committer waits for more records before it calls flush(true)
// and ends. Moving the journal into bbolt costs a bbolt commit; waiting lets a steady
// trickle of reads share it, while a record that arrives meanwhile is committed at once.
const flushIdle = 50 * time.Millisecond

// errStoreClosed is returned for records added after Close.
var errStoreClosed = errors.New("audit: store closed")

func newAuditBatcher(commit func([][]byte) error, flush func(idle bool)) *auditBatcher {
	return &auditBatcher{commit: commit, flush: flush, kick: make(chan struct{}, 1)}
}

// add queues rec and returns once its group's commit has returned (that commit's error),
// or ctx is done first (ctx's error: the record may still be committed, but its caller
// has not been told so and must not answer as if it had).
func (b *auditBatcher) add(ctx context.Context, rec []byte) error {
	b.mu.Lock()
	if b.closing {
		b.mu.Unlock()
		return errStoreClosed
	}
	var g *auditGroup
	if n := len(b.queue); n > 0 && len(b.queue[n-1].recs) < maxAuditGroup {
		g = b.queue[n-1]
	} else {
		g = &auditGroup{done: make(chan struct{})}
		b.queue = append(b.queue, g)
	}
	g.recs = append(g.recs, rec)
	if !b.running {
		b.running = true
		b.wg.Add(1)
		go b.run()
	}
	b.mu.Unlock()
	b.poke()
	select {
	case <-g.done:
		return g.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (b *auditBatcher) poke() {
	select {
	case b.kick <- struct{}{}:
	default:
	}
}

// run commits the queued groups one after another until the queue has stayed empty for
// flushIdle or the batcher closes. The group it takes stops gathering: later records start
// the next.
func (b *auditBatcher) run() {
	defer b.wg.Done()
	idle := time.NewTimer(flushIdle)
	for {
		b.mu.Lock()
		var g *auditGroup
		if len(b.queue) > 0 {
			g = b.queue[0]
			b.queue[0] = nil
			b.queue = b.queue[1:]
		}
		closing := b.closing
		if g == nil && closing {
			b.running = false
		}
		b.mu.Unlock()
		if g != nil {
			g.err = b.commit(g.recs)
			close(g.done)
			b.flush(false)
			idle.Reset(flushIdle)
			continue
		}
		if closing {
			b.flush(true)
			return
		}
		select {
		case <-b.kick:
		case <-idle.C:
			b.flush(true)
			b.mu.Lock()
			if len(b.queue) == 0 {
				b.running = false
				b.mu.Unlock()
				return
			}
			b.mu.Unlock()
		}
	}
}

// queued returns how many records wait for a commit that has not started (tests).
func (b *auditBatcher) queued() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for _, g := range b.queue {
		n += len(g.recs)
	}
	return n
}

// close commits what is queued and flushes, and waits for the committing goroutine to
// end; later adds fail.
func (b *auditBatcher) close() {
	b.mu.Lock()
	b.closing = true
	running := b.running
	b.mu.Unlock()
	if running {
		b.poke()
	} else {
		b.flush(true) // what a failed idle flush left
	}
	b.wg.Wait()
}

// commitAudit gives a group its sequence numbers and makes it durable: in the journal, or
// straight in bbolt once the journal has failed (the group that met the failure too; its
// entries may also be in the journal, under the same keys).
func (s *Store) commitAudit(recs [][]byte) error {
	ents := make([]auditEntry, len(recs))
	for i, r := range recs {
		s.seq++
		ents[i] = auditEntry{seq: s.seq, data: r}
	}
	if s.journal != nil {
		err := s.journal.append(ents)
		if err == nil {
			s.pendMu.Lock()
			s.pending = append(s.pending, ents...)
			s.pendMu.Unlock()
			return nil
		}
		s.journal.close()
		s.journal = nil
	}
	return putAudit(s.db, ents)
}

// journalMaxBytes is the journal's size at which its records are moved into bbolt even
// while reads keep coming (about 5,000 records): one bbolt commit a second at 5,000 reads
// a second, and at most a MiB of records held in memory for AuditLog.
const journalMaxBytes = 1 << 20

// flushAudit moves the journal's records into bbolt in one commit and empties it, when the
// committer is idle or the journal has reached journalMaxBytes. If that commit fails, the
// records stay in the journal (durable) and are tried again at the next flush.
func (s *Store) flushAudit(idle bool) {
	s.pendMu.Lock()
	ents := s.pending
	s.pendMu.Unlock()
	if len(ents) == 0 || !idle && s.journal != nil && s.journal.size < journalMaxBytes {
		return
	}
	if err := putAudit(s.db, ents); err != nil {
		return
	}
	s.pendMu.Lock()
	s.pending = nil // only this goroutine appends, so nothing came after ents
	s.pendMu.Unlock()
	if s.journal != nil {
		if err := s.journal.reset(); err != nil {
			s.journal.close()
			s.journal = nil
		}
	}
}

// putAudit writes ents into the audit bucket under their sequence numbers, in one commit.
func putAudit(db *bolt.DB, ents []auditEntry) error {
	return db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bAudit)
		b.FillPercent = 1 // keys only ever grow: full pages
		last := b.Sequence()
		for _, e := range ents {
			if err := b.Put(u64(e.seq), e.data); err != nil {
				return fmt.Errorf("audit entry %d: %w", e.seq, err)
			}
			last = max(last, e.seq)
		}
		return b.SetSequence(last)
	})
}
