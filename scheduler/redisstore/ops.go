package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/redis/go-redis/v9"

	"vigil/scheduler"
)

// AddCheckIn implements scheduler.Store: one RPUSH, acknowledged by Redis (durable as
// far as its appendfsync setting goes, DESIGN.md §6) and by the replicas SetWait asks for.
func (s *Store) AddCheckIn(ctx context.Context, c scheduler.CheckIn) error {
	data, err := json.Marshal(c)
	if err != nil {
		return err
	}
	return s.acked(ctx, func(r redis.Cmdable) error { return r.RPush(ctx, s.k("checkins", c.Region, c.Date), data).Err() })
}

// CheckIns implements scheduler.Store.
func (s *Store) CheckIns(ctx context.Context, region string, d scheduler.Date) ([]scheduler.CheckIn, error) {
	vs, err := s.rdb.LRange(ctx, s.k("checkins", region, d.String()), 0, -1).Result()
	if err != nil {
		return nil, wrap(err)
	}
	out := make([]scheduler.CheckIn, 0, len(vs))
	for _, v := range vs {
		var c scheduler.CheckIn
		if err := json.Unmarshal([]byte(v), &c); err != nil {
			return nil, fmt.Errorf("check-in of %s %s: %w", region, d, err)
		}
		out = append(out, c)
	}
	return out, nil
}

// PutFeedToken implements scheduler.Store (one transaction: the old token goes with it).
func (s *Store) PutFeedToken(ctx context.Context, officer, hash string) error {
	old, err := s.rdb.HGet(ctx, s.k("feed-of"), officer).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return wrap(err)
	}
	return s.acked(ctx, func(c redis.Cmdable) error {
		_, err := c.TxPipelined(ctx, func(p redis.Pipeliner) error {
			if old != "" {
				p.HDel(ctx, s.k("feeds"), old)
			}
			p.HSet(ctx, s.k("feeds"), hash, officer)
			p.HSet(ctx, s.k("feed-of"), officer, hash)
			return nil
		})
		return err
	})
}

// FeedOfficer implements scheduler.Store.
func (s *Store) FeedOfficer(ctx context.Context, hash string) (string, error) {
	v, err := s.rdb.HGet(ctx, s.k("feeds"), hash).Result()
	if errors.Is(err, redis.Nil) {
		return "", fmt.Errorf("calendar feed token: %w", scheduler.ErrNotFound)
	}
	return v, wrap(err)
}

// RevokeFeedToken implements scheduler.Store.
func (s *Store) RevokeFeedToken(ctx context.Context, officer string) error {
	old, err := s.rdb.HGet(ctx, s.k("feed-of"), officer).Result()
	if errors.Is(err, redis.Nil) {
		return nil
	}
	if err != nil {
		return wrap(err)
	}
	return s.acked(ctx, func(c redis.Cmdable) error {
		_, err := c.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.HDel(ctx, s.k("feeds"), old)
			p.HDel(ctx, s.k("feed-of"), officer)
			return nil
		})
		return err
	})
}

// AppendEvent implements scheduler.Store on a Redis Stream per region (XADD with MAXLEN),
// so every replica's clients read the same events; IDs are the stream's entry IDs.
func (s *Store) AppendEvent(ctx context.Context, e scheduler.Event, keep int) (scheduler.Event, error) {
	e.ID = ""
	data, err := json.Marshal(e)
	if err != nil {
		return e, err
	}
	id, err := s.rdb.XAdd(ctx, &redis.XAddArgs{
		Stream: s.k("events", e.Region), MaxLen: int64(keep), Values: []any{"e", data},
	}).Result()
	if err != nil {
		return e, wrap(err)
	}
	e.ID = id
	return e, nil
}

var streamID = regexp.MustCompile(`^[0-9]+-[0-9]+$`)

// Events implements scheduler.Store.
func (s *Store) Events(ctx context.Context, region, after string, limit int) ([]scheduler.Event, error) {
	start := "-"
	if streamID.MatchString(after) {
		start = "(" + after
	}
	msgs, err := s.rdb.XRangeN(ctx, s.k("events", region), start, "+", int64(limit)).Result()
	if err != nil {
		return nil, wrap(err)
	}
	out := make([]scheduler.Event, 0, len(msgs))
	for _, m := range msgs {
		v, _ := m.Values["e"].(string)
		var e scheduler.Event
		if err := json.Unmarshal([]byte(v), &e); err != nil {
			return nil, fmt.Errorf("event %s of %s: %w", m.ID, region, err)
		}
		e.ID = m.ID
		out = append(out, e)
	}
	return out, nil
}

// Once implements scheduler.Store with SET NX and an expiry.
func (s *Store) Once(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	ok, err := s.rdb.SetNX(ctx, s.k("once", key), "1", ttl).Result()
	return ok, wrap(err)
}
