// Package redisstore is Vigil's shared store for several replicas, on Redis through a
// go-redis client: one server, or a primary with replicas behind Sentinel (rediskit.Parse),
// where acknowledged writes wait for a replica (SetWait) so that a failover keeps them.
//
// Every key starts with the store's prefix, which holds one hash tag: the multi-key
// transactions (a write and the revision counter) need every key on one server. Redis
// Cluster is therefore not supported: it would put all the data on one shard.
package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/redis/go-redis/v9"

	"vigil/scheduler"
)

var _ scheduler.Store = (*Store)(nil)

// DefaultPrefix is the key prefix when none is given.
const DefaultPrefix = "{vigil}:"

// PlanTTL is how long a cached plan is kept; a miss only costs a re-generation.
const PlanTTL = 8 * 24 * time.Hour

// Store is a scheduler.Store on Redis.
type Store struct {
	rdb    redis.UniversalClient
	prefix string
	owns   bool

	waitReplicas int           // replicas that must hold an acknowledged write (SetWait)
	waitTimeout  time.Duration // how long a write waits for them

	// The calls of every request (an audited read asks whether its token is revoked, reads
	// the revision and writes its audit record), batched into round trips (rounds.go).
	revisions rounds[struct{}, string]
	revoked   rounds[string, bool]
	audits    rounds[[]byte, struct{}]
}

// New returns a store on a client the caller owns (Close leaves it open).
func New(rdb redis.UniversalClient, prefix string) *Store {
	if prefix == "" {
		prefix = DefaultPrefix
	}
	s := &Store{rdb: rdb, prefix: prefix}
	s.revisions.run = s.readRevision
	s.revoked.run = s.readRevoked
	s.audits.run = s.writeAudits
	return s
}

// Close closes the client if Open created it.
func (s *Store) Close() error {
	if s.owns {
		return s.rdb.Close()
	}
	return nil
}

func (s *Store) k(parts ...string) string {
	key := s.prefix
	for i, p := range parts {
		if i > 0 {
			key += ":"
		}
		key += p
	}
	return key
}

// wrap marks connection failures as ErrUnavailable; redis.Nil and domain errors pass.
func wrap(err error) error {
	if err == nil || errors.Is(err, redis.Nil) || errors.Is(err, scheduler.ErrNotFound) || errors.Is(err, scheduler.ErrConflict) || errors.Is(err, scheduler.ErrUnavailable) {
		return err
	}
	var rerr redis.Error
	if errors.As(err, &rerr) {
		return err
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	return fmt.Errorf("%w: %w", scheduler.ErrUnavailable, err)
}

// Seed implements scheduler.Store: the first replica to take the seeded flag writes.
func (s *Store) Seed(ctx context.Context, missions []scheduler.MissionRecord, forces []scheduler.RegionForce) (bool, error) {
	ok, err := s.rdb.SetNX(ctx, s.k("seeded"), "1", 0).Result()
	if err != nil || !ok {
		return false, wrap(err)
	}
	_, err = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		for _, m := range missions {
			data, err := json.Marshal(m)
			if err != nil {
				return err
			}
			p.HSet(ctx, s.k("missions"), m.Mission.ID, data)
		}
		for _, f := range forces {
			data, err := json.Marshal(f)
			if err != nil {
				return err
			}
			p.HSet(ctx, s.k("force"), f.Region, data)
		}
		p.Incr(ctx, s.k("rev"))
		return nil
	})
	if err != nil {
		s.rdb.Del(ctx, s.k("seeded"))
		return false, wrap(err)
	}
	return true, nil
}

// Missions implements scheduler.Store.
func (s *Store) Missions(ctx context.Context, region string) ([]scheduler.MissionRecord, error) {
	all, err := s.rdb.HGetAll(ctx, s.k("missions")).Result()
	if err != nil {
		return nil, wrap(err)
	}
	out := []scheduler.MissionRecord{}
	for id, v := range all {
		var r scheduler.MissionRecord
		if err := json.Unmarshal([]byte(v), &r); err != nil {
			return nil, fmt.Errorf("mission %s: %w", id, err)
		}
		if region == "" || r.Mission.Region == region {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Mission.ID < out[j].Mission.ID })
	return out, nil
}

