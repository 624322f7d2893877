package boltstore

import (
	"context"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"vigil/scheduler"
)

// bRosters holds the stored rosters: region/date → roster (JSON).
var bRosters = []byte("rosters")

// PutDayRoster implements scheduler.Store: the first roster stored for a day is kept. It
// does not change the revision: a stored roster only fixes what readers derived already.
func (s *Store) PutDayRoster(ctx context.Context, r scheduler.DayRoster) (bool, error) {
	d, err := scheduler.ParseDate(r.Date)
	if err != nil {
		return false, fmt.Errorf("roster of %s: %w", r.Region, err)
	}
	data, err := json.Marshal(r)
	if err != nil {
		return false, err
	}
	stored := false
	err = s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bRosters)
		if b.Get(dayKey(r.Region, d)) != nil {
			return nil
		}
		stored = true
		return b.Put(dayKey(r.Region, d), data)
	})
	return stored && err == nil, err
}

// DayRoster implements scheduler.Store.
func (s *Store) DayRoster(ctx context.Context, region string, d scheduler.Date) (scheduler.DayRoster, error) {
	var r scheduler.DayRoster
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bRosters).Get(dayKey(region, d))
		if v == nil {
			return fmt.Errorf("roster of %s %s: %w", region, d, scheduler.ErrNotFound)
		}
		return json.Unmarshal(v, &r)
	})
	return r, err
}
