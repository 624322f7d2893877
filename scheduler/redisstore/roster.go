package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

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