// Revision returns a token that changes whenever missions, forces or change logs may have
// changed, whichever replica wrote them: every such write increments a counter key in the
// same transaction, so that readers may keep what they decoded while it stays the same.
// Concurrent calls share one GET, sent after each of them arrived.
func (s *Store) Revision(ctx context.Context) (string, error) {
	return s.revisions.do(struct{}{})
}

func (s *Store) readRevision(ctx context.Context, items []struct{}) ([]string, error) {
	v, err := s.rdb.Get(ctx, s.k("rev")).Result()
	if errors.Is(err, redis.Nil) {
		v, err = "0", nil
	}
	if err != nil {
		return nil, wrap(err)
	}
	out := make([]string, len(items))
	for i := range out {
		out[i] = v
	}
	return out, nil
}

// Mission implements scheduler.Store.
func (s *Store) Mission(ctx context.Context, id string) (scheduler.MissionRecord, error) {
	return s.mission(ctx, s.rdb, id)
}

func (s *Store) mission(ctx context.Context, c redis.Cmdable, id string) (scheduler.MissionRecord, error) {
	var r scheduler.MissionRecord
	v, err := c.HGet(ctx, s.k("missions"), id).Bytes()
	if errors.Is(err, redis.Nil) {
		return r, fmt.Errorf("mission %q: %w", id, scheduler.ErrNotFound)
	}
	if err != nil {
		return r, wrap(err)
	}
	return r, json.Unmarshal(v, &r)
}

// CreateMission implements scheduler.Store.
func (s *Store) CreateMission(ctx context.Context, r scheduler.MissionRecord) error {
	data, err := json.Marshal(r)
	if err != nil {
		return err
	}
	var set *redis.BoolCmd
	err = s.acked(ctx, func(c redis.Cmdable) error {
		_, err := c.TxPipelined(ctx, func(p redis.Pipeliner) error {
			set = p.HSetNX(ctx, s.k("missions"), r.Mission.ID, data)
			p.Incr(ctx, s.k("rev"))
			return nil
		})
		return err
	})
	if err != nil {
		return err
	}
	if !set.Val() {
		return fmt.Errorf("mission %q: %w", r.Mission.ID, scheduler.ErrConflict)
	}
	return nil
}

// UpdateMission implements scheduler.Store with optimistic locking (WATCH), retried.
func (s *Store) UpdateMission(ctx context.Context, id string, fn func(*scheduler.MissionRecord) error) (scheduler.MissionRecord, error) {
	key := s.k("missions")
	var out scheduler.MissionRecord
	var fnErr error
	err := s.watchRetry(ctx, func(tx *redis.Tx) error {
		r, err := s.mission(ctx, tx, id)
		if err != nil {
			return err
		}
		if fnErr = fn(&r); fnErr != nil {
			return fnErr
		}
		if r.Mission.ID != id {
			fnErr = fmt.Errorf("update of mission %q changed its id to %q", id, r.Mission.ID)
			return fnErr
		}
		data, err := json.Marshal(r)
		if err != nil {
			return err
		}
		out = r
		return s.commitTx(ctx, tx, func(p redis.Pipeliner) {
			p.HSet(ctx, key, id, data)
			p.Incr(ctx, s.k("rev"))
		})
	}, key)
	switch {
	case fnErr != nil:
		return scheduler.MissionRecord{}, fnErr
	case errors.Is(err, errContention):
		return scheduler.MissionRecord{}, fmt.Errorf("update of mission %q: too much contention", id)
	case err != nil:
		return scheduler.MissionRecord{}, wrap(err)
	}
	return out, nil
}

