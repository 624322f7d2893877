package scheduler

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"time"

	"vigil/geo"
)

// planDay plans service day d; with prev set, it re-plans prev at the last change's time,
// keeping every visit that started before it (DESIGN.md §3). in is the day's own inputs
// (its version's); dispatch after a force change uses the force and zones then in effect.
// The floor a plan declares is the region's (regionFloor), not a day's.
func planDay(in Inputs, key []byte, d Date, zs *zonings, changes []Change, prev *ServiceDay) (ServiceDay, error) {
	return planDayAs(livePlan, in, key, d, zs, changes, prev)
}

// dayMode is how far a day's dispatch may go to keep the hard rules.
type dayMode int

const (
	// livePlan dispatches a zone with every retry and, where they all miss a hard rule,
	// the last resort (capacitySearch).
	livePlan dayMode = iota
	// trialPlan is CheckPlan's: the retries only. A force the check passes then plans its
	// trial day without the last resort, which live plans keep as their margin for the
	// days and keys the one trial does not draw (DESIGN.md §3: whatever the check
	// accepts, the planner plans).
	trialPlan
)

// planDayAs is planDay with the dispatch of mode.
func planDayAs(mode dayMode, in Inputs, key []byte, d Date, zs *zonings, changes []Change, prev *ServiceDay) (ServiceDay, error) {
	eff, zn, err := zs.at(changes)
	if err != nil {
		return ServiceDay{}, err
	}
	p := newDayPlan(in, eff, key, d, changes)
	p.mode = mode
	zn = p.applyEdits(zn, changes) // edits.go
	revision := 0
	if prev != nil {
		revision = prev.Revision + 1
		if err := p.keepBefore(prev, changes); err != nil {
			return ServiceDay{}, err
		}
	}
	groupOf, err := p.groups(zn)
	if err != nil {
		return ServiceDay{}, err
	}
	unitVisits, err := p.dispatchGroups(zn, groupOf)
	if err != nil {
		return ServiceDay{}, err
	}
	forced := hasForceChange(changes)
	all := p.routeUnits(zn, unitVisits, forced)
	var spans unitSpans
	if forced {
		spans = newUnitSpans(in, changes)
	}
	routes := p.routes(all, unitVisits, forced, spans)
	// Posts and crews do not depend on the day's changes: they are staffed with the
	// day's first version, so a re-plan never moves a post relief or a crew.
	var posts []Post
	if forced {
		routes, posts, err = staffChanged(in, eff.Force, key, d, routes)
	} else {
		routes, posts, err = StaffDay(in, key, d, InputsVersion(in, d, nil), routes)
	}
	if err != nil {
		return ServiceDay{}, err
	}
	if posts == nil {
		posts = []Post{}
	}
	return ServiceDay{
		Date: d.String(), Version: p.version, Revision: revision,
		Start: p.start.In(p.loc), End: p.end.In(p.loc), Routes: routes, Posts: posts,
	}, nil
}

// dayPlan is one service day being planned: what planDay works out once and the dispatch
// of every group of zones shares.
type dayPlan struct {
	in   Inputs // the day's own inputs (its version's)
	eff  Inputs // in with the force in effect after the changes; the dispatch runs on it
	key  []byte
	d    Date
	mode dayMode
	// dueOrder dispatches a zone of one unit by due time, not by its walk
	// (dispatchWithRetries).
	dueOrder bool

	region, version string
	loc             *time.Location
	start, end      time.Time // the service day's bounds
	dayMin          int       // the service day's length in minutes
	wins            []ShiftWindow
	shiftEnd        []int // the minute of the day each shift ends at
	th              *threats

	travel    func(Mode) geo.Traveler
	travelers map[Mode]geo.Traveler
	points    []geo.Point    // by mission index
	index     map[string]int // mission id → index

	// from is the minute of the day a re-plan starts at (0 for the whole day); kept holds
	// each unit's visits before it, out the units out of service, and prevRoute the routes
	// of the day re-planned by unit|shift, for units a force change moved or removed.
	from      int
	kept      map[string][]visitRec
	out       map[string]bool
	prevRoute map[string]Route

	// edits, when the changes edit missions, is the day's missions from each change's time
	// (edits.go); in and eff then hold every entry of it.
	edits *missionSpans
}

