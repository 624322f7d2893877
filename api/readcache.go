package api

import (
	"context"
	"maps"
	"slices"
	"sync"
	"time"

	"vigil/scheduler"
)

// The hot reads (an officer's assignments, a region's plan) need a region's force, its
// missions and a day's change log, decoded. Decoding them from the store on every request
// cost most of a request; they are kept here instead, for as long as the store's revision
// token stays the same. Stores that have one (boltstore, redisstore, resilient) change it
// whenever missions, forces or change logs may have changed, on any replica; for other
// stores, or when the token cannot be read, every read goes to the store as before.

// revisioner is a store with a revision token (boltstore.Store.Revision).
type revisioner interface {
	Revision(ctx context.Context) (string, error)
}

// readGen is what was decoded from the store at one revision. Everything in it is shared
// between requests and must not be modified.
type readGen struct {
	rev      string
	mu       sync.Mutex
	forces   map[string]scheduler.RegionForce
	missions map[string][]scheduler.MissionRecord
	days     map[string]*dayEntry
	duty     map[string]scheduler.DayDuty
	views    map[string]*officerViews // by officer and service date (officerView)
}

// officerViews are the JSON answers of one officer's assignments of one service date at
// one revision: the answer changes only when the time passes one of the release times,
// so it is kept by how many of them have passed.
type officerViews struct {
	releases []time.Time // sorted
	json     map[int][]byte
}

// maxGenViews bounds the officers' views a generation keeps; past it, they start again.
const maxGenViews = 8192

// passed returns how many of the sorted times are not after now.
func passed(sorted []time.Time, now time.Time) int {
	n, _ := slices.BinarySearchFunc(sorted, now, func(t, now time.Time) int {
		if now.Before(t) {
			return 1
		}
		return -1
	})
	return n
}

// officerView returns the JSON of officer's assignments of date d at now, if kept; g may
// be nil (nothing kept).
func (g *readGen) officerView(officer string, d scheduler.Date, now time.Time) ([]byte, bool) {
	if g == nil {
		return nil, false
	}
	key := officer + "/" + d.String()
	g.mu.Lock()
	defer g.mu.Unlock()
	v, ok := g.views[key]
	if !ok {
		return nil, false
	}
	data, ok := v.json[passed(v.releases, now)]
	return data, ok
}

// putOfficerView keeps the JSON of officer's assignments of date d at now, whose answer
// depends on now only through the release times releases (officerDayAt). data must not be
// modified afterwards; g may be nil.
func (g *readGen) putOfficerView(officer string, d scheduler.Date, releases []time.Time, now time.Time, data []byte) {
	if g == nil {
		return
	}
	key := officer + "/" + d.String()
	g.mu.Lock()
	defer g.mu.Unlock()
	sorted := slices.Clone(releases)
	slices.SortFunc(sorted, func(a, b time.Time) int { return a.Compare(b) })
	sorted = slices.CompactFunc(sorted, time.Time.Equal)
	// Before any of the officer's shifts is released the day is not planned, and only the
	// shifts' release times are known: those views are replaced by the full set's.
	v, ok := g.views[key]
	if !ok || !slices.EqualFunc(v.releases, sorted, time.Time.Equal) {
		if g.views == nil || len(g.views) >= maxGenViews {
			g.views = map[string]*officerViews{}
		}
		v = &officerViews{releases: sorted, json: map[int][]byte{}}
		g.views[key] = v
	}
	v.json[passed(v.releases, now)] = data
}

// dayEntry is a region's service date's planner inputs, change log and inputs version.
type dayEntry struct {
	in      scheduler.Inputs
	changes []scheduler.Change
	version string
}

// maxGenDays bounds the days a generation keeps; past it, it starts again empty.
const maxGenDays = 256

// readCache holds the generation of the latest revision seen.
type readCache struct {
	mu  sync.Mutex
	gen *readGen
}

type genKey struct{}

// gen returns the generation of the store's current revision (the one pinned in ctx, if
// any), or nil when the store has no revision token or it cannot be read.
func (s *Server) gen(ctx context.Context) *readGen {
	if g, ok := ctx.Value(genKey{}).(*readGen); ok {
		return g
	}
	r, ok := s.store.(revisioner)
	if !ok {
		return nil
	}
	rev, err := r.Revision(ctx)
	if err != nil {
		return nil
	}
	s.reads.mu.Lock()
	defer s.reads.mu.Unlock()
	if g := s.reads.gen; g != nil && g.rev == rev {
		return g
	}
	g := &readGen{rev: rev, forces: map[string]scheduler.RegionForce{},
		missions: map[string][]scheduler.MissionRecord{}, days: map[string]*dayEntry{},
		duty: map[string]scheduler.DayDuty{}}
	s.reads.gen = g
	return g
}

