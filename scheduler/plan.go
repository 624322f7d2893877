package scheduler

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"time"

	"vigil/geo"
)

// PlanOptions says which service days PlanDays plans and with which key.
type PlanOptions struct {
	Key  []byte // the plan key (PlanKey of the master key)
	From Date   // the first service date
	Days int    // how many consecutive service days (at least 1)
	// Progress, when set, is called after each planned day with the days done and the total.
	Progress func(done, total int)
}

// PlanDays plans opt.Days consecutive service days of one region from opt.From, each
// planned on its own as a pure function of (key, region, date, inputs version)
// (DESIGN.md §3), so day D of a run equals PlanDays with From = D and Days = 1. Every day
// is checked with Verify before it is returned: a plan that breaks a hard rule is an
// error, never output. A force too small for the minimums, or a mission no unit can
// keep within its max gap, is an *InfeasibleError.
func PlanDays(in Inputs, opt PlanOptions) (*Plan, error) {
	if opt.Days < 1 {
		return nil, fmt.Errorf("plan: days %d: want at least 1", opt.Days)
	}
	if in.Office.Location == nil {
		return nil, fmt.Errorf("plan: region %s has no time zone", regionOf(in))
	}
	zs, err := newZonings(in)
	if err != nil {
		return nil, err
	}
	p := newPlan(in, zs.base, opt.From, opt.Days)
	for i := 0; i < opt.Days; i++ {
		sd, err := planDay(in, opt.Key, opt.From.AddDays(i), zs, nil, nil)
		if err != nil {
			return nil, err
		}
		p.ServiceDays = append(p.ServiceDays, sd)
		if opt.Progress != nil {
			opt.Progress(i+1, opt.Days)
		}
	}
	if vs := Verify(in, p); len(vs) > 0 {
		return nil, violationsError(regionOf(in), vs)
	}
	return p, nil
}

// PlanServiceDay plans one service day with the changes made during it so far (ordered by
// time): the day as first planned, then re-planned at each change in turn (Replan), so the
// result has revision len(changes) and is the same on every replica.
func PlanServiceDay(in Inputs, key []byte, d Date, changes []Change) (ServiceDay, error) {
	if in.Office.Location == nil {
		return ServiceDay{}, fmt.Errorf("plan: region %s has no time zone", regionOf(in))
	}
	zs, err := newZonings(in)
	if err != nil {
		return ServiceDay{}, err
	}
	sd, err := planDay(in, key, d, zs, nil, nil)
	if err != nil {
		return ServiceDay{}, err
	}
	for i := range changes {
		if sd, err = planDay(in, key, d, zs, changes[:i+1], &sd); err != nil {
			return ServiceDay{}, err
		}
	}
	if vs := verifyDay(in, sd, changes); len(vs) > 0 {
		return ServiceDay{}, violationsError(regionOf(in), vs)
	}
	return sd, nil
}

// NewPlan wraps service days in the vigil.plan/v1 envelope of a region: its missions with
// the rules applied to them and its zones.
func NewPlan(in Inputs, from Date, days []ServiceDay) (*Plan, error) {
	zn, err := makeZoning(in)
	if err != nil {
		return nil, err
	}
	p := newPlan(in, zn, from, len(days))
	p.ServiceDays = append(p.ServiceDays, days...)
	return p, nil
}

func newPlan(in Inputs, zn *zoning, from Date, days int) *Plan {
	p := &Plan{
		Schema:      PlanSchema,
		Region:      regionOf(in),
		Timezone:    in.Office.Location.String(),
		From:        from.String(),
		Days:        days,
		Missions:    make([]PlanMission, len(in.Missions)),
		Zones:       make([]PlanZone, len(zn.Zones)),
		ServiceDays: make([]ServiceDay, 0, days),
	}
	if in.Office.TZ != "" {
		p.Timezone = in.Office.TZ
	}
	for i, m := range in.Missions {
		pr := in.Force.Profiles[m.Threat]
		p.Missions[i] = PlanMission{
			ID: m.ID, Name: m.Name, Lat: m.Lat, Lon: m.Lon, Threat: m.Threat, Value: pr.Value,
			VisitsPerDay: pr.VisitsPerDay, MaxGapMinutes: pr.MaxGapMinutes,
			FixedPosts: m.Posts(in.Force.Profiles), Zone: zn.Zones[zn.ZoneOf[i]].ID,
		}
	}
	sort.Slice(p.Missions, func(a, b int) bool { return p.Missions[a].ID < p.Missions[b].ID })
	for i, z := range zn.Zones {
		p.Zones[i] = PlanZone{ID: z.ID, Cells: append([]string{}, z.Cells...), Missions: append([]string{}, z.Sites...)}
	}
	return p
}