func newDayPlan(in, eff Inputs, key []byte, d Date, changes []Change) *dayPlan {
	loc := in.Office.Location
	f := in.Force
	S, E := ServiceDayBounds(d, f.Shifts, loc)
	p := &dayPlan{
		in: in, eff: eff, key: key, d: d,
		region: regionOf(in), version: InputsVersion(in, d, changes),
		loc: loc, start: S, end: E, dayMin: int(E.Sub(S) / time.Minute),
		wins:      ShiftWindows(d, f.Shifts, loc),
		travel:    TravelModel(f),
		travelers: map[Mode]geo.Traveler{},
		points:    make([]geo.Point, len(in.Missions)),
		index:     make(map[string]int, len(in.Missions)),
		kept:      map[string][]visitRec{},
		out:       map[string]bool{},
		prevRoute: map[string]Route{},
	}
	for _, m := range Modes {
		p.travelers[m] = p.travel(m)
	}
	for i, m := range in.Missions {
		p.points[i] = MissionPoint(m)
		p.index[m.ID] = i
	}
	p.shiftEnd = make([]int, len(p.wins))
	for k, w := range p.wins {
		p.shiftEnd[k] = p.minute(w.End)
	}
	p.th = newThreats(in, S, p.dayMin, changes)
	return p
}

// minute returns the minutes from the start of the service day to t, rounded down.
func (p *dayPlan) minute(t time.Time) int { return int(t.Sub(p.start) / time.Minute) }

// tt is the travel minutes from mission a to mission b for a unit of the mode.
func (p *dayPlan) tt(mode Mode, a, b int) int {
	if a == b {
		return 0
	}
	return p.travelers[mode].Minutes(p.points[a], p.points[b])
}

// keepBefore sets up the re-plan of prev from the last change's time: every visit begun
// before it is kept, and the units the changes take out of service are out.
func (p *dayPlan) keepBefore(prev *ServiceDay, changes []Change) error {
	at := changes[len(changes)-1].At
	p.from = min(max(int(math.Ceil(at.Sub(p.start).Minutes()-1e-9)), 0), p.dayMin)
	// Routes come by shift start, so each unit's visits arrive in time order, and the
	// second half of a visit split at a shift change follows its first half.
	for _, r := range prev.Routes {
		p.prevRoute[r.Unit+"|"+r.Shift] = r
		for _, v := range r.Visits {
			a := p.minute(v.Arrive)
			dep := p.minute(v.Depart)
			mi, ok := p.missionAt(v.Mission, a)
			if !ok {
				return fmt.Errorf("%s %s: re-plan: visit to unknown mission %s", p.region, p.d, v.Mission)
			}
			if ks := p.kept[r.Unit]; len(ks) > 0 && p.in.Missions[ks[len(ks)-1].Mission].ID == v.Mission && ks[len(ks)-1].Depart == a {
				ks[len(ks)-1].Depart = dep // a visit in progress is kept whole
				continue
			}
			if a < p.from {
				p.kept[r.Unit] = append(p.kept[r.Unit], visitRec{Mission: mi, Arrive: a, Depart: dep})
			}
		}
	}
	for _, c := range changes {
		if c.Unit != "" {
			p.out[c.Unit] = true
		}
	}
	return nil
}

// groups returns, for each zone, the zone whose group dispatches it: itself, or, for a
// zone whose units are all out of service, the nearest zone that still has units.
func (p *dayPlan) groups(zn *zoning) ([]int, error) {
	groupOf := make([]int, len(zn.Zones))
	active := func(zi int) bool {
		for _, u := range zn.Units[zi] {
			if !p.out[u.ID] {
				return true
			}
		}
		return false
	}
	for zi := range groupOf {
		groupOf[zi] = zi
		if active(zi) {
			continue
		}
		best, bd := -1, math.Inf(1)
		ci := zoneCentre(p.points, zn.Missions[zi])
		for zj := range zn.Zones {
			if zj != zi && active(zj) {
				if dd := geo.Haversine(ci, zoneCentre(p.points, zn.Missions[zj])); dd < bd {
					best, bd = zj, dd
				}
			}
		}
		if best < 0 {
			return nil, &InfeasibleError{Region: p.region, Missing: fmt.Sprintf(
				"%s: zone %s has no unit left in service and no other zone has one to take it over", p.d, zn.Zones[zi].ID)}
		}
		groupOf[zi] = best
	}
	return groupOf, nil
}

