package boltstore

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	berrors "go.etcd.io/bbolt/errors"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"vigil/scheduler"
)

// auditWriters appends perWriter records from each of writers goroutines at once; writer
// g's record i has Actor "w<g>" and Target "/v1/x/<i>". It returns every call's error.
func auditWriters(s *Store, writers, perWriter int) []error {
	errs := make([]error, writers*perWriter)
	var wg sync.WaitGroup
	for g := range writers {
		wg.Go(func() {
			for i := range perWriter {
				r := scheduler.AuditRecord{At: seedTime.Add(time.Duration(i) * time.Second), Actor: fmt.Sprintf("w%d", g),
					Role: "officer", Action: "read-assignments", Target: fmt.Sprintf("/v1/x/%d", i)}
				errs[g*perWriter+i] = s.Audit(context.Background(), r)
			}
		})
	}
	wg.Wait()
	return errs
}

// checkAuditBucket checks that the audit bucket of the file at path holds exactly the
// records of auditWriters(writers, perWriter), under the keys 1…n, each writer's in the
// order it wrote them.
func checkAuditBucket(t *testing.T, path string, writers, perWriter int) {
	t.Helper()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	last := map[string]int{}
	n := 0
	err = s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bAudit).ForEach(func(k, v []byte) error {
			n++
			if seq := binary.BigEndian.Uint64(k); seq != uint64(n) {
				return fmt.Errorf("key %d at position %d; want keys 1…n without gaps", seq, n)
			}
			var r scheduler.AuditRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return err
			}
			var i int
			if _, err := fmt.Sscanf(r.Target, "/v1/x/%d", &i); err != nil {
				return err
			}
			if prev, ok := last[r.Actor]; ok && i != prev+1 || !ok && i != 0 {
				return fmt.Errorf("writer %s: record %d follows %d (seen %v); want each writer's records in order, once", r.Actor, i, prev, ok)
			}
			last[r.Actor] = i
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != writers*perWriter || len(last) != writers {
		t.Fatalf("audit bucket holds %d records of %d writers; want %d of %d", n, len(last), writers*perWriter, writers)
	}
	for w, i := range last {
		if i != perWriter-1 {
			t.Errorf("writer %s: last record %d; want %d", w, i, perWriter-1)
		}
	}
	if all, err := s.AuditLog(context.Background(), time.Time{}, 1<<20); err != nil || len(all) != n {
		t.Errorf("AuditLog = %d records, %v; want %d", len(all), err, n)
	}
}

