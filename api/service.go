package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"vigil/scheduler"
)

// region returns a region's office and force, or a not-found error.
func (s *Server) region(ctx context.Context, region string) (scheduler.Office, scheduler.RegionForce, error) {
	o, ok := s.offices[region]
	if !ok {
		return o, scheduler.RegionForce{}, &Error{Kind: KindNotFound, Msg: fmt.Sprintf("no region %q", region)}
	}
	f, err := s.store.Force(ctx, region)
	if errors.Is(err, scheduler.ErrNotFound) {
		return o, f, &Error{Kind: KindNotFound, Msg: fmt.Sprintf("region %q has no force", region), Err: err}
	}
	return o, f, err
}

// currentDate returns the service date in progress in a region now.
func (s *Server) currentDate(o scheduler.Office, f scheduler.RegionForce) scheduler.Date {
	return scheduler.ServiceDateOf(s.now(), f.Shifts, o.Location)
}

// dayInputs returns the planner's inputs for a region's service date: its force and its
// missions at the threat level in effect when the day starts (changes during the day are
// in the day's change log), and that log, without changes naming missions or units that
// no longer exist.
// The caller may modify what it returns.
func (s *Server) dayInputs(ctx context.Context, region string, d scheduler.Date) (scheduler.Inputs, []scheduler.Change, error) {
	e, err := s.day(ctx, region, d)
	if err != nil {
		return scheduler.Inputs{}, nil, err
	}
	in, changes := cloneInputs(e.in, e.changes)
	return in, changes, nil
}

// loadDayInputs is dayInputs read through the store's current revision (readcache.go);
// what it returns shares the force's maps with that generation.
func (s *Server) loadDayInputs(ctx context.Context, region string, d scheduler.Date) (scheduler.Inputs, []scheduler.Change, error) {
	o, f, err := s.regionShared(ctx, region)
	if err != nil {
		return scheduler.Inputs{}, nil, err
	}
	recs, err := s.dayMissions(ctx, region)
	if err != nil {
		return scheduler.Inputs{}, nil, err
	}
	start, _ := scheduler.ServiceDayBounds(d, f.Shifts, o.Location)
	all, err := s.store.Changes(ctx, region, d)
	if err != nil {
		return scheduler.Inputs{}, nil, err
	}
	// The day is planned with the missions as they were at its start: an edit, creation or
	// deletion during it is a change in its log (scheduler.Change.Edit), never a new start.
	in := scheduler.Inputs{Office: o, Force: f, Missions: make([]scheduler.Mission, 0, len(recs))}
	ids := map[string]bool{}
	for _, r := range recs {
		m, ok := r.MissionAt(start)
		if !ok || ids[m.ID] {
			continue
		}
		m.Threat = r.ThreatAt(start)
		in.Missions = append(in.Missions, m)
		ids[m.ID] = true
	}
	for _, c := range all {
		if c.Removed != nil && !ids[c.Removed.ID] {
			in.Missions = append(in.Missions, *c.Removed)
			ids[c.Removed.ID] = true
		}
	}
	sort.Slice(in.Missions, func(i, j int) bool { return in.Missions[i].ID < in.Missions[j].ID })
	units := map[string]bool{}
	for _, mode := range scheduler.Modes {
		for n := 1; n <= f.Units[mode]; n++ {
			units[scheduler.UnitID(region, mode, n)] = true
		}
	}
	// A day whose force changed during it is planned from its start with the force it
	// started with; the changes bring in the later ones (scheduler.Change.Force).
	forceFixed := false
	for _, c := range all {
		if c.Force == nil {
			continue
		}
		if !forceFixed && c.ForceBefore != nil {
			in.Force, forceFixed = *c.ForceBefore, true
		}
		for _, g := range []*scheduler.RegionForce{c.Force, c.ForceBefore} {
			for _, mode := range scheduler.Modes {
				for n := 1; g != nil && n <= g.Units[mode]; n++ {
					units[scheduler.UnitID(region, mode, n)] = true
				}
			}
		}
	}
	// Leave booked or cancelled during the day does not change it (a leave from today calls
	// the officer off instead): the day is rostered with the leave as of its start.
	in.Force.Leave = scheduler.LeaveAsOf(in.Force.Leave, start)
	// A begun or past day is planned from its stored roster's force (dayroster.go).
	in.Force = s.fixDayRoster(ctx, in, d, start)
	for _, mode := range scheduler.Modes {
		for n := 1; n <= in.Force.Units[mode]; n++ {
			units[scheduler.UnitID(region, mode, n)] = true
		}
	}
	for _, c := range all {
		if c.Edit != "" && c.After != nil {
			ids[c.Edit] = true // created during the day: its threat changes apply from then
		}
	}
	changes := []scheduler.Change{}
	for _, c := range all {
		if c.Force != nil || c.Edit != "" || (c.Officer != "" && in.Force.HasOfficer(c.Officer)) ||
			(c.Unit != "" && units[c.Unit]) || (c.Unit == "" && c.Officer == "" && ids[c.Mission]) {
			changes = append(changes, c)
		}
	}
	return in, changes, nil
}

