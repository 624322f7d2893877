// Package boltstore is Vigil's embedded, persistent store: one bbolt file, no server
// (DESIGN.md §6), and beside it the audit journal (path + ".audit"). Audit writes are
// group-committed into the journal and moved into bbolt in larger commits (auditBatcher,
// auditJournal); check-ins are group-committed with bbolt's Batch.
package boltstore

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"

	"vigil/scheduler"
)

var _ scheduler.Store = (*Store)(nil)

var (
	bMeta     = []byte("meta")
	bMissions = []byte("missions")
	bForce    = []byte("force")
	bChanges  = []byte("changes")
	bPlans    = []byte("plans")
	bAudit    = []byte("audit")
	bRevoked  = []byte("revoked")
	kSeeded   = []byte("seeded")
)

// Store is a scheduler.Store on a bbolt file.
type Store struct {
	db     *bolt.DB
	rev    atomic.Uint64 // bumped after every write of missions, forces or change logs
	audits *auditBatcher // gathers concurrent Audit calls into one commit

	// Owned by the audit batcher's goroutine (and Open before it starts).
	journal *auditJournal // nil once it failed: groups then commit straight into bbolt
	seq     uint64        // the last audit sequence number given out

	pendMu  sync.Mutex
	pending []auditEntry // in the journal, not yet in bbolt; AuditLog reads them too
}

// Revision returns a token that changes whenever missions, forces or change logs may have
// changed, so that readers may keep what they decoded while it stays the same. Only this
// process can write the file (Open locks it), so the token is a counter in memory, bumped
// after each such write commits.
func (s *Store) Revision(ctx context.Context) (string, error) {
	return strconv.FormatUint(s.rev.Load(), 10), nil
}

// update runs fn in a write transaction of missions, forces or change logs and bumps the
// revision once it has committed (or failed: a needless bump costs a reload only).
func (s *Store) update(fn func(*bolt.Tx) error) error {
	defer s.rev.Add(1)
	return s.db.Update(fn)
}

// Open opens (creating if needed) the store file at path. Only one process may hold it:
// Open fails after a second if another has it open.
func Open(path string) (*Store, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range append([][]byte{bMeta, bMissions, bForce, bChanges, bPlans, bAudit, bRevoked, bRosters, bForceHistory, bDeletedMissions}, opsBuckets...) {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	// Check-ins are group-committed with Batch: a batch waits at most this long for company
	// before it commits. bbolt's default of 10 ms put that wait on every check-in's latency.
	db.MaxBatchDelay = batchDelay
	j, ents, err := openAuditJournal(journalPath(path))
	if err == nil && len(ents) > 0 {
		// Records a crash left in the journal, each to its own key.
		if err = putAudit(db, ents); err == nil {
			err = j.reset()
		}
	}
	s := &Store{db: db, journal: j}
	if err == nil {
		err = db.View(func(tx *bolt.Tx) error {
			s.seq = tx.Bucket(bAudit).Sequence()
			return nil
		})
	}
	if err != nil {
		j.close()
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	s.audits = newAuditBatcher(s.commitAudit, s.flushAudit)
	return s, nil
}

// batchDelay is how long a check-in batch waits for more before committing.
const batchDelay = time.Millisecond

// Close commits the audit records already queued, moves the journal into bbolt, then
// closes the files.
func (s *Store) Close() error {
	s.audits.close()
	err := s.journal.close()
	s.journal = nil
	return errors.Join(err, s.db.Close())
}

// Seed implements scheduler.Store.
func (s *Store) Seed(ctx context.Context, missions []scheduler.MissionRecord, forces []scheduler.RegionForce) (bool, error) {
	seeded := false
	err := s.update(func(tx *bolt.Tx) error {
		if tx.Bucket(bMeta).Get(kSeeded) != nil {
			return nil
		}
		for _, m := range missions {
			if err := putJSON(tx.Bucket(bMissions), m.Mission.ID, m); err != nil {
				return err
			}
		}
		for _, f := range forces {
			if err := putJSON(tx.Bucket(bForce), f.Region, f); err != nil {
				return err
			}
		}
		seeded = true
		return tx.Bucket(bMeta).Put(kSeeded, []byte("1"))
	})
	return seeded, err
}

func putJSON(b *bolt.Bucket, key string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put([]byte(key), data)
}

// Missions implements scheduler.Store.
func (s *Store) Missions(ctx context.Context, region string) ([]scheduler.MissionRecord, error) {
	out := []scheduler.MissionRecord{}
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bMissions).ForEach(func(k, v []byte) error {
			var r scheduler.MissionRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("mission %s: %w", k, err)
			}
			if region == "" || r.Mission.Region == region {
				out = append(out, r)
			}
			return nil
		})
	})
	return out, err // bbolt iterates keys in order: sorted by id
}