// TestAuditConcurrentSurvivesReopen appends from many goroutines at once on a real file:
// every record lands once, under dense keys, each writer's in its order, and all are
// there after Close and reopen.
func TestAuditConcurrentSurvivesReopen(t *testing.T) {
	const writers, perWriter = 32, 25
	path := filepath.Join(t.TempDir(), "vigil.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	for k, err := range auditWriters(s, writers, perWriter) {
		if err != nil {
			t.Fatalf("Audit #%d = %v", k, err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(journalPath(path)); err != nil || fi.Size() != 0 {
		t.Errorf("journal after Close: %v, %v; want empty (moved into bbolt)", fi, err)
	}
	checkAuditBucket(t, path, writers, perWriter)
}

// TestAuditJournalAfterCrash: records acknowledged but not yet moved into bbolt are in the
// journal; a copy of the files as a crash leaves them (the store never closed) opens with
// every record, a tail of zeros and a torn entry are cut off, and new records take new keys.
func TestAuditJournalAfterCrash(t *testing.T) {
	const writers, perWriter = 8, 10
	dir := t.TempDir()
	path := filepath.Join(dir, "vigil.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.audits.flush = func(bool) {} // keep everything in the journal
	for k, err := range auditWriters(s, writers, perWriter) {
		if err != nil {
			t.Fatalf("Audit #%d = %v", k, err)
		}
	}
	if got, err := s.AuditLog(context.Background(), time.Time{}, 1000); err != nil || len(got) != writers*perWriter {
		t.Fatalf("AuditLog before the crash = %d, %v; want %d (from the journal)", len(got), err, writers*perWriter)
	}
	crashed := filepath.Join(t.TempDir(), "vigil.db")
	for _, p := range []string{path, journalPath(path)} {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		to := crashed
		if p != path {
			to = journalPath(crashed)
			data = append(data, make([]byte, 40)...)                 // zeros, as from a size
			data = append(data, 0, 0, 0, 0, 0, 0, 0, 99, 0, 0, 1, 0) // written before its data, and a torn entry
		}
		if err := os.WriteFile(to, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	checkAuditBucket(t, crashed, writers, perWriter)

	c, err := Open(crashed)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Audit(context.Background(), scheduler.AuditRecord{At: seedTime, Actor: "after"}); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	c, err = Open(crashed)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if got, err := c.AuditLog(context.Background(), time.Time{}, 1000); err != nil || len(got) != writers*perWriter+1 {
		t.Errorf("AuditLog after one more record = %d, %v; want %d", len(got), err, writers*perWriter+1)
	}
}

// gateCommits makes the store's audit commits wait for release and counts them in
// *commits; entered receives the size of the first group, once it waits in the gate.
func gateCommits(s *Store, commits *int) (entered <-chan int, release func()) {
	gate, first := make(chan struct{}), make(chan int, 1)
	commit := s.audits.commit
	s.audits.commit = func(recs [][]byte) error {
		select {
		case first <- len(recs):
		default:
		}
		<-gate
		*commits++
		return commit(recs)
	}
	return first, func() { close(gate) }
}

// waitQueued waits until n records wait for a commit that has not started.
func waitQueued(s *Store, n int) {
	for s.audits.queued() != n {
		runtime.Gosched()
	}
}

// TestAuditGroupCommit: records that arrive while a commit runs share the next one.
func TestAuditGroupCommit(t *testing.T) {
	const n = 40
	s, err := Open(filepath.Join(t.TempDir(), "vigil.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	commits := 0
	entered, release := gateCommits(s, &commits)
	one, done := make(chan []error), make(chan []error)
	go func() { one <- auditWriters(s, 1, 1) }()
	<-entered // the one record is in the gated commit
	go func() { done <- auditWriters(s, n-1, 1) }()
	waitQueued(s, n-1) // the rest gather behind it
	release()
	for k, err := range append(<-one, <-done...) {
		if err != nil {
			t.Errorf("Audit #%d = %v", k, err)
		}
	}
	if commits != 2 {
		t.Errorf("%d records in %d commits; want 2 (the first, then all that waited)", n, commits)
	}
}

// TestAuditFailedCommitFailsEveryWaiter: when a group cannot be stored (the journal and
// bbolt both closed under it), every caller of the group gets the error; none is told its
// record is stored.
func TestAuditFailedCommitFailsEveryWaiter(t *testing.T) {
	const n = 30
	s, err := Open(filepath.Join(t.TempDir(), "vigil.db"))
	if err != nil {
		t.Fatal(err)
	}
	commits := 0
	entered, release := gateCommits(s, &commits)
	done := make(chan []error)
	go func() { done <- auditWriters(s, n, 1) }()
	waitQueued(s, n-<-entered) // one group in the gated commit, the rest behind it
	s.journal.f.Close()
	s.db.Close()
	release()
	for k, err := range <-done {
		if !errors.Is(err, berrors.ErrDatabaseNotOpen) {
			t.Errorf("Audit #%d = %v; want the failed commit's error (%v)", k, err, berrors.ErrDatabaseNotOpen)
		}
	}
	s.audits.close()
}

// TestAuditJournalFailureFallsBack: when the journal cannot be written, the group and all
// later ones commit straight into bbolt, and every record is there after reopen.
func TestAuditJournalFailureFallsBack(t *testing.T) {
	const writers = 30
	path := filepath.Join(t.TempDir(), "vigil.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	commits := 0
	entered, release := gateCommits(s, &commits)
	done := make(chan []error)
	go func() { done <- auditWriters(s, writers, 1) }()
	waitQueued(s, writers-<-entered)
	s.journal.f.Close()
	release()
	for k, err := range <-done {
		if err != nil {
			t.Errorf("Audit #%d with the journal failing = %v; want nil (stored in bbolt)", k, err)
		}
	}
	if s.journal != nil {
		t.Error("journal still in use after it failed")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	checkAuditBucket(t, path, writers, 1)
}