// dayPlan returns a region's service day, planned with its change log, in the
// vigil.plan/v1 envelope: from the cache when its inputs version is there, else generated
// and cached.
func (s *Server) dayPlan(ctx context.Context, region string, d scheduler.Date) (*scheduler.Plan, error) {
	e, err := s.dayPlanEntry(ctx, region, d)
	if err != nil {
		return nil, err
	}
	return e.plan, nil
}

// dayPlanEntry is dayPlan with the plan's memo entry, which also holds its JSON.
func (s *Server) dayPlanEntry(ctx context.Context, region string, d scheduler.Date) (*memoEntry, error) {
	e, err := s.day(ctx, region, d)
	if err != nil {
		return nil, err
	}
	version := e.version
	if m := s.plans.get(region, d, version); m != nil {
		s.metrics.planCache.WithLabelValues("hit").Inc()
		return m, nil
	}
	in, changes := cloneInputs(e.in, e.changes)
	if data, err := s.store.CachedPlan(ctx, region, d, version); err == nil {
		var p scheduler.Plan
		if err := json.Unmarshal(data, &p); err == nil && len(p.ServiceDays) == 1 {
			s.metrics.planCache.WithLabelValues("hit").Inc()
			p.ServiceDays[0] = inLocation(p.ServiceDays[0], in.Office.Location)
			return s.plans.put(region, d, version, &p), nil
		}
	} else if !errors.Is(err, scheduler.ErrNotFound) {
		// A cache outage costs time, never correctness (DESIGN.md §3).
		s.logger.Warn("plan cache read failed", "region", region, "date", d.String(), "err", err)
	}
	s.metrics.planCache.WithLabelValues("miss").Inc()
	t0 := time.Now()
	sd, err := planWithCallOffs(in, s.planKey, d, changes)
	if err != nil {
		return nil, err
	}
	s.metrics.planSeconds.Observe(time.Since(t0).Seconds())
	return s.cache(ctx, in, d, sd)
}

// serviceDay returns dayPlan's one service day.
func (s *Server) serviceDay(ctx context.Context, region string, d scheduler.Date) (scheduler.ServiceDay, error) {
	p, err := s.dayPlan(ctx, region, d)
	if err != nil {
		return scheduler.ServiceDay{}, err
	}
	return p.ServiceDays[0], nil
}

// cache wraps a service day in its envelope and caches it under its inputs version.
func (s *Server) cache(ctx context.Context, in scheduler.Inputs, d scheduler.Date, sd scheduler.ServiceDay) (*memoEntry, error) {
	p, err := scheduler.NewPlan(in, d, []scheduler.ServiceDay{sd})
	if err != nil {
		return nil, err
	}
	e := s.plans.put(in.Office.ID, d, sd.Version, p)
	data, err := json.Marshal(p)
	if err == nil {
		err = s.store.CachePlan(ctx, in.Office.ID, d, sd.Version, data)
	}
	if err != nil {
		s.logger.Warn("plan cache write failed", "region", in.Office.ID, "date", d.String(), "err", err)
	}
	return e, nil
}

// inLocation puts a cached day's times back in the region's location.
func inLocation(sd scheduler.ServiceDay, loc *time.Location) scheduler.ServiceDay {
	sd.Start, sd.End = sd.Start.In(loc), sd.End.In(loc)
	for i := range sd.Routes {
		r := &sd.Routes[i]
		r.Start, r.End = r.Start.In(loc), r.End.In(loc)
		for j := range r.Visits {
			r.Visits[j].Arrive, r.Visits[j].Depart = r.Visits[j].Arrive.In(loc), r.Visits[j].Depart.In(loc)
		}
	}
	for i := range sd.Posts {
		for j := range sd.Posts[i].Blocks {
			b := &sd.Posts[i].Blocks[j]
			b.Start, b.End = b.Start.In(loc), b.End.In(loc)
		}
	}
	return sd
}

// replanSummary is what a re-plan changed in one service day.
type replanSummary struct {
	Date          string   `json:"date"`
	Revision      int      `json:"revision"`
	Version       string   `json:"version"`
	At            string   `json:"at"`
	VisitsKept    int      `json:"visits_kept"`
	VisitsDropped int      `json:"visits_dropped"`
	VisitsAdded   int      `json:"visits_added"`
	Units         []string `json:"units_changed"`
}

type visitKey struct {
	unit, mission string
	arrive        int64
}

func visitSet(sd scheduler.ServiceDay) map[visitKey]bool {
	out := map[visitKey]bool{}
	for _, r := range sd.Routes {
		for _, v := range r.Visits {
			out[visitKey{r.Unit, v.Mission, v.Arrive.Unix()}] = true
		}
	}
	return out
}