// Mission implements scheduler.Store.
func (s *Store) Mission(ctx context.Context, id string) (scheduler.MissionRecord, error) {
	var r scheduler.MissionRecord
	err := s.db.View(func(tx *bolt.Tx) error {
		return getMission(tx, id, &r)
	})
	return r, err
}

func getMission(tx *bolt.Tx, id string, r *scheduler.MissionRecord) error {
	v := tx.Bucket(bMissions).Get([]byte(id))
	if v == nil {
		return fmt.Errorf("mission %q: %w", id, scheduler.ErrNotFound)
	}
	return json.Unmarshal(v, r)
}

// CreateMission implements scheduler.Store.
func (s *Store) CreateMission(ctx context.Context, r scheduler.MissionRecord) error {
	return s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bMissions)
		if b.Get([]byte(r.Mission.ID)) != nil {
			return fmt.Errorf("mission %q: %w", r.Mission.ID, scheduler.ErrConflict)
		}
		return putJSON(b, r.Mission.ID, r)
	})
}

// UpdateMission implements scheduler.Store.
func (s *Store) UpdateMission(ctx context.Context, id string, fn func(*scheduler.MissionRecord) error) (scheduler.MissionRecord, error) {
	var r scheduler.MissionRecord
	err := s.update(func(tx *bolt.Tx) error {
		if err := getMission(tx, id, &r); err != nil {
			return err
		}
		if err := fn(&r); err != nil {
			return err
		}
		if r.Mission.ID != id {
			return fmt.Errorf("update of mission %q changed its id to %q", id, r.Mission.ID)
		}
		return putJSON(tx.Bucket(bMissions), id, r)
	})
	if err != nil {
		return scheduler.MissionRecord{}, err
	}
	return r, nil
}

// DeleteMission implements scheduler.Store.
func (s *Store) DeleteMission(ctx context.Context, id string) error {
	return s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bMissions)
		if b.Get([]byte(id)) == nil {
			return fmt.Errorf("mission %q: %w", id, scheduler.ErrNotFound)
		}
		return b.Delete([]byte(id))
	})
}

// Force implements scheduler.Store.
func (s *Store) Force(ctx context.Context, region string) (scheduler.RegionForce, error) {
	var f scheduler.RegionForce
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bForce).Get([]byte(region))
		if v == nil {
			return fmt.Errorf("force of region %q: %w", region, scheduler.ErrNotFound)
		}
		return json.Unmarshal(v, &f)
	})
	return f, err
}

// Forces implements scheduler.Store.
func (s *Store) Forces(ctx context.Context) ([]scheduler.RegionForce, error) {
	out := []scheduler.RegionForce{}
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bForce).ForEach(func(k, v []byte) error {
			var f scheduler.RegionForce
			if err := json.Unmarshal(v, &f); err != nil {
				return fmt.Errorf("force %s: %w", k, err)
			}
			out = append(out, f)
			return nil
		})
	})
	return out, err
}

// PutForce implements scheduler.Store.
func (s *Store) PutForce(ctx context.Context, f scheduler.RegionForce) error {
	return s.update(func(tx *bolt.Tx) error { return putJSON(tx.Bucket(bForce), f.Region, f) })
}

func dayKey(region string, d scheduler.Date) []byte { return []byte(region + "/" + d.String()) }

// Changes implements scheduler.Store.
func (s *Store) Changes(ctx context.Context, region string, d scheduler.Date) ([]scheduler.Change, error) {
	out := []scheduler.Change{}
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bChanges).Bucket(dayKey(region, d))
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var c scheduler.Change
			if err := json.Unmarshal(v, &c); err != nil {
				return err
			}
			out = append(out, c)
			return nil
		})
	})
	scheduler.SortChanges(out)
	return out, err
}

// AddChange implements scheduler.Store.
func (s *Store) AddChange(ctx context.Context, region string, d scheduler.Date, c scheduler.Change) error {
	return s.update(func(tx *bolt.Tx) error { return addChange(tx, region, d, c) })
}

