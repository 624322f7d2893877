package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"vigil/scheduler"
)

// PutDayRoster implements scheduler.Store: SET NX, so the first roster stored for a day
// is kept, without expiry.
func (s *Store) PutDayRoster(ctx context.Context, r scheduler.DayRoster) (bool, error) {
	if _, err := scheduler.ParseDate(r.Date); err != nil {
		return false, fmt.Errorf("roster of %s: %w", r.Region, err)
	}
	data, err := json.Marshal(r)
	if err != nil {
		return false, err
	}
	ok, err := s.rdb.SetNX(ctx, s.k("roster", r.Region, r.Date), data, 0).Result()
	return ok, wrap(err)
}

// DayRoster implements scheduler.Store.
func (s *Store) DayRoster(ctx context.Context, region string, d scheduler.Date) (scheduler.DayRoster, error) {
	var r scheduler.DayRoster
	v, err := s.rdb.Get(ctx, s.k("roster", region, d.String())).Bytes()
	if errors.Is(err, redis.Nil) {
		return r, fmt.Errorf("roster of %s %s: %w", region, d, scheduler.ErrNotFound)
	}
	if err != nil {
		return r, wrap(err)
	}
	return r, json.Unmarshal(v, &r)
}

// ReplaceForce implements scheduler.Store with optimistic locking (WATCH on the forces),
// retried: the replaced force is pushed onto the region's history list, the new one set
// and what the change does to the day in progress (a change pushed onto its log, as
// AddChange does, or its stored roster replaced) written in one MULTI.
func (s *Store) ReplaceForce(ctx context.Context, f scheduler.RegionForce, at time.Time, day *scheduler.ForceDay) error {
	data, err := json.Marshal(f)
	if err != nil {
		return err
	}
	var dayKey string
	var dayData []byte
	if day != nil {
		if err := day.Check(f.Region); err != nil {
			return err
		}
		if day.Roster != nil {
			dayKey = s.k("roster", f.Region, day.Date.String())
			dayData, err = json.Marshal(day.Roster)
		} else {
			dayKey = s.k("changes", f.Region, day.Date.String())
			dayData, err = json.Marshal(day.Change)
		}
		if err != nil {
			return err
		}
	}
	key := s.k("force")
	err = s.watchRetry(ctx, func(tx *redis.Tx) error {
		var era []byte
		cur, err := tx.HGet(ctx, key, f.Region).Bytes()
		switch {
		case err == nil:
			var old scheduler.RegionForce
			if err := json.Unmarshal(cur, &old); err != nil {
				return fmt.Errorf("force of %s: %w", f.Region, err)
			}
			if era, err = json.Marshal(scheduler.ForceEra{Until: at.UTC(), Force: old}); err != nil {
				return err
			}
		case !errors.Is(err, redis.Nil):
			return err
		}
		return s.commitTx(ctx, tx, func(p redis.Pipeliner) {
			if era != nil {
				p.RPush(ctx, s.k("forcehistory", f.Region), era)
			}
			p.HSet(ctx, key, f.Region, data)
			switch {
			case day != nil && day.Roster != nil:
				p.Set(ctx, dayKey, dayData, 0)
			case day != nil:
				p.RPush(ctx, dayKey, dayData)
			}
			p.Incr(ctx, s.k("rev"))
		})
	}, key)
	if errors.Is(err, errContention) {
		return fmt.Errorf("replace force of %s: too much contention: %w", f.Region, scheduler.ErrUnavailable)
	}
	return wrap(err)
}

// ForceHistory implements scheduler.Store.
func (s *Store) ForceHistory(ctx context.Context, region string) ([]scheduler.ForceEra, error) {
	vs, err := s.rdb.LRange(ctx, s.k("forcehistory", region), 0, -1).Result()
	if err != nil {
		return nil, wrap(err)
	}
	out := make([]scheduler.ForceEra, 0, len(vs))
	for _, v := range vs {
		var e scheduler.ForceEra
		if err := json.Unmarshal([]byte(v), &e); err != nil {
			return nil, fmt.Errorf("force history of %s: %w", region, err)
		}
		out = append(out, e)
	}
	return out, nil
}

// DeleteMissionAt implements scheduler.Store with optimistic locking (WATCH on the
// missions), retried: the record is pushed onto its region's deleted list and removed in
// one MULTI.
func (s *Store) DeleteMissionAt(ctx context.Context, id string, at time.Time) error {
	key := s.k("missions")
	err := s.watchRetry(ctx, func(tx *redis.Tx) error {
		r, err := s.mission(ctx, tx, id)
		if err != nil {
			return err
		}
		t := at.UTC()
		r.Deleted = &t
		data, err := json.Marshal(r)
		if err != nil {
			return err
		}
		return s.commitTx(ctx, tx, func(p redis.Pipeliner) {
			p.RPush(ctx, s.k("deletedmissions", r.Mission.Region), data)
			p.HDel(ctx, key, id)
			p.Incr(ctx, s.k("rev"))
		})
	}, key)
	if errors.Is(err, errContention) {
		return fmt.Errorf("delete mission %q: too much contention: %w", id, scheduler.ErrUnavailable)
	}
	return wrap(err)
}

// DeletedMissions implements scheduler.Store.
func (s *Store) DeletedMissions(ctx context.Context, region string) ([]scheduler.MissionRecord, error) {
	vs, err := s.rdb.LRange(ctx, s.k("deletedmissions", region), 0, -1).Result()
	if err != nil {
		return nil, wrap(err)
	}
	out := make([]scheduler.MissionRecord, 0, len(vs))
	for _, v := range vs {
		var r scheduler.MissionRecord
		if err := json.Unmarshal([]byte(v), &r); err != nil {
			return nil, fmt.Errorf("deleted missions of %s: %w", region, err)
		}
		out = append(out, r)
	}
	return out, nil
}