// errContention is watchRetry's answer when other writers kept changing the watched keys.
var errContention = errors.New("too much contention")

// watchAttempts bounds watchRetry: each failed attempt means another client wrote a
// watched key meanwhile, so many in a row means the keys are too hot to write this way.
const watchAttempts = 50

// watchRetry runs fn under WATCH on keys (optimistic locking), again while another
// client's write makes its transaction fail, and returns fn's error, Watch's, or
// errContention after watchAttempts failed transactions.
func (s *Store) watchRetry(ctx context.Context, fn func(*redis.Tx) error, keys ...string) error {
	for attempt := 0; attempt < watchAttempts; attempt++ {
		if err := s.rdb.Watch(ctx, fn, keys...); !errors.Is(err, redis.TxFailedErr) {
			return err
		}
	}
	return errContention
}

// commitTx writes fn's commands in one MULTI on the watched connection tx and waits there
// for the replicas (wait counts the writes of the connection it runs on).
func (s *Store) commitTx(ctx context.Context, tx *redis.Tx, fn func(redis.Pipeliner)) error {
	if _, err := tx.TxPipelined(ctx, func(p redis.Pipeliner) error { fn(p); return nil }); err != nil {
		return err
	}
	return s.wait(ctx, tx)
}

// DeleteMission implements scheduler.Store.
func (s *Store) DeleteMission(ctx context.Context, id string) error {
	var del *redis.IntCmd
	err := s.acked(ctx, func(c redis.Cmdable) error {
		_, err := c.TxPipelined(ctx, func(p redis.Pipeliner) error {
			del = p.HDel(ctx, s.k("missions"), id)
			p.Incr(ctx, s.k("rev"))
			return nil
		})
		return err
	})
	if err != nil {
		return err
	}
	if del.Val() == 0 {
		return fmt.Errorf("mission %q: %w", id, scheduler.ErrNotFound)
	}
	return nil
}

// Force implements scheduler.Store.
func (s *Store) Force(ctx context.Context, region string) (scheduler.RegionForce, error) {
	var f scheduler.RegionForce
	v, err := s.rdb.HGet(ctx, s.k("force"), region).Bytes()
	if errors.Is(err, redis.Nil) {
		return f, fmt.Errorf("force of region %q: %w", region, scheduler.ErrNotFound)
	}
	if err != nil {
		return f, wrap(err)
	}
	return f, json.Unmarshal(v, &f)
}

// Forces implements scheduler.Store.
func (s *Store) Forces(ctx context.Context) ([]scheduler.RegionForce, error) {
	all, err := s.rdb.HGetAll(ctx, s.k("force")).Result()
	if err != nil {
		return nil, wrap(err)
	}
	out := []scheduler.RegionForce{}
	for r, v := range all {
		var f scheduler.RegionForce
		if err := json.Unmarshal([]byte(v), &f); err != nil {
			return nil, fmt.Errorf("force %s: %w", r, err)
		}
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Region < out[j].Region })
	return out, nil
}

// PutForce implements scheduler.Store.
func (s *Store) PutForce(ctx context.Context, f scheduler.RegionForce) error {
	data, err := json.Marshal(f)
	if err != nil {
		return err
	}
	return s.acked(ctx, func(c redis.Cmdable) error {
		_, err := c.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.HSet(ctx, s.k("force"), f.Region, data)
			p.Incr(ctx, s.k("rev"))
			return nil
		})
		return err
	})
}

