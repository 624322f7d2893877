package resilient

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"syscall"

	"vigil/scheduler"
)

// auditQueue is the on-disk queue of audit records that could not be stored: an
// append-only file of JSON lines, fsynced after every record, locked against a second
// process. Records leave it only after the store took them.
type auditQueue struct {
	mu      sync.Mutex
	path    string
	f       *os.File // append handle, holds the lock
	pending []scheduler.AuditRecord
}

// openQueue opens (creating) the queue file at path and loads the records it holds. A
// torn last line (a crash during its write, so never acknowledged) is dropped.
func openQueue(path string) (*auditQueue, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("audit queue %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("audit queue: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("audit queue %s is in use by another process (give each replica its own): %w", path, err)
	}
	q := &auditQueue{path: path, f: f}
	if q.pending, err = readQueue(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("audit queue %s: %w", path, err)
	}
	return q, nil
}

func readQueue(r io.Reader) ([]scheduler.AuditRecord, error) {
	out := []scheduler.AuditRecord{}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var rec scheduler.AuditRecord
		if err := json.Unmarshal(line, &rec); err != nil {
			// Only the last line can be torn; it was never acknowledged.
			continue
		}
		out = append(out, rec)
	}
	return out, sc.Err()
}

// add appends a record and syncs it to disk before returning.
func (q *auditQueue) add(r scheduler.AuditRecord) error {
	line, err := json.Marshal(r)
	if err != nil {
		return err
	}
	line = append(line, '\n')
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.f == nil {
		return errors.New("audit queue is closed")
	}
	if _, err := q.f.Write(line); err != nil {
		return fmt.Errorf("audit queue: %w", err)
	}
	if err := q.f.Sync(); err != nil {
		return fmt.Errorf("audit queue: %w", err)
	}
	q.pending = append(q.pending, r)
	return nil
}

// len returns how many records wait.
func (q *auditQueue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.pending)
}

// head returns up to n of the oldest waiting records.
func (q *auditQueue) head(n int) []scheduler.AuditRecord {
	q.mu.Lock()
	defer q.mu.Unlock()
	n = min(n, len(q.pending))
	return append([]scheduler.AuditRecord(nil), q.pending[:n]...)
}

// drop removes the n oldest records (stored by now) and rewrites the file without them:
// a new file is written, synced and renamed over the old one, so a crash leaves either.
func (q *auditQueue) drop(n int) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.f == nil {
		return errors.New("audit queue is closed")
	}
	q.pending = q.pending[n:]
	tmp := q.path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	for _, r := range q.pending {
		line, _ := json.Marshal(r)
		w.Write(line)
		w.WriteByte('\n')
	}
	if err := errors.Join(w.Flush(), f.Sync()); err != nil {
		f.Close()
		return err
	}
	if err := os.Rename(tmp, q.path); err != nil {
		f.Close()
		return err
	}
	if d, err := os.Open(filepath.Dir(q.path)); err == nil {
		d.Sync()
		d.Close()
	}
	f.Close()
	// Reopen for appending; the lock moves to the new file.
	nf, err := os.OpenFile(q.path, os.O_RDWR|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	if err := syscall.Flock(int(nf.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		nf.Close()
		return err
	}
	q.f.Close()
	q.f = nf
	return nil
}

func (q *auditQueue) close() error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.f == nil {
		return nil
	}
	err := q.f.Close()
	q.f = nil
	return err
}
