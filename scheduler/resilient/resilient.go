// Package resilient keeps a replica serving through an outage of its shared store
// (DESIGN.md §6). Store is a decorator around a scheduler.Store: it remembers the inputs
// (missions, forces), the change logs and the token revocations it last read or wrote,
// and answers reads from them when the store returns scheduler.ErrUnavailable, so the
// replica keeps regenerating plans and refusing revoked tokens. Writes that cannot be
// stored still fail with ErrUnavailable; audit records are queued on local disk instead
// and flushed, in order, when the store answers again.
package resilient

import (
	"context"
	"errors"
	"log/slog"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"vigil/scheduler"
)

var _ scheduler.Store = (*Store)(nil)

// Options configure a Store.
type Options struct {
	// QueueFile is the audit queue's file (required): an append-only file of JSON lines on
	// local disk, one per replica.
	QueueFile string
	// Logger receives outage and recovery messages; nil discards them.
	Logger *slog.Logger
	// Interval is how often the store is probed during an outage and the audit queue
	// flushed (default 1s).
	Interval time.Duration
	// Now is the clock; nil means the wall clock.
	Now func() time.Time
}

// Outage describes the state of the store behind a Store.
type Outage struct {
	// Down is true while the store is unreachable.
	Down bool `json:"down"`
	// Since is when the outage began (zero when up).
	Since time.Time `json:"since,omitzero"`
	// QueuedAudit is the number of audit records waiting on local disk.
	QueuedAudit int `json:"queued_audit"`
}

// Store is a scheduler.Store decorator that serves reads from memory and queues audit
// records on disk while the store it wraps is unavailable. Methods it does not override
// (added to scheduler.Store later) pass straight through to the wrapped store.
type Store struct {
	scheduler.Store

	log      *slog.Logger
	now      func() time.Time
	interval time.Duration
	queue    *auditQueue

	down      atomic.Bool
	since     atomic.Int64 // unix nanoseconds of the outage's start
	lastProbe atomic.Int64 // unix nanoseconds of the last read sent while down

	mu           sync.RWMutex
	missions     map[string]scheduler.MissionRecord // by id
	regionsKnown map[string]bool                    // regions whose full list was read; "" = all
	forces       map[string]scheduler.RegionForce
	forcesKnown  bool // the full list of forces was read
	changes      map[string][]scheduler.Change
	changeOrder  []string
	revoked      map[string]time.Time // jti → until; false answers are not remembered
	// deleted and history remember each region's last DeletedMissions and ForceHistory
	// answers: every plan of a day reads them, so an outage must not stop the reads.
	deleted map[string][]scheduler.MissionRecord
	history map[string][]scheduler.ForceEra

	kick chan struct{}
	stop chan struct{}
	done chan struct{}
}

// revokedMemory is how long a revocation read from the store is remembered: the longest
// token lifetime, after which the token is refused anyway.
const revokedMemory = 90 * 24 * time.Hour

// maxChangeLogs bounds how many service days' change logs are remembered.
const maxChangeLogs = 4096

// probeEvery is how often, during an outage, a read still tries the store before it is
// answered from memory, so that reads stay fast while the store is down.
const probeEvery = 200 * time.Millisecond

// New wraps inner. It opens the audit queue (refusing a file another process holds) and
// starts the goroutine that probes the store during an outage and flushes the queue;
// Close stops it and closes inner.
func New(inner scheduler.Store, opt Options) (*Store, error) {
	q, err := openQueue(opt.QueueFile)
	if err != nil {
		return nil, err
	}
	s := &Store{
		Store: inner, log: opt.Logger, now: opt.Now, interval: opt.Interval, queue: q,
		missions: map[string]scheduler.MissionRecord{}, regionsKnown: map[string]bool{},
		forces: map[string]scheduler.RegionForce{}, changes: map[string][]scheduler.Change{},
		revoked: map[string]time.Time{},
		deleted: map[string][]scheduler.MissionRecord{}, history: map[string][]scheduler.ForceEra{},
		kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{}),
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.interval <= 0 {
		s.interval = time.Second
	}
	if n := q.len(); n > 0 {
		s.log.Info("audit records queued from an earlier run will be flushed", "queued", n)
	}
	go s.loop()
	return s, nil
}

