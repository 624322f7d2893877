package boltstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"

	"vigil/scheduler"
)

var (
	bCheckIns  = []byte("checkins") // region/date → seq → check-in
	bFeeds     = []byte("feeds")    // token hash → officer
	bFeedOf    = []byte("feed-of")  // officer → token hash
	bEvents    = []byte("events")   // region → seq → event
	bRuns      = []byte("runs")     // run key → expiry (RFC 3339)
	opsBuckets = [][]byte{bCheckIns, bFeeds, bFeedOf, bEvents, bRuns}
)

// AddCheckIn implements scheduler.Store; concurrent check-ins share one commit (bbolt
// Batch), and the call returns only once its commit is on disk.
func (s *Store) AddCheckIn(ctx context.Context, c scheduler.CheckIn) error {
	data, err := json.Marshal(c)
	if err != nil {
		return err
	}
	return s.db.Batch(func(tx *bolt.Tx) error {
		b, err := tx.Bucket(bCheckIns).CreateBucketIfNotExists([]byte(c.Region + "/" + c.Date))
		if err != nil {
			return err
		}
		seq, err := b.NextSequence()
		if err != nil {
			return fmt.Errorf("check-in of %s %s: %w", c.Region, c.Date, err)
		}
		return b.Put(u64(seq), data)
	})
}

// CheckIns implements scheduler.Store.
func (s *Store) CheckIns(ctx context.Context, region string, d scheduler.Date) ([]scheduler.CheckIn, error) {
	out := []scheduler.CheckIn{}
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bCheckIns).Bucket(dayKey(region, d))
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var c scheduler.CheckIn
			if err := json.Unmarshal(v, &c); err != nil {
				return fmt.Errorf("check-in %s/%x: %w", dayKey(region, d), k, err)
			}
			out = append(out, c)
			return nil
		})
	})
	return out, err
}

// PutFeedToken implements scheduler.Store.
func (s *Store) PutFeedToken(ctx context.Context, officer, hash string) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		if old := tx.Bucket(bFeedOf).Get([]byte(officer)); old != nil {
			if err := tx.Bucket(bFeeds).Delete(old); err != nil {
				return err
			}
		}
		if err := tx.Bucket(bFeeds).Put([]byte(hash), []byte(officer)); err != nil {
			return err
		}
		return tx.Bucket(bFeedOf).Put([]byte(officer), []byte(hash))
	})
}

// FeedOfficer implements scheduler.Store.
func (s *Store) FeedOfficer(ctx context.Context, hash string) (string, error) {
	var officer string
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bFeeds).Get([]byte(hash))
		if v == nil {
			return fmt.Errorf("calendar feed token: %w", scheduler.ErrNotFound)
		}
		officer = string(v)
		return nil
	})
	return officer, err
}

// RevokeFeedToken implements scheduler.Store.
func (s *Store) RevokeFeedToken(ctx context.Context, officer string) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		old := tx.Bucket(bFeedOf).Get([]byte(officer))
		if old == nil {
			return nil
		}
		if err := tx.Bucket(bFeeds).Delete(old); err != nil {
			return err
		}
		return tx.Bucket(bFeedOf).Delete([]byte(officer))
	})
}

// AppendEvent implements scheduler.Store: IDs are the region's sequence numbers in decimal.
func (s *Store) AppendEvent(ctx context.Context, e scheduler.Event, keep int) (scheduler.Event, error) {
	err := s.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.Bucket(bEvents).CreateBucketIfNotExists([]byte(e.Region))
		if err != nil {
			return err
		}
		seq, err := b.NextSequence()
		if err != nil {
			return fmt.Errorf("event of %s: %w", e.Region, err)
		}
		e.ID = strconv.FormatUint(seq, 10)
		data, err := json.Marshal(e)
		if err != nil {
			return err
		}
		if err := b.Put(u64(seq), data); err != nil {
			return err
		}
		// Trim the ring: drop the oldest beyond keep.
		for n := b.Stats().KeyN + 1 - keep; n > 0; n-- {
			k, _ := b.Cursor().First()
			if k == nil {
				break
			}
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
	return e, err
}

// Events implements scheduler.Store.
func (s *Store) Events(ctx context.Context, region, after string, limit int) ([]scheduler.Event, error) {
	out := []scheduler.Event{}
	from, err := strconv.ParseUint(after, 10, 64)
	if err != nil {
		from = 0
	}
	err = s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bEvents).Bucket([]byte(region))
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, v := c.Seek(u64(from + 1)); k != nil && len(out) < limit; k, v = c.Next() {
			var e scheduler.Event
			if err := json.Unmarshal(v, &e); err != nil {
				return err
			}
			out = append(out, e)
		}
		return nil
	})
	return out, err
}

// Once implements scheduler.Store. A key already held is found by a read-only
// transaction: the jobs' sweep asks every minute about every visit of the last hour, and a
// writable transaction commits (two fdatasyncs) even when it changes nothing, holding
// bbolt's one writer while audited reads wait for it. Only a key to set takes the writer,
// and is looked up again there, so two callers cannot both be first.
func (s *Store) Once(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	now := time.Now()
	held := func(tx *bolt.Tx) bool {
		v := tx.Bucket(bRuns).Get([]byte(key))
		if v == nil {
			return false
		}
		until, err := time.Parse(time.RFC3339Nano, string(v))
		return err == nil && now.Before(until)
	}
	var found bool
	if err := s.db.View(func(tx *bolt.Tx) error { found = held(tx); return nil }); err != nil || found {
		return false, err
	}
	first := false
	err := s.db.Update(func(tx *bolt.Tx) error {
		if held(tx) {
			return nil
		}
		first = true
		return tx.Bucket(bRuns).Put([]byte(key), []byte(now.Add(ttl).UTC().Format(time.RFC3339Nano)))
	})
	return first, err
}