// diffDays summarises what changed from prev to next.
func diffDays(prev, next scheduler.ServiceDay, at time.Time) replanSummary {
	a, b := visitSet(prev), visitSet(next)
	sum := replanSummary{Date: next.Date, Revision: next.Revision, Version: next.Version, At: at.Format(time.RFC3339), Units: []string{}}
	units := map[string]bool{}
	for k := range a {
		if b[k] {
			sum.VisitsKept++
		} else {
			sum.VisitsDropped++
			units[k.unit] = true
		}
	}
	for k := range b {
		if !a[k] {
			sum.VisitsAdded++
			units[k.unit] = true
		}
	}
	for u := range units {
		sum.Units = append(sum.Units, u)
	}
	sort.Strings(sum.Units)
	return sum
}

// applyChange logs a change in a region's service day and, when that day is live (the
// current or next service day), re-plans it at once from the change (scheduler.Replan) and
// caches the result; it returns what changed, or nil when the day is not live.
func (s *Server) applyChange(ctx context.Context, region string, d scheduler.Date, c scheduler.Change, live bool) (*replanSummary, error) {
	return s.applyChangeWith(ctx, region, d, c, live, nil)
}

// applyChangeWith is applyChange with write, when not nil, run after the day's plan
// before the change is read and before the change is logged: the store write the change
// records (a mission deleted), which must not reach the plan it re-plans.
func (s *Server) applyChangeWith(ctx context.Context, region string, d scheduler.Date, c scheduler.Change, live bool, write func() error) (*replanSummary, error) {
	var prev scheduler.ServiceDay
	if live {
		var err error
		if prev, err = s.serviceDay(ctx, region, d); err != nil {
			return nil, err
		}
	}
	if write != nil {
		if err := write(); err != nil {
			return nil, err
		}
	}
	if err := s.store.AddChange(ctx, region, d, c); err != nil {
		return nil, err
	}
	if !live {
		return nil, nil
	}
	in, changes, err := s.dayInputs(ctx, region, d)
	if err != nil {
		return nil, err
	}
	t0 := time.Now()
	var next scheduler.ServiceDay
	if hasCallOff(changes) {
		// Call-offs are applied to the day the planner makes of the other changes.
		next, err = planWithCallOffs(in, s.planKey, d, changes)
	} else if n := len(changes); n > 0 && changes[n-1].At.Equal(c.At) {
		next, err = scheduler.Replan(in, s.planKey, prev, changes)
	} else {
		// The change lands before one logged earlier (a temporary raise's end): replay.
		next, err = scheduler.PlanServiceDay(in, s.planKey, d, changes)
	}
	if err != nil {
		return nil, err
	}
	s.metrics.planSeconds.Observe(time.Since(t0).Seconds())
	if _, err := s.cache(ctx, in, d, next); err != nil {
		return nil, err
	}
	sum := diffDays(prev, next, c.At)
	return &sum, nil
}

// planMemo keeps the last decoded plans in memory, keyed like the store's cache by
// region, date and inputs version, so a hot read skips decoding, with their JSON once
// encoded. Plans in it are shared and must not be modified.
type planMemo struct {
	mu    sync.Mutex
	max   int
	plans map[string]*memoEntry
	order []string
}

// memoEntry is one memoised plan and, once asked for, its vigil.plan/v1 JSON. (Officers'
// views of it are kept per store revision: readGen.officerView.)
type memoEntry struct {
	plan *scheduler.Plan
	once sync.Once
	json []byte
	err  error
}

// JSON returns the plan as scheduler.WritePlanJSON writes it, encoded once.
func (e *memoEntry) JSON() ([]byte, error) {
	e.once.Do(func() {
		var b bytes.Buffer
		e.err = scheduler.WritePlanJSON(&b, e.plan)
		e.json = b.Bytes()
	})
	return e.json, e.err
}

func newPlanMemo(max int) *planMemo {
	return &planMemo{max: max, plans: map[string]*memoEntry{}}
}

func memoKey(region string, d scheduler.Date, version string) string {
	return region + "/" + d.String() + "/" + version
}

func (m *planMemo) get(region string, d scheduler.Date, version string) *memoEntry {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.plans[memoKey(region, d, version)]
}

// put memoises p unless a plan is memoised under its key already; it returns the entry
// memoised.
func (m *planMemo) put(region string, d scheduler.Date, version string, p *scheduler.Plan) *memoEntry {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := memoKey(region, d, version)
	if e, ok := m.plans[k]; ok {
		return e
	}
	if len(m.order) >= m.max {
		delete(m.plans, m.order[0])
		m.order = m.order[1:]
	}
	e := &memoEntry{plan: p}
	m.plans[k] = e
	m.order = append(m.order, k)
	return e
}