// violationsError turns Verify's findings into one error naming the first few.
func violationsError(region string, vs []Violation) error {
	const show = 3
	msg := ""
	for i, v := range vs {
		if i == show {
			msg += fmt.Sprintf("; and %d more", len(vs)-show)
			break
		}
		if i > 0 {
			msg += "; "
		}
		msg += v.String()
	}
	return &InfeasibleError{Region: region, Missing: "the plan breaks a hard rule: " + msg}
}

// maxRetries is how many times a zone's day is dispatched before its failure is reported.
// Each retry re-allocates with the travel per visit the failed attempt measured (plus
// retryTravelMargin), keeps more slack below the max gaps, and from the third attempt
// plans visits closer to the minimums.
const maxRetries = 5

// retryTravelMargin is the share added to the measured travel per visit on a retry.
const retryTravelMargin = 0.1

// realisedTravel returns the travel minutes per visit of the dispatched units by mode,
// between consecutive visits (kept ones included).
func realisedTravel(units []*simUnit, tt func(Mode, int, int) int) map[Mode]float64 {
	travel, visits := map[Mode]float64{}, map[Mode]float64{}
	for _, u := range units {
		for k, v := range u.visits {
			if k > 0 {
				travel[u.zu.Mode] += float64(tt(u.zu.Mode, u.visits[k-1].Mission, v.Mission))
			}
			visits[u.zu.Mode]++
		}
	}
	out := map[Mode]float64{}
	for m, n := range visits {
		if n > 0 {
			out[m] = travel[m] / n
		}
	}
	return out
}