// addChange appends c to the change log of a region's service date in tx.
func addChange(tx *bolt.Tx, region string, d scheduler.Date, c scheduler.Change) error {
	b, err := tx.Bucket(bChanges).CreateBucketIfNotExists(dayKey(region, d))
	if err != nil {
		return err
	}
	seq, err := b.NextSequence()
	if err != nil {
		return fmt.Errorf("change of %s %s: %w", region, d, err)
	}
	data, err := json.Marshal(c)
	if err != nil {
		return err
	}
	return b.Put(u64(seq), data)
}

func u64(n uint64) []byte {
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], n)
	return k[:]
}

func planKey(region string, d scheduler.Date, version string) []byte {
	return []byte(region + "/" + d.String() + "/" + version)
}

// CachedPlan implements scheduler.Store.
func (s *Store) CachedPlan(ctx context.Context, region string, d scheduler.Date, version string) ([]byte, error) {
	var out []byte
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bPlans).Get(planKey(region, d, version))
		if v == nil {
			return fmt.Errorf("plan %s %s %s: %w", region, d, version, scheduler.ErrNotFound)
		}
		out = append([]byte(nil), v...)
		return nil
	})
	return out, err
}

// CachePlan implements scheduler.Store. Older versions of the same day are dropped: they
// can never be served again, since versions only move forward with the change log.
func (s *Store) CachePlan(ctx context.Context, region string, d scheduler.Date, version string, plan []byte) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bPlans)
		prefix := []byte(region + "/" + d.String() + "/")
		c := b.Cursor()
		var stale [][]byte
		for k, _ := c.Seek(prefix); k != nil && len(k) >= len(prefix) && string(k[:len(prefix)]) == string(prefix); k, _ = c.Next() {
			stale = append(stale, append([]byte(nil), k...))
		}
		for _, k := range stale {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		return b.Put(planKey(region, d, version), plan)
	})
}

// Audit implements scheduler.Store. It returns once the record is durable (nil) or its
// commit failed (that error): records from concurrent calls share one commit
// (auditBatcher), and one that arrives while a commit runs goes in the next.
func (s *Store) Audit(ctx context.Context, r scheduler.AuditRecord) error {
	data, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return s.audits.add(ctx, data)
}

// AuditLog implements scheduler.Store: the records in bbolt and those still only in the
// journal.
func (s *Store) AuditLog(ctx context.Context, since time.Time, limit int) ([]scheduler.AuditRecord, error) {
	s.pendMu.Lock()
	pending := s.pending // taken before the bbolt read: a record moved meanwhile is in both
	s.pendMu.Unlock()
	type keyed struct {
		seq uint64
		r   scheduler.AuditRecord
	}
	var recs []keyed
	keep := func(seq uint64, v []byte) error {
		var r scheduler.AuditRecord
		if err := json.Unmarshal(v, &r); err != nil {
			return fmt.Errorf("audit entry %d: %w", seq, err)
		}
		if !r.At.Before(since) {
			recs = append(recs, keyed{seq, r})
		}
		return nil
	}
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bAudit)
		c := b.Cursor()
		for k, v := c.First(); k != nil && len(recs) < limit; k, v = c.Next() {
			if err := keep(binary.BigEndian.Uint64(k), v); err != nil {
				return err
			}
		}
		for _, e := range pending {
			if b.Get(u64(e.seq)) == nil {
				if err := keep(e.seq, e.data); err != nil {
					return err
				}
			}
		}
		return nil
	})
	sort.Slice(recs, func(i, j int) bool { return recs[i].seq < recs[j].seq })
	out := []scheduler.AuditRecord{}
	for _, k := range recs[:min(limit, len(recs))] {
		out = append(out, k.r)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out, err
}

// Revoke implements scheduler.Store.
func (s *Store) Revoke(ctx context.Context, jti string, until time.Time) error {
	if jti == "" {
		return errors.New("revoke: empty token id")
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bRevoked).Put([]byte(jti), []byte(until.UTC().Format(time.RFC3339)))
	})
}

// Revoked implements scheduler.Store.
func (s *Store) Revoked(ctx context.Context, jti string) (bool, error) {
	var revoked bool
	err := s.db.View(func(tx *bolt.Tx) error {
		revoked = tx.Bucket(bRevoked).Get([]byte(jti)) != nil
		return nil
	})
	return revoked, err
}