// zoneGroup is the zones dispatched together, under the id of the zone that leads them:
// their missions, sorted, and their units.
type zoneGroup struct {
	zoneID string
	ms     []int
	units  []zoneUnit
}

// dispatchGroups dispatches every group of zones, retrying a group whose dispatch missed a
// hard rule, and returns each unit's visits of the day; units out of service keep what
// they did before the change.
func (p *dayPlan) dispatchGroups(zn *zoning, groupOf []int) (map[string][]visitRec, error) {
	nz := len(zn.Zones)
	groupSize := make([]int, nz)
	for zi := range groupOf {
		groupSize[groupOf[zi]]++
	}
	unitVisits := map[string][]visitRec{}
	for g := 0; g < nz; g++ {
		grp := zoneGroup{zoneID: zn.Zones[g].ID}
		for zi := 0; zi < nz; zi++ {
			if groupOf[zi] == g {
				grp.ms = append(grp.ms, zn.Missions[zi]...)
				grp.units = append(grp.units, zn.Units[zi]...)
			}
		}
		if len(grp.ms) == 0 {
			continue
		}
		sort.Ints(grp.ms)
		// A group of one zone starts from the zoning's travel estimate (the same
		// meanZoneTravel allocate would compute); merged groups compute their own.
		var measured map[Mode]float64
		if single := groupSize[g] == 1; single && zn.Travel != nil && zn.Travel[g] != nil {
			measured = zn.Travel[g]
		}
		res, err := p.dispatchWithRetries(grp, measured)
		if err != nil {
			return nil, err
		}
		for _, u := range res {
			unitVisits[u.zu.ID] = u.visits
		}
	}
	for zi := range zn.Zones {
		for _, u := range zn.Units[zi] {
			if _, ok := unitVisits[u.ID]; !ok {
				unitVisits[u.ID] = p.kept[u.ID]
			}
		}
	}
	return unitVisits, nil
}

// routeUnit is a unit with the zone its routes are in.
type routeUnit struct {
	zoneUnit
	zone string
}

// routeUnits returns the units that get routes: those of the zoning, then, after a force
// change, the units it removed, which keep what they did before it in the zone they had.
func (p *dayPlan) routeUnits(zn *zoning, unitVisits map[string][]visitRec, forced bool) []routeUnit {
	var all []routeUnit
	for zi, z := range zn.Zones {
		for _, u := range zn.Units[zi] {
			all = append(all, routeUnit{u, z.ID})
		}
	}
	if !forced {
		return all
	}
	inZones := map[string]bool{}
	for _, u := range all {
		inZones[u.ID] = true
	}
	removed := map[string]Route{}
	for _, r := range p.prevRoute {
		if !inZones[r.Unit] {
			if o, ok := removed[r.Unit]; !ok || r.Start.Before(o.Start) {
				removed[r.Unit] = r
			}
		}
	}
	for _, id := range slices.Sorted(maps.Keys(removed)) {
		all = append(all, routeUnit{zoneUnit{ID: id, Mode: removed[id].Mode}, removed[id].Zone})
		unitVisits[id] = p.kept[id]
	}
	return all
}