// planDay plans service day d; with prev set, it re-plans prev at the last change's time,
// keeping every visit that started before it (DESIGN.md §3). in is the day's own inputs
// (its version's); dispatch after a force change uses the force and zones then in effect.
func planDay(in Inputs, key []byte, d Date, zs *zonings, changes []Change, prev *ServiceDay) (ServiceDay, error) {
	eff, zn, err := zs.at(changes)
	if err != nil {
		return ServiceDay{}, err
	}
	loc := in.Office.Location
	f := in.Force
	region := regionOf(in)
	S, E := ServiceDayBounds(d, f.Shifts, loc)
	wins := ShiftWindows(d, f.Shifts, loc)
	dayMin := int(E.Sub(S) / time.Minute)
	version := InputsVersion(in, d, changes)
	travel := TravelModel(f)
	travelers := map[Mode]geo.Traveler{}
	for _, m := range Modes {
		travelers[m] = travel(m)
	}
	points := make([]geo.Point, len(in.Missions))
	index := make(map[string]int, len(in.Missions))
	for i, m := range in.Missions {
		points[i] = MissionPoint(m)
		index[m.ID] = i
	}
	tt := func(mode Mode, a, b int) int {
		if a == b {
			return 0
		}
		return travelers[mode].Minutes(points[a], points[b])
	}
	shiftEnd := make([]int, len(wins))
	for k, w := range wins {
		shiftEnd[k] = int(w.End.Sub(S) / time.Minute)
	}
	th := newThreats(in, S, dayMin, changes)
	from := 0
	kept := map[string][]visitRec{}
	out := map[string]bool{}
	prevRoute := map[string]Route{} // unit|shift → prev's route, for units a force change moved or removed
	revision := 0
	if prev != nil {
		revision = prev.Revision + 1
		at := changes[len(changes)-1].At
		from = min(max(int(math.Ceil(at.Sub(S).Minutes()-1e-9)), 0), dayMin)
		// Routes come by shift start, so each unit's visits arrive in time order, and the
		// second half of a visit split at a shift change follows its first half.
		for _, r := range prev.Routes {
			prevRoute[r.Unit+"|"+r.Shift] = r
			for _, v := range r.Visits {
				a := int(v.Arrive.Sub(S) / time.Minute)
				dep := int(v.Depart.Sub(S) / time.Minute)
				mi, ok := index[v.Mission]
				if !ok {
					return ServiceDay{}, fmt.Errorf("%s %s: re-plan: visit to unknown mission %s", region, d, v.Mission)
				}
				if ks := kept[r.Unit]; len(ks) > 0 && ks[len(ks)-1].Mission == mi && ks[len(ks)-1].Depart == a {
					ks[len(ks)-1].Depart = dep // a visit in progress is kept whole
					continue
				}
				if a < from {
					kept[r.Unit] = append(kept[r.Unit], visitRec{Mission: mi, Arrive: a, Depart: dep})
				}
			}
		}
		for _, c := range changes {
			if c.Unit != "" {
				out[c.Unit] = true
			}
		}
	}

	// Groups of zones dispatched together: a zone whose units are all out of service
	// joins the nearest zone that still has units.
	nz := len(zn.Zones)
	groupOf := make([]int, nz)
	active := func(zi int) bool {
		for _, u := range zn.Units[zi] {
			if !out[u.ID] {
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
		ci := zoneCentre(points, zn.Missions[zi])
		for zj := range zn.Zones {
			if zj != zi && active(zj) {
				if dd := geo.Haversine(ci, zoneCentre(points, zn.Missions[zj])); dd < bd {
					best, bd = zj, dd
				}
			}
		}
		if best < 0 {
			return ServiceDay{}, &InfeasibleError{Region: region, Missing: fmt.Sprintf(
				"%s: zone %s has no unit left in service and no other zone has one to take it over", d, zn.Zones[zi].ID)}
		}
		groupOf[zi] = best
	}

	groupSize := make([]int, nz)
	for zi := range groupOf {
		groupSize[groupOf[zi]]++
	}
	unitVisits := map[string][]visitRec{}
	for g := 0; g < nz; g++ {
		var ms []int
		var units []zoneUnit
		for zi := 0; zi < nz; zi++ {
			if groupOf[zi] == g {
				ms = append(ms, zn.Missions[zi]...)
				units = append(units, zn.Units[zi]...)
			}
		}
		if len(ms) == 0 {
			continue
		}
		sort.Ints(ms)
		var err error
		var res []*simUnit
		// A group of one zone starts from the zoning's travel estimate (the same
		// meanZoneTravel allocate would compute); merged groups compute their own.
		var measured map[Mode]float64
		if single := groupSize[g] == 1; single && zn.Travel != nil && zn.Travel[g] != nil {
			measured = zn.Travel[g]
		}
		for attempt := 0; ; attempt++ {
			var used map[Mode]float64
			res, used, err = dispatchGroup(eff, key, d, version, zn.Zones[g].ID, wins, shiftEnd, dayMin, from, ms, units, out, kept, th, tt, travel, measured, attempt)
			if err == nil {
				break
			}
			var fe *failureError
			if !errors.As(err, &fe) || attempt+1 >= maxRetries {
				return ServiceDay{}, err
			}
			// The realised-capacity check: the attempt was late, so the allocation is
			// redone with the travel per visit the attempt measured, with a margin.
			got := realisedTravel(res, tt)
			measured = map[Mode]float64{}
			for m, t := range used {
				measured[m] = t
				if r, ok := got[m]; ok {
					measured[m] = max(t, r) * (1 + retryTravelMargin)
				}
			}
		}
		for _, u := range res {
			unitVisits[u.zu.ID] = u.visits
		}
	}
	// Units out of service keep what they did before the change.
	for zi := range zn.Zones {
		for _, u := range zn.Units[zi] {
			if _, ok := unitVisits[u.ID]; !ok {
				unitVisits[u.ID] = kept[u.ID]
			}
		}
	}
	// Units a force change removed keep what they did before it, in the zone they had.
	type routeUnit struct {
		zoneUnit
		zone string
	}
	var all []routeUnit
	for zi, z := range zn.Zones {
		for _, u := range zn.Units[zi] {
			all = append(all, routeUnit{u, z.ID})
		}
	}
	forced := hasForceChange(changes)
	var spans unitSpans
	if forced {
		spans = newUnitSpans(in, changes)
		inZones := map[string]bool{}
		for _, u := range all {
			inZones[u.ID] = true
		}
		removed := map[string]Route{}
		for _, r := range prevRoute {
			if !inZones[r.Unit] {
				if o, ok := removed[r.Unit]; !ok || r.Start.Before(o.Start) {
					removed[r.Unit] = r
				}
			}
		}
		for _, id := range slices.Sorted(maps.Keys(removed)) {
			all = append(all, routeUnit{zoneUnit{ID: id, Mode: removed[id].Mode}, removed[id].Zone})
			unitVisits[id] = kept[id]
		}
	}

	var routes []Route
	for _, u := range all {
		{
			vs := unitVisits[u.ID]
			sortVisits(vs)
			for k, w := range wins {
				zoneID := u.zone
				if pr, ok := prevRoute[u.ID+"|"+w.Name]; ok && forced && int(w.Start.Sub(S)/time.Minute) < from {
					zoneID = pr.Zone // a shift begun before the change stays in the zone it began in
				}
				if forced && !spans.works(u.ID, w) {
					continue
				}
				r := Route{Unit: u.ID, Mode: u.Mode, Shift: w.Name, Zone: zoneID, Officers: []string{}, Start: w.Start, End: w.End, Visits: []Visit{}}
				prevMi := -1
				dist := 0.0
				lo := 0
				if k > 0 {
					lo = shiftEnd[k-1]
				}
				for _, v := range vs {
					// A visit over a shift change is split at it (relief in place).
					a, b := max(v.Arrive, lo), min(v.Depart, shiftEnd[k])
					if a < b || (a == b && v.Arrive == v.Depart && a >= lo && a < shiftEnd[k]) {
						r.Visits = append(r.Visits, Visit{
							Mission: in.Missions[v.Mission].ID,
							Arrive:  S.Add(time.Duration(a) * time.Minute).In(loc),
							Depart:  S.Add(time.Duration(b) * time.Minute).In(loc),
						})
						if prevMi >= 0 {
							dist += travelers[u.Mode].Metres(points[prevMi], points[v.Mission])
						}
						prevMi = v.Mission
					}
				}
				r.DistanceM = int(math.Round(dist))
				routes = append(routes, r)
			}
		}
	}
	sort.SliceStable(routes, func(a, b int) bool {
		if !routes[a].Start.Equal(routes[b].Start) {
			return routes[a].Start.Before(routes[b].Start)
		}
		return routes[a].Unit < routes[b].Unit
	})
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
		Date: d.String(), Version: version, Revision: revision,
		Start: S.In(loc), End: E.In(loc), Routes: routes, Posts: posts,
	}, nil
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
// `from`, starting from the visits kept before it.
func dispatchGroup(in Inputs, key []byte, d Date, version, zoneID string, wins []ShiftWindow, shiftEnd []int, dayMin, from int,
	ms []int, units []zoneUnit, out map[string]bool, kept map[string][]visitRec, th *threats,
	tt func(Mode, int, int) int, travel func(Mode) geo.Traveler, measured map[Mode]float64, attempt int) ([]*simUnit, map[Mode]float64, error) {
	region := regionOf(in)
	var activeUnits []zoneUnit
	for _, u := range units {
		if !out[u.ID] {
			activeUnits = append(activeUnits, u)
		}
	}
	profAt := func(mi int) Profile { return in.Force.Profiles[th.at(mi, from)] }
	al, err := allocate(in, zoneID, ms, activeUnits, profAt, float64(dayMin), travel, measured)
	if err != nil && from == 0 {
		return nil, nil, err
	}
	// The dispatch runs twice. A visit arrives when a unit can get there, which is often
	// after its drawn due time, so a mission's realised gaps are its drawn gaps plus its
	// delays, which are longer at the edge of a zone than at its centre. The pilot run
	// measures each mission's mean delay; the second draws gaps shorter by it, so every
	// mission gets about the visits its allocation planned. Both runs draw from streams of
	// the same labels, so the plan stays a pure function of its inputs.
	ids := slices.Clone(ms)
	for _, u := range units {
		ids = append(ids, u.Home)
	}
	memo := newTravelMemo(tt, ids)
	build := func(delay []float64) (*timeline, []*simUnit) {
		tl := &timeline{in: in, dayMin: dayMin, shiftEnd: shiftEnd, threat: th.at, travel: memo.minutes, slackPlus: 15 * attempt, conservative: attempt > 0, loose: attempt > 1}
		for _, w := range wins {
			tl.rngs = append(tl.rngs, NewRand(key, region, d, zoneID, w.Name, version))
		}
		// Presences kept before `from`, merged per mission, whichever unit made them: after a
		// force change a mission's earlier visits may be by a unit now in another zone.
		presence := map[int][]visitRec{}
		for _, u := range slices.Sorted(maps.Keys(kept)) {
			for _, v := range kept[u] {
				presence[v.Mission] = append(presence[v.Mission], v)
			}
		}
		for i, mi := range ms {
			p := profAt(mi)
			n := al.Visits[i]
			if n <= 0 {
				n = MinimumVisits(p, float64(dayMin))
			}
			// Each retry plans closer to the minimums, leaving the units more room.
			if attempt > 1 && len(al.Minimums) == len(ms) {
				n = al.Minimums[i] + (n-al.Minimums[i])*max(0, 1-0.3*float64(attempt-1))
			}
			g := math.Max(1, (float64(dayMin)-n*MeanDwell(p))/n)
			if delay != nil {
				g = max(g-delay[i], g*minDelayShare, 1)
			}
			m := &simMission{idx: mi, minimum: th.minimum(mi), meanGap: g}
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
			for _, c := range th.points(mi) {
				if c <= from && c >= m.lastEndOr(0) {
					m.deadline = min(m.deadline, c+tl.prof(mi, c).MaxGapMinutes)
				}
			}
			tl.missions = append(tl.missions, m)
		}
		var sims []*simUnit
		for _, u := range units {
			su := &simUnit{zu: u, pos: u.Home, free: from, anywhere: true}
			vs := append([]visitRec(nil), kept[u.ID]...)
			sortVisits(vs)
			su.visits = vs
			if len(vs) > 0 {
				last := vs[len(vs)-1]
				su.pos, su.free, su.anywhere = last.Mission, max(last.Depart, from), false
			}
			sims = append(sims, su)
			if !out[u.ID] {
				tl.units = append(tl.units, su)
			}
		}
		// Handovers (timeline.handover): every unit ends the day at its handover mission of
		// the next day, and starts at today's where it has done nothing before `from`.
		tl.endAt = make([]int, len(tl.units))
		for k, u := range tl.units {
			tl.endAt[k] = tl.handover(key, region, d.AddDays(1), k)
			if len(u.visits) == 0 && from == 0 {
				u.pos, u.anywhere = tl.handover(key, region, d, k), false
			}
		}
		return tl, sims
	}
	tl, sims := build(nil)
	tl.run(from)
	if len(tl.failures) == 0 {
		delay := make([]float64, len(ms))
		for i, m := range tl.missions {
			if m.delayN > 0 {
				delay[i] = float64(m.delaySum) / float64(m.delayN)
			}
		}
		// Should the corrected run miss a hard rule, the pilot stands.
		tl2, sims2 := build(delay)
		if tl2.run(from); len(tl2.failures) == 0 {
			tl, sims = tl2, sims2
		}
	}
	if len(tl.failures) > 0 {
		f := tl.failures[0]
		return sims, al.Travel, &failureError{&InfeasibleError{Region: region, Missing: fmt.Sprintf(
			"%s: mission %s (zone %s, %d units): %s; the zone needs more units",
			d, in.Missions[f.mission].ID, zoneID, len(tl.units), f.what)}}
	}
	return sims, al.Travel, nil
}

// minDelayShare bounds the dispatch's delay correction: a mission's drawn mean gap is
// never shortened below this share of its planned gap.
const minDelayShare = 0.5