// Prime reads every mission and force, so that the replica can serve plans even if the
// store fails before the first request.
func (s *Store) Prime(ctx context.Context) error {
	if _, err := s.Forces(ctx); err != nil {
		return err
	}
	_, err := s.Missions(ctx, "")
	return err
}

// Outage reports the state of the wrapped store and the audit queue.
func (s *Store) Outage() Outage {
	o := Outage{Down: s.down.Load(), QueuedAudit: s.queue.len()}
	if o.Down {
		o.Since = time.Unix(0, s.since.Load())
	}
	return o
}

// Close stops the background flusher, tries a last flush and closes the queue and the
// wrapped store. Records still queued stay on disk for the next start.
func (s *Store) Close() error {
	close(s.stop)
	<-s.done
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	s.flush(ctx)
	return errors.Join(s.queue.close(), s.Store.Close())
}

// observe records the outcome of a call to the wrapped store and reports whether the
// store was unavailable.
func (s *Store) observe(err error) bool {
	if errors.Is(err, scheduler.ErrUnavailable) {
		if s.down.CompareAndSwap(false, true) {
			s.since.Store(s.now().UnixNano())
			s.log.Warn("store unavailable: serving reads from memory, queueing audit records", "err", err)
		}
		return true
	}
	if err == nil || errors.Is(err, scheduler.ErrNotFound) || errors.Is(err, scheduler.ErrConflict) {
		if s.down.CompareAndSwap(true, false) {
			s.log.Info("store available again", "outage", s.now().Sub(time.Unix(0, s.since.Load())).String(), "queued_audit", s.queue.len())
		}
		if s.queue.len() > 0 {
			select {
			case s.kick <- struct{}{}:
			default:
			}
		}
	}
	return false
}

// skip reports whether a read should be answered from memory without asking the store:
// only during an outage, between probes.
func (s *Store) skip() bool {
	if !s.down.Load() {
		return false
	}
	now := s.now().UnixNano()
	last := s.lastProbe.Load()
	if now-last >= int64(probeEvery) && s.lastProbe.CompareAndSwap(last, now) {
		return false
	}
	return true
}

// unavailable is the error of a read that memory cannot answer during an outage.
func unavailable(what string) error {
	return errors.Join(scheduler.ErrUnavailable, errors.New(what+" is not held in memory during the store outage"))
}

func (s *Store) loop() {
	defer close(s.done)
	t := time.NewTicker(s.interval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
		case <-s.kick:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*s.interval+5*time.Second)
		if s.down.Load() {
			// Probe, refreshing what is held.
			_, err := s.Store.Forces(ctx)
			if !s.observe(err) && err == nil {
				s.Prime(ctx)
			}
		}
		if !s.down.Load() {
			s.flush(ctx)
		}
		cancel()
	}
}

// flush sends queued audit records to the store, oldest first, until the queue is empty
// or the store fails. A record is removed from the disk only after the store took it; a
// crash between the two sends it again (at least once, never lost).
func (s *Store) flush(ctx context.Context) {
	for {
		batch := s.queue.head(100)
		if len(batch) == 0 {
			return
		}
		n := 0
		var err error
		for _, r := range batch {
			if err = s.Store.Audit(ctx, r); err != nil {
				break
			}
			n++
		}
		if n > 0 {
			if derr := s.queue.drop(n); derr != nil {
				s.log.Error("audit queue rewrite failed", "err", derr)
				return
			}
		}
		if err != nil {
			s.observe(err)
			if !errors.Is(err, scheduler.ErrUnavailable) {
				s.log.Error("queued audit record refused by the store", "err", err)
			}
			return
		}
		if s.queue.len() == 0 {
			s.log.Info("audit queue flushed")
		}
	}
}

// Audit implements scheduler.Store: a record the store cannot take now is queued on
// local disk (synced before Audit returns) and flushed later, never dropped. While
// records wait, new ones queue behind them to keep their order.
func (s *Store) Audit(ctx context.Context, r scheduler.AuditRecord) error {
	if s.queue.len() == 0 && !s.down.Load() {
		err := s.Store.Audit(ctx, r)
		if !s.observe(err) {
			return err
		}
	}
	if err := s.queue.add(r); err != nil {
		return errors.Join(scheduler.ErrUnavailable, err)
	}
	select {
	case s.kick <- struct{}{}:
	default:
	}
	return nil
}