// routes cuts each unit's visits into one route per shift it works, ordered by start and
// unit; a visit over a shift change is split at it (relief in place).
func (p *dayPlan) routes(all []routeUnit, unitVisits map[string][]visitRec, forced bool, spans unitSpans) []Route {
	var routes []Route
	for _, u := range all {
		vs := unitVisits[u.ID]
		sortVisits(vs)
		for k, w := range p.wins {
			zoneID := u.zone
			if pr, ok := p.prevRoute[u.ID+"|"+w.Name]; ok && forced && p.minute(w.Start) < p.from {
				zoneID = pr.Zone // a shift begun before the change stays in the zone it began in
			}
			if forced && !spans.works(u.ID, w) {
				continue
			}
			lo := 0
			if k > 0 {
				lo = p.shiftEnd[k-1]
			}
			r := Route{Unit: u.ID, Mode: u.Mode, Shift: w.Name, Zone: zoneID, Officers: []string{}, Start: w.Start, End: w.End, Visits: []Visit{}}
			p.cut(&r, vs, lo, p.shiftEnd[k])
			routes = append(routes, r)
		}
	}
	sort.SliceStable(routes, func(a, b int) bool {
		if !routes[a].Start.Equal(routes[b].Start) {
			return routes[a].Start.Before(routes[b].Start)
		}
		return routes[a].Unit < routes[b].Unit
	})
	return routes
}

// cut adds to r the parts of visits vs within minutes [lo, hi) of the day, and the
// distance between them.
func (p *dayPlan) cut(r *Route, vs []visitRec, lo, hi int) {
	prevMi := -1
	dist := 0.0
	for _, v := range vs {
		a, b := max(v.Arrive, lo), min(v.Depart, hi)
		if a < b || (a == b && v.Arrive == v.Depart && a >= lo && a < hi) {
			r.Visits = append(r.Visits, Visit{
				Mission: p.in.Missions[v.Mission].ID,
				Arrive:  p.start.Add(time.Duration(a) * time.Minute).In(p.loc),
				Depart:  p.start.Add(time.Duration(b) * time.Minute).In(p.loc),
			})
			if prevMi >= 0 {
				dist += p.travelers[r.Mode].Metres(p.points[prevMi], p.points[v.Mission])
			}
			prevMi = v.Mission
		}
	}
	r.DistanceM = int(math.Round(dist))
}

func zoneCentre(points []geo.Point, ms []int) geo.Point {
	var c geo.Point
	for _, mi := range ms {
		c.Lat += points[mi].Lat
		c.Lon += points[mi].Lon
	}
	n := float64(max(len(ms), 1))
	return geo.Point{Lat: c.Lat / n, Lon: c.Lon / n}
}

// dispatchGroup allocates and dispatches one group of missions and units from minute
// p.from, starting from the visits kept before it, at the share util of the units' time.
// measured, when set, is the travel per visit by mode the allocation counts (allocate);
// attempt counts the retries.
//
// comp ≥ 1 is the floor's compensation: the allocation plans the floor k × comp, so that a
// dispatch which makes only a share 1 ÷ comp of its plan still delivers k (the floor
// reported is what is delivered: the allocation's ÷ comp).
func (p *dayPlan) dispatchGroup(grp zoneGroup, measured map[Mode]float64, attempt int, util, comp float64) (dispatched, error) {
	in := p.eff
	in.Force.Randomization.VisitsPerMaxGap *= comp
	region := regionOf(in)
	var activeUnits []zoneUnit
	for _, u := range grp.units {
		if !p.out[u.ID] {
			activeUnits = append(activeUnits, u)
		}
	}
	al, err := allocate(in, grp.zoneID, grp.ms, activeUnits, p.profAt, float64(p.dayMin), util, p.travel, measured)
	if err != nil && p.from == 0 && attempt == 0 {
		// The minimums do not fit the units' time on the allocation's model. A retry's
		// model counts the travel a failed dispatch measured, with a margin, and may
		// find them short where the dispatch itself would not: a retry dispatches the
		// minimums (the allocation's thin plan) and lets the dispatch judge.
		return dispatched{}, err
	}
	planned := p.plannedVisits(grp.ms, al, attempt)
	// The dispatch runs twice. A visit arrives when a unit can get there, which is often
	// after its drawn due time, so a mission's realised gaps are its drawn gaps plus its
	// delays, which are longer at the edge of a zone than at its centre. The pilot run
	// measures each mission's mean delay; the second draws gaps shorter by it, so every
	// mission gets about the visits its allocation planned. Both runs draw from streams of
	// the same labels, so the plan stays a pure function of its inputs.
	ids := slices.Clone(grp.ms)
	for _, u := range grp.units {
		ids = append(ids, u.Home)
	}
	memo := newTravelMemo(p.tt, ids)
	tl, sims := p.timeline(grp, planned, memo, attempt, nil)
	tl.run(p.from)
	if len(tl.failures) == 0 && !tl.deadlineOrder && !tl.unitFirst() { // the last resort and the walk draw no gaps to correct
		delay := make([]float64, len(grp.ms))
		for i, m := range tl.missions {
			if m.delayN > 0 {
				delay[i] = float64(m.delaySum) / float64(m.delayN)
			}
		}
		// Should the corrected run miss a hard rule, the pilot stands.
		tl2, sims2 := p.timeline(grp, planned, memo, attempt, delay)
		if tl2.run(p.from); len(tl2.failures) == 0 {
			tl, sims = tl2, sims2
		}
	}
	d := dispatched{units: sims, travel: al.Travel, delivered: deliveredShare(tl, planned), util: util,
		floorDelivered: floorDeliveredShare(tl, planned, al)}
	if len(tl.failures) > 0 {
		f := tl.failures[0]
		return d, &failureError{&InfeasibleError{Region: region, Missing: fmt.Sprintf(
			"%s: mission %s (zone %s, %d units): %s; the zone needs more units",
			p.d, in.Missions[f.mission].ID, grp.zoneID, len(tl.units), f.what)}}
	}
	return d, nil
}