// pin reads the store's revision once for the rest of a read-only request, so that its
// reads see one revision and ask for the token once.
func (s *Server) pin(ctx context.Context) context.Context {
	if _, ok := ctx.Value(genKey{}).(*readGen); ok {
		return ctx
	}
	if g := s.gen(ctx); g != nil {
		return context.WithValue(ctx, genKey{}, g)
	}
	return ctx
}

// regionShared is like region, but its force is shared (from the generation) and must not be
// modified.
func (s *Server) regionShared(ctx context.Context, region string) (scheduler.Office, scheduler.RegionForce, error) {
	g := s.gen(ctx)
	if g != nil {
		g.mu.Lock()
		f, ok := g.forces[region]
		g.mu.Unlock()
		if o, known := s.offices[region]; ok && known {
			return o, f, nil
		}
	}
	o, f, err := s.region(ctx, region)
	if err == nil && g != nil {
		g.mu.Lock()
		g.forces[region] = f
		g.mu.Unlock()
	}
	return o, f, err
}

// regionMissions returns a region's missions, sorted by id; the slice is shared and must
// not be modified.
func (s *Server) regionMissions(ctx context.Context, region string) ([]scheduler.MissionRecord, error) {
	g := s.gen(ctx)
	if g != nil {
		g.mu.Lock()
		recs, ok := g.missions[region]
		g.mu.Unlock()
		if ok {
			return recs, nil
		}
	}
	recs, err := s.store.Missions(ctx, region)
	if err == nil && g != nil {
		g.mu.Lock()
		g.missions[region] = recs
		g.mu.Unlock()
	}
	return recs, err
}

// dayMissions returns a region's missions as regionMissions does, then the records of
// its deleted missions (Store.DeletedMissions), which MissionAt gives only to the days
// that began before the deletion; the slice is shared and must not be modified.
func (s *Server) dayMissions(ctx context.Context, region string) ([]scheduler.MissionRecord, error) {
	recs, err := s.regionMissions(ctx, region)
	if err != nil {
		return nil, err
	}
	g := s.gen(ctx)
	key := region + "/deleted"
	if g != nil {
		g.mu.Lock()
		all, ok := g.missions[key]
		g.mu.Unlock()
		if ok {
			return all, nil
		}
	}
	gone, err := s.store.DeletedMissions(ctx, region)
	if err != nil {
		return nil, err
	}
	all := slices.Concat(recs, gone)
	if g != nil {
		g.mu.Lock()
		g.missions[key] = all
		g.mu.Unlock()
	}
	return all, nil
}

// day returns a region's service date's inputs, change log and inputs version, shared.
func (s *Server) day(ctx context.Context, region string, d scheduler.Date) (*dayEntry, error) {
	g := s.gen(ctx)
	key := region + "/" + d.String()
	if g != nil {
		g.mu.Lock()
		e, ok := g.days[key]
		g.mu.Unlock()
		if ok {
			return e, nil
		}
	}
	in, changes, err := s.loadDayInputs(ctx, region, d)
	if err != nil {
		return nil, err
	}
	e := &dayEntry{in: in, changes: changes, version: scheduler.InputsVersion(in, d, changes)}
	if g != nil {
		g.mu.Lock()
		if len(g.days) >= maxGenDays {
			g.days = map[string]*dayEntry{}
		}
		g.days[key] = e
		g.mu.Unlock()
	}
	return e, nil
}

// dutyRoster is scheduler.DutyRoster of a region's force as regionShared returned it under
// the same pinned ctx (so that the roster is kept under the revision its force was read
// at), computed once per revision; the result is shared and must not be modified.
func (s *Server) dutyRoster(ctx context.Context, f scheduler.RegionForce, loc *time.Location, d scheduler.Date) (scheduler.DayDuty, error) {
	g := s.gen(ctx)
	key := f.Region + "/" + d.String()
	if g != nil {
		g.mu.Lock()
		duty, ok := g.duty[key]
		g.mu.Unlock()
		if ok {
			return duty, nil
		}
	}
	duty, err := s.shownRoster(ctx, f, loc, d)
	if err == nil && g != nil {
		g.mu.Lock()
		if len(g.duty) >= maxGenDays {
			g.duty = map[string]scheduler.DayDuty{}
		}
		g.duty[key] = duty
		g.mu.Unlock()
	}
	return duty, err
}

// cloneInputs returns a copy of in and changes that its receiver may modify.
func cloneInputs(in scheduler.Inputs, changes []scheduler.Change) (scheduler.Inputs, []scheduler.Change) {
	in.Missions = slices.Clone(in.Missions)
	in.Force = cloneForce(in.Force)
	return in, slices.Clone(changes)
}

// cloneForce returns a copy of f that shares no map or slice with it.
func cloneForce(f scheduler.RegionForce) scheduler.RegionForce {
	f.Shifts = slices.Clone(f.Shifts)
	f.Units = maps.Clone(f.Units)
	f.Crew = maps.Clone(f.Crew)
	f.Capabilities = maps.Clone(f.Capabilities)
	f.SpeedsKmh = maps.Clone(f.SpeedsKmh)
	return f
}