// Changes implements scheduler.Store.
func (s *Store) Changes(ctx context.Context, region string, d scheduler.Date) ([]scheduler.Change, error) {
	vs, err := s.rdb.LRange(ctx, s.k("changes", region, d.String()), 0, -1).Result()
	if err != nil {
		return nil, wrap(err)
	}
	out := make([]scheduler.Change, 0, len(vs))
	for _, v := range vs {
		var c scheduler.Change
		if err := json.Unmarshal([]byte(v), &c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	scheduler.SortChanges(out)
	return out, nil
}

// AddChange implements scheduler.Store.
func (s *Store) AddChange(ctx context.Context, region string, d scheduler.Date, c scheduler.Change) error {
	data, err := json.Marshal(c)
	if err != nil {
		return err
	}
	return s.acked(ctx, func(c redis.Cmdable) error {
		_, err := c.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.RPush(ctx, s.k("changes", region, d.String()), data)
			p.Incr(ctx, s.k("rev"))
			return nil
		})
		return err
	})
}

// CachedPlan implements scheduler.Store.
func (s *Store) CachedPlan(ctx context.Context, region string, d scheduler.Date, version string) ([]byte, error) {
	v, err := s.rdb.Get(ctx, s.k("plan", region, d.String(), version)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("plan %s %s %s: %w", region, d, version, scheduler.ErrNotFound)
	}
	return v, wrap(err)
}

// CachePlan implements scheduler.Store; entries expire after PlanTTL.
func (s *Store) CachePlan(ctx context.Context, region string, d scheduler.Date, version string, plan []byte) error {
	return wrap(s.rdb.Set(ctx, s.k("plan", region, d.String(), version), plan, PlanTTL).Err())
}

// Audit implements scheduler.Store.
func (s *Store) Audit(ctx context.Context, r scheduler.AuditRecord) error {
	data, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = s.audits.do(data)
	return err
}

// writeAudits appends a round of audit records with one RPUSH, in their order.
func (s *Store) writeAudits(ctx context.Context, items [][]byte) ([]struct{}, error) {
	vals := make([]any, len(items))
	for i, d := range items {
		vals[i] = d
	}
	if err := s.acked(ctx, func(c redis.Cmdable) error { return c.RPush(ctx, s.k("audit"), vals...).Err() }); err != nil {
		return nil, err
	}
	return make([]struct{}, len(items)), nil
}

// AuditLog implements scheduler.Store.
func (s *Store) AuditLog(ctx context.Context, since time.Time, limit int) ([]scheduler.AuditRecord, error) {
	out := []scheduler.AuditRecord{}
	const page = 1000
	for start := int64(0); len(out) < limit; start += page {
		vs, err := s.rdb.LRange(ctx, s.k("audit"), start, start+page-1).Result()
		if err != nil {
			return nil, wrap(err)
		}
		for _, v := range vs {
			var r scheduler.AuditRecord
			if err := json.Unmarshal([]byte(v), &r); err != nil {
				return nil, err
			}
			if !r.At.Before(since) && len(out) < limit {
				out = append(out, r)
			}
		}
		if len(vs) < page {
			break
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out, nil
}

// Revoke implements scheduler.Store; the key expires with the token.
func (s *Store) Revoke(ctx context.Context, jti string, until time.Time) error {
	if jti == "" {
		return errors.New("revoke: empty token id")
	}
	key := s.k("revoked", jti)
	return s.acked(ctx, func(c redis.Cmdable) error {
		if err := c.Set(ctx, key, "1", 0).Err(); err != nil {
			return err
		}
		return c.ExpireAt(ctx, key, until.Add(time.Minute)).Err()
	})
}

// Revoked implements scheduler.Store.
// Concurrent calls share one pipeline of EXISTS.
func (s *Store) Revoked(ctx context.Context, jti string) (bool, error) {
	return s.revoked.do(jti)
}

func (s *Store) readRevoked(ctx context.Context, jtis []string) ([]bool, error) {
	cmds := make([]*redis.IntCmd, len(jtis))
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, jti := range jtis {
			cmds[i] = p.Exists(ctx, s.k("revoked", jti))
		}
		return nil
	})
	if err != nil {
		return nil, wrap(err)
	}
	out := make([]bool, len(jtis))
	for i, c := range cmds {
		out[i] = c.Val() > 0
	}
	return out, nil
}