// floorDeliveredShare returns the visits the floor-bound missions of a dispatch made over
// the visits planned them (1 with none): missions planned no more than their randomization
// floor where it lies above their minimum. Counts are not capped at the plan, so a day's
// ups and downs do not bias it.
func floorDeliveredShare(tl *timeline, planned []float64, al allocation) float64 {
	made, want := 0.0, 0.0
	for i, m := range tl.missions {
		if i < len(al.Floors) && al.Floors[i] > al.Minimums[i] && planned[i] <= al.Floors[i]+1e-9 {
			made += float64(m.count)
			want += planned[i]
		}
	}
	if want == 0 {
		return 1
	}
	return made / want
}

// deliveredShare returns the share of the planned visits a dispatch made: the visits
// made, each mission's counted up to its plan (a walk's, unitfirst.go, all of them up to
// the plan's total), over the visits planned (1 with none).
func deliveredShare(tl *timeline, planned []float64) float64 {
	made, want := 0.0, 0.0
	for i, m := range tl.missions {
		made += min(float64(m.count), planned[i])
		if tl.unitFirst() {
			// The walk's counts are random around the plan by design (a near memoryless
			// process's counts vary like a Poisson count), so one mission's shortfall
			// is another's surplus: the unit fell short only when the total did.
			made += max(float64(m.count)-planned[i], 0)
		}
		want += planned[i]
	}
	if want == 0 {
		return 1
	}
	return min(made/want, 1)
}

// plannedVisits returns the visits the dispatch plans each of the group's missions ms:
// the allocation's, or the minimum where it has none; each retry from the third plans
// closer to the minimums (keeping a smaller share of the allocation above them), leaving
// the units more room.
func (p *dayPlan) plannedVisits(ms []int, al allocation, attempt int) []float64 {
	keep := 1.0
	if attempt > 3 && len(al.Minimums) == len(ms) {
		keep = max(0, 1-0.3*float64(attempt-3))
	}
	out := make([]float64, len(ms))
	for i, mi := range ms {
		n := 0.0
		if i < len(al.Visits) {
			n = al.Visits[i]
		}
		if n <= 0 {
			n = MinimumVisits(p.profAt(mi), float64(p.dayMin))
		}
		if keep < 1 {
			n = al.Minimums[i] + (n-al.Minimums[i])*keep
		}
		out[i] = n
	}
	return out
}

// profAt is mission mi's profile at the minute the dispatch starts from.
func (p *dayPlan) profAt(mi int) Profile { return p.eff.Force.Profiles[p.th.at(mi, p.from)] }

