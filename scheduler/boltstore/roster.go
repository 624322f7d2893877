package boltstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"vigil/scheduler"
)

var (
	// bRosters holds the stored rosters: region/date → roster (JSON).
	bRosters = []byte("rosters")
	// bForceHistory holds a bucket per region: sequence → the ForceEra a change replaced.
	bForceHistory = []byte("forcehistory")
	// bDeletedMissions holds a bucket per region: sequence → a deleted mission's record.
	bDeletedMissions = []byte("deletedmissions")
)

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

// ReplaceForce implements scheduler.Store: the force replaced, the new one and what the
// change does to the day in progress are written in one transaction.
func (s *Store) ReplaceForce(ctx context.Context, f scheduler.RegionForce, at time.Time, day *scheduler.ForceDay) error {
	if day != nil {
		if err := day.Check(f.Region); err != nil {
			return err
		}
	}
	return s.update(func(tx *bolt.Tx) error {
		if err := putForceDay(tx, f.Region, day); err != nil {
			return err
		}
		if cur := tx.Bucket(bForce).Get([]byte(f.Region)); cur != nil {
			var old scheduler.RegionForce
			if err := json.Unmarshal(cur, &old); err != nil {
				return fmt.Errorf("force of %s: %w", f.Region, err)
			}
			h, err := tx.Bucket(bForceHistory).CreateBucketIfNotExists([]byte(f.Region))
			if err != nil {
				return err
			}
			seq, err := h.NextSequence()
			if err != nil {
				return fmt.Errorf("force history of %s: %w", f.Region, err)
			}
			data, err := json.Marshal(scheduler.ForceEra{Until: at.UTC(), Force: old})
			if err != nil {
				return err
			}
			if err := h.Put(u64(seq), data); err != nil {
				return err
			}
		}
		return putJSON(tx.Bucket(bForce), f.Region, f)
	})
}

// putForceDay writes what a force change does to the day in progress (nil: nothing) in
// tx: a change appended to its log, as AddChange does, or its stored roster replaced.
func putForceDay(tx *bolt.Tx, region string, day *scheduler.ForceDay) error {
	switch {
	case day == nil:
		return nil
	case day.Roster != nil:
		data, err := json.Marshal(day.Roster)
		if err != nil {
			return err
		}
		return tx.Bucket(bRosters).Put(dayKey(region, day.Date), data)
	}
	return addChange(tx, region, day.Date, *day.Change)
}

// ForceHistory implements scheduler.Store.
func (s *Store) ForceHistory(ctx context.Context, region string) ([]scheduler.ForceEra, error) {
	out := []scheduler.ForceEra{}
	err := s.db.View(func(tx *bolt.Tx) error {
		h := tx.Bucket(bForceHistory).Bucket([]byte(region))
		if h == nil {
			return nil
		}
		return h.ForEach(func(k, v []byte) error {
			var e scheduler.ForceEra
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("force history of %s: %w", region, err)
			}
			out = append(out, e)
			return nil
		})
	})
	return out, err
}

// DeleteMissionAt implements scheduler.Store: the mission is removed and its record kept
// among the deleted in one transaction.
func (s *Store) DeleteMissionAt(ctx context.Context, id string, at time.Time) error {
	return s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bMissions)
		v := b.Get([]byte(id))
		if v == nil {
			return fmt.Errorf("mission %q: %w", id, scheduler.ErrNotFound)
		}
		var r scheduler.MissionRecord
		if err := json.Unmarshal(v, &r); err != nil {
			return fmt.Errorf("mission %q: %w", id, err)
		}
		t := at.UTC()
		r.Deleted = &t
		h, err := tx.Bucket(bDeletedMissions).CreateBucketIfNotExists([]byte(r.Mission.Region))
		if err != nil {
			return err
		}
		seq, err := h.NextSequence()
		if err != nil {
			return fmt.Errorf("deleted missions of %s: %w", r.Mission.Region, err)
		}
		data, err := json.Marshal(r)
		if err != nil {
			return err
		}
		if err := h.Put(u64(seq), data); err != nil {
			return err
		}
		return b.Delete([]byte(id))
	})
}

// DeletedMissions implements scheduler.Store.
func (s *Store) DeletedMissions(ctx context.Context, region string) ([]scheduler.MissionRecord, error) {
	out := []scheduler.MissionRecord{}
	err := s.db.View(func(tx *bolt.Tx) error {
		h := tx.Bucket(bDeletedMissions).Bucket([]byte(region))
		if h == nil {
			return nil
		}
		return h.ForEach(func(k, v []byte) error {
			var r scheduler.MissionRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("deleted missions of %s: %w", region, err)
			}
			out = append(out, r)
			return nil
		})
	})
	return out, err
}