// Missions implements scheduler.Store.
func (s *Store) Missions(ctx context.Context, region string) ([]scheduler.MissionRecord, error) {
	if !s.skip() {
		recs, err := s.Store.Missions(ctx, region)
		if !s.observe(err) {
			if err == nil {
				s.mu.Lock()
				for id, r := range s.missions {
					if region == "" || r.Mission.Region == region {
						delete(s.missions, id)
					}
				}
				for _, r := range recs {
					s.missions[r.Mission.ID] = r
				}
				s.regionsKnown[region] = true
				s.mu.Unlock()
			}
			return recs, err
		}
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if !s.regionsKnown[region] && !s.regionsKnown[""] {
		return nil, unavailable("the missions of region " + region)
	}
	out := []scheduler.MissionRecord{}
	for _, r := range s.missions {
		if region == "" || r.Mission.Region == region {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Mission.ID < out[j].Mission.ID })
	return out, nil
}

// Mission implements scheduler.Store.
func (s *Store) Mission(ctx context.Context, id string) (scheduler.MissionRecord, error) {
	if !s.skip() {
		r, err := s.Store.Mission(ctx, id)
		if !s.observe(err) {
			s.mu.Lock()
			if err == nil {
				s.missions[id] = r
			} else if errors.Is(err, scheduler.ErrNotFound) {
				delete(s.missions, id)
			}
			s.mu.Unlock()
			return r, err
		}
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if r, ok := s.missions[id]; ok {
		return r, nil
	}
	if s.regionsKnown[""] {
		return scheduler.MissionRecord{}, errors.Join(scheduler.ErrNotFound, errors.New("mission "+id))
	}
	return scheduler.MissionRecord{}, unavailable("mission " + id)
}

// CreateMission implements scheduler.Store.
func (s *Store) CreateMission(ctx context.Context, r scheduler.MissionRecord) error {
	err := s.Store.CreateMission(ctx, r)
	if !s.observe(err) && err == nil {
		s.mu.Lock()
		s.missions[r.Mission.ID] = r
		s.mu.Unlock()
	}
	return err
}

// UpdateMission implements scheduler.Store.
func (s *Store) UpdateMission(ctx context.Context, id string, fn func(*scheduler.MissionRecord) error) (scheduler.MissionRecord, error) {
	r, err := s.Store.UpdateMission(ctx, id, fn)
	if !s.observe(err) && err == nil {
		s.mu.Lock()
		s.missions[id] = r
		s.mu.Unlock()
	}
	return r, err
}

// DeleteMission implements scheduler.Store.
func (s *Store) DeleteMission(ctx context.Context, id string) error {
	err := s.Store.DeleteMission(ctx, id)
	if !s.observe(err) && (err == nil || errors.Is(err, scheduler.ErrNotFound)) {
		s.mu.Lock()
		delete(s.missions, id)
		s.mu.Unlock()
	}
	return err
}

// DeleteMissionAt implements scheduler.Store, forgetting the mission as DeleteMission does
// and the deleted missions remembered (the next read fetches them with this one).
func (s *Store) DeleteMissionAt(ctx context.Context, id string, at time.Time) error {
	err := s.Store.DeleteMissionAt(ctx, id, at)
	if !s.observe(err) && (err == nil || errors.Is(err, scheduler.ErrNotFound)) {
		s.mu.Lock()
		delete(s.missions, id)
		clear(s.deleted)
		s.mu.Unlock()
	}
	return err
}

// DeletedMissions implements scheduler.Store; during an outage it answers what it last
// read for the region.
func (s *Store) DeletedMissions(ctx context.Context, region string) ([]scheduler.MissionRecord, error) {
	return readRemembered(s, s.deleted, region, "the deleted missions of region "+region, func() ([]scheduler.MissionRecord, error) {
		return s.Store.DeletedMissions(ctx, region)
	})
}

// ForceHistory implements scheduler.Store; during an outage it answers what it last read
// for the region.
func (s *Store) ForceHistory(ctx context.Context, region string) ([]scheduler.ForceEra, error) {
	return readRemembered(s, s.history, region, "the force history of region "+region, func() ([]scheduler.ForceEra, error) {
		return s.Store.ForceHistory(ctx, region)
	})
}

// readRemembered reads through to the store and remembers the answer under key in m;
// while the store is down it answers what m holds, or ErrUnavailable naming what.
func readRemembered[T any](s *Store, m map[string]T, key, what string, read func() (T, error)) (T, error) {
	if !s.skip() {
		v, err := read()
		if !s.observe(err) {
			if err == nil {
				s.mu.Lock()
				m[key] = v
				s.mu.Unlock()
			}
			return v, err
		}
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if v, ok := m[key]; ok {
		return v, nil
	}
	var zero T
	return zero, unavailable(what)
}

// Revision returns the wrapped store's revision token (see boltstore.Store.Revision),
// for readers that keep what they decoded while it stays the same. During an outage, or
// when the wrapped store has none, it returns an error, and such readers read through the
// store (here: from memory) instead.
func (s *Store) Revision(ctx context.Context) (string, error) {
	r, ok := s.Store.(interface {
		Revision(context.Context) (string, error)
	})
	if !ok {
		return "", errors.New("the wrapped store keeps no revision")
	}
	if s.skip() {
		return "", unavailable("the store's revision")
	}
	v, err := r.Revision(ctx)
	s.observe(err)
	return v, err
}

// Force implements scheduler.Store.
func (s *Store) Force(ctx context.Context, region string) (scheduler.RegionForce, error) {
	if !s.skip() {
		f, err := s.Store.Force(ctx, region)
		if !s.observe(err) {
			s.mu.Lock()
			if err == nil {
				s.forces[region] = f
			} else if errors.Is(err, scheduler.ErrNotFound) {
				delete(s.forces, region)
			}
			s.mu.Unlock()
			return f, err
		}
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if f, ok := s.forces[region]; ok {
		return f, nil
	}
	if s.forcesKnown {
		return scheduler.RegionForce{}, errors.Join(scheduler.ErrNotFound, errors.New("force of region "+region))
	}
	return scheduler.RegionForce{}, unavailable("the force of region " + region)
}

// Forces implements scheduler.Store.
func (s *Store) Forces(ctx context.Context) ([]scheduler.RegionForce, error) {
	if !s.skip() {
		fs, err := s.Store.Forces(ctx)
		if !s.observe(err) {
			if err == nil {
				s.mu.Lock()
				clear(s.forces)
				for _, f := range fs {
					s.forces[f.Region] = f
				}
				s.forcesKnown = true
				s.mu.Unlock()
			}
			return fs, err
		}
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if !s.forcesKnown {
		return nil, unavailable("the list of forces")
	}
	out := make([]scheduler.RegionForce, 0, len(s.forces))
	for _, f := range s.forces {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Region < out[j].Region })
	return out, nil
}

// PutForce implements scheduler.Store.
func (s *Store) PutForce(ctx context.Context, f scheduler.RegionForce) error {
	err := s.Store.PutForce(ctx, f)
	if !s.observe(err) && err == nil {
		s.mu.Lock()
		s.forces[f.Region] = f
		s.mu.Unlock()
	}
	return err
}

// ReplaceForce implements scheduler.Store, remembering the new force as PutForce does
// and the change it logs in the day in progress as AddChange does.
func (s *Store) ReplaceForce(ctx context.Context, f scheduler.RegionForce, at time.Time, day *scheduler.ForceDay) error {
	err := s.Store.ReplaceForce(ctx, f, at, day)
	if !s.observe(err) && err == nil {
		s.mu.Lock()
		s.forces[f.Region] = f
		delete(s.history, f.Region) // grew by the force replaced
		if day != nil && day.Change != nil {
			s.rememberChange(f.Region, day.Date, *day.Change)
		}
		s.mu.Unlock()
		// Read the history again now, while the store answers, so an outage right after
		// the change still finds it in memory; a failed read leaves none remembered.
		_, _ = s.ForceHistory(ctx, f.Region)
	}
	return err
}

func changeKey(region string, d scheduler.Date) string { return region + "/" + d.String() }

// putChanges remembers a change log; s.mu must be held.
func (s *Store) putChanges(key string, cs []scheduler.Change) {
	if _, ok := s.changes[key]; !ok {
		if len(s.changeOrder) >= maxChangeLogs {
			delete(s.changes, s.changeOrder[0])
			s.changeOrder = s.changeOrder[1:]
		}
		s.changeOrder = append(s.changeOrder, key)
	}
	s.changes[key] = cs
}

// Changes implements scheduler.Store.
func (s *Store) Changes(ctx context.Context, region string, d scheduler.Date) ([]scheduler.Change, error) {
	key := changeKey(region, d)
	if !s.skip() {
		cs, err := s.Store.Changes(ctx, region, d)
		if !s.observe(err) {
			if err == nil {
				s.mu.Lock()
				s.putChanges(key, append([]scheduler.Change{}, cs...))
				s.mu.Unlock()
			}
			return cs, err
		}
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	cs, ok := s.changes[key]
	if !ok {
		return nil, unavailable("the change log of " + region + " " + d.String())
	}
	return append([]scheduler.Change{}, cs...), nil
}

// AddChange implements scheduler.Store.
func (s *Store) AddChange(ctx context.Context, region string, d scheduler.Date, c scheduler.Change) error {
	err := s.Store.AddChange(ctx, region, d, c)
	if !s.observe(err) && err == nil {
		s.mu.Lock()
		s.rememberChange(region, d, c)
		s.mu.Unlock()
	}
	return err
}

// rememberChange adds c to the remembered change log of a region's date, if one is
// remembered; s.mu must be held.
func (s *Store) rememberChange(region string, d scheduler.Date, c scheduler.Change) {
	key := changeKey(region, d)
	if cs, ok := s.changes[key]; ok {
		cs = append(append([]scheduler.Change{}, cs...), c)
		scheduler.SortChanges(cs)
		s.changes[key] = cs
	}
}

// CachedPlan implements scheduler.Store; during an outage it fails fast (the caller
// regenerates the plan).
func (s *Store) CachedPlan(ctx context.Context, region string, d scheduler.Date, version string) ([]byte, error) {
	if s.down.Load() {
		return nil, unavailable("the plan cache")
	}
	p, err := s.Store.CachedPlan(ctx, region, d, version)
	s.observe(err)
	return p, err
}

// CachePlan implements scheduler.Store; during an outage it fails fast.
func (s *Store) CachePlan(ctx context.Context, region string, d scheduler.Date, version string, plan []byte) error {
	if s.down.Load() {
		return unavailable("the plan cache")
	}
	err := s.Store.CachePlan(ctx, region, d, version, plan)
	s.observe(err)
	return err
}

// Revoke implements scheduler.Store.
func (s *Store) Revoke(ctx context.Context, jti string, until time.Time) error {
	err := s.Store.Revoke(ctx, jti, until)
	if !s.observe(err) && err == nil {
		s.mu.Lock()
		s.revoked[jti] = until
		s.mu.Unlock()
	}
	return err
}

// Revoked implements scheduler.Store. During an outage a token this replica has seen
// revoked is still refused; a revocation it never read cannot be known.
func (s *Store) Revoked(ctx context.Context, jti string) (bool, error) {
	if !s.skip() {
		ok, err := s.Store.Revoked(ctx, jti)
		if !s.observe(err) {
			if err == nil {
				s.mu.Lock()
				if ok {
					s.revoked[jti] = s.now().Add(revokedMemory)
				} else {
					delete(s.revoked, jti)
				}
				s.pruneRevoked()
				s.mu.Unlock()
			}
			return ok, err
		}
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	until, ok := s.revoked[jti]
	return ok && s.now().Before(until), nil
}

// pruneRevoked forgets expired revocations once the map grows; s.mu must be held.
func (s *Store) pruneRevoked() {
	if len(s.revoked) < 10000 {
		return
	}
	now := s.now()
	for k, until := range s.revoked {
		if !now.Before(until) {
			delete(s.revoked, k)
		}
	}
}