// timeline builds one run of a group's dispatch: its missions with the gaps their
// allocated visits give (shortened by delay, the pilot run's mean delay per mission, when
// set), and its units where the kept visits left them.
func (p *dayPlan) timeline(grp zoneGroup, planned []float64, memo *travelMemo, attempt int, delay []float64) (*timeline, []*simUnit) {
	in := p.eff
	region := regionOf(in)
	tl := &timeline{in: in, dayMin: p.dayMin, shiftEnd: p.shiftEnd, threat: p.th.at, travel: memo.minutes, slackPlus: 15 * max(attempt-2, 0), retry: attempt > 0, conservative: attempt > 2, loose: attempt > 3, deadlineOrder: attempt >= lastResort, dueOrder: p.dueOrder}
	// A retry after a missed hard rule draws from streams of its own (labelled with the
	// attempt), so it is a fresh draw, not the same day again with less room; the plan
	// stays a pure function of its inputs.
	label := grp.zoneID
	if attempt > 0 {
		label = fmt.Sprintf("%s/retry-%d", grp.zoneID, attempt)
	}
	for _, w := range p.wins {
		tl.rngs = append(tl.rngs, NewRand(p.key, region, p.d, label, w.Name, p.version))
	}
	p.addMissions(tl, grp.ms, planned, delay)
	p.editedMissions(tl)
	var sims []*simUnit
	for _, u := range grp.units {
		su := &simUnit{zu: u, pos: u.Home, free: p.from, anywhere: true}
		vs := append([]visitRec(nil), p.kept[u.ID]...)
		sortVisits(vs)
		su.visits = vs
		if len(vs) > 0 {
			last := vs[len(vs)-1]
			su.pos, su.free, su.anywhere = last.Mission, max(last.Depart, p.from), false
		}
		sims = append(sims, su)
		if !p.out[u.ID] {
			tl.units = append(tl.units, su)
		}
	}
	// Handovers (timeline.handover): every unit ends the day at its handover mission of
	// the next day, and starts at today's where it has done nothing before `from`.
	tl.endAt = tl.handovers(p.key, region, p.d.AddDays(1))
	var starts []int
	if p.from == 0 {
		starts = tl.handovers(p.key, region, p.d)
	}
	for k, u := range tl.units {
		if len(u.visits) == 0 && p.from == 0 {
			u.pos, u.anywhere = starts[k], false
		}
	}
	return tl, sims
}

// addMissions adds the group's missions to tl, each with the mean gap its allocated visits
// give and the deadline its kept presences and threat changes set.
func (p *dayPlan) addMissions(tl *timeline, ms []int, planned []float64, delay []float64) {
	// Presences kept before `from`, merged per mission, whichever unit made them: after a
	// force change a mission's earlier visits may be by a unit now in another zone.
	presence := map[int][]visitRec{}
	for _, u := range slices.Sorted(maps.Keys(p.kept)) {
		for _, v := range p.kept[u] {
			presence[p.current(v.Mission)] = append(presence[p.current(v.Mission)], v)
		}
	}
	for i, mi := range ms {
		pr := p.profAt(mi)
		n := planned[i]
		g := math.Max(1, (float64(p.dayMin)-n*MeanDwell(pr))/n)
		if delay != nil {
			g = max(g-delay[i], g*minDelayShare, 1)
		}
		m := &simMission{idx: mi, minimum: p.th.minimum(mi), meanGap: g}
		m.deadline = tl.prof(mi, 0).MaxGapMinutes / 2
		if ps := presence[mi]; len(ps) > 0 {
			sortVisits(ps)
			end := -1
			for _, v := range ps {
				if v.Arrive > end {
					m.count++
				}
				end = max(end, v.Depart)
			}
			m.has, m.lastEnd = true, end
			m.deadline = end + tl.prof(mi, end).MaxGapMinutes
		}
		for _, c := range p.th.points(mi) {
			if c <= p.from && c >= m.lastEndOr(0) {
				m.deadline = min(m.deadline, c+tl.prof(mi, c).MaxGapMinutes)
			}
		}
		tl.missions = append(tl.missions, m)
	}
}

// minDelayShare bounds the dispatch's delay correction: a mission's drawn mean gap is
// never shortened below this share of its planned gap.
const minDelayShare = 0.5
