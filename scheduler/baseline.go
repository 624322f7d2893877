package scheduler

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"vigil/geo"
)

// FixedBaseline returns the "fixed" baseline of p (DESIGN.md §4): the first service day's
// routes repeated at the same wall-clock times on every service day, with the same
// missions, units, dwell and distance; only the timing differs from p. Each repeated route
// keeps the officers of p's route of the same unit and shift that day, when there is one,
// and every day keeps p's posts.
//
// A time maps to the same wall clock on the same calendar day relative to its service day
// (the 01:30 of service day 1, which falls on calendar day 2, maps to 01:30 on the calendar
// day after service day k). On DST days a repeated clock maps to its first occurrence, and
// a clock that does not exist that day shifts forward by the skipped time (02:30 becomes
// 03:30 on a spring-forward night, as RFC 5545 reads such a time). A visit keeps its dwell
// from its mapped arrival, so visits moved out of a skipped hour may overlap the unit's
// next ones that night, as an unaided roster's would; visits stay ordered by arrival.
func FixedBaseline(p *Plan) (*Plan, error) {
	if p == nil || len(p.ServiceDays) == 0 {
		return nil, errors.New("fixed baseline: plan has no service days")
	}
	loc, err := time.LoadLocation(p.Timezone)
	if err != nil {
		return nil, fmt.Errorf("fixed baseline: plan timezone %q: %w", p.Timezone, err)
	}
	dates := make([]Date, len(p.ServiceDays))
	for k, d := range p.ServiceDays {
		if dates[k], err = ParseDate(d.Date); err != nil {
			return nil, fmt.Errorf("fixed baseline: service day %d: %w", k, err)
		}
	}
	out := baselineCopyHeader(p)
	day0 := p.ServiceDays[0]
	for k, d := range p.ServiceDays {
		nd := d
		nd.Posts = slices.Clone(d.Posts)
		if k == 0 {
			nd.Routes = baselineCloneRoutes(d.Routes)
			out.ServiceDays = append(out.ServiceDays, nd)
			continue
		}
		move := func(t time.Time) time.Time {
			lt := t.In(loc)
			date := dates[k].AddDays(DateOf(lt).DaysSince(dates[0]))
			m, _ := wallClockTime(date, lt.Hour()*60+lt.Minute(), lt.Second(), loc)
			return m
		}
		crews := map[[2]string][]string{}
		for _, rt := range d.Routes {
			crews[[2]string{rt.Unit, rt.Shift}] = rt.Officers
		}
		nd.Routes = make([]Route, 0, len(day0.Routes))
		for _, rt := range day0.Routes {
			nr := rt
			if o, ok := crews[[2]string{rt.Unit, rt.Shift}]; ok {
				nr.Officers = o
			}
			nr.Officers = slices.Clone(nr.Officers)
			nr.Start, nr.End = move(rt.Start), move(rt.End)
			nr.Visits = make([]Visit, len(rt.Visits))
			for j, v := range rt.Visits {
				a := move(v.Arrive)
				nr.Visits[j] = Visit{Mission: v.Mission, Arrive: a, Depart: a.Add(v.Depart.Sub(v.Arrive))}
			}
			slices.SortStableFunc(nr.Visits, func(x, y Visit) int { return x.Arrive.Compare(y.Arrive) })
			nd.Routes = append(nd.Routes, nr)
		}
		baselineSortRoutes(nd.Routes)
		out.ServiceDays = append(out.ServiceDays, nd)
	}
	return out, nil
}

// ShuffledBaseline returns the "shuffled" baseline of p (DESIGN.md §4): every route's
// visits in a new random order drawn from rng, evenly spaced over the route's shift with
// the same dwell (see baselineSpace). Travel times are not enforced (the baseline measures
// timing only); distance_m is recomputed for the new order with the default model
// (haversine × 1.35). Units, officers and posts are p's.
func ShuffledBaseline(p *Plan, rng *rand.Rand) (*Plan, error) {
	return baselineRelay(p, rng, "shuffled", func(rt *Route, _ []string) {
		vs := rt.Visits
		rng.Shuffle(len(vs), func(i, j int) { vs[i], vs[j] = vs[j], vs[i] })
	})
}

// RoundsBaseline returns the "rounds" baseline of p (DESIGN.md §4), what guard-tour
// products call random tours: every route keeps its unit, shift and number of visits, and
// walks its zone's missions in rounds, each mission once a round in a fresh random order
// drawn from rng, with no weighting by value; a last, partial round takes the first
// missions of its order. The visits are evenly spaced over the shift (see baselineSpace),
// each with the route's mean dwell rounded to the second. A route whose zone is not in p
// walks the missions it visits in p. Travel times are not enforced; distance_m is
// recomputed as for ShuffledBaseline. Units, officers and posts are p's.
func RoundsBaseline(p *Plan, rng *rand.Rand) (*Plan, error) {
	if p == nil {
		return nil, errors.New("rounds baseline: plan has no service days")
	}
	zones := make(map[string][]string, len(p.Zones))
	for _, z := range p.Zones {
		zones[z.ID] = z.Missions
	}
	return baselineRelay(p, rng, "rounds", func(rt *Route, visited []string) {
		ms, ok := zones[rt.Zone]
		if !ok || len(ms) == 0 {
			ms = visited
		}
		var dwell time.Duration
		for _, v := range rt.Visits {
			dwell += v.Depart.Sub(v.Arrive)
		}
		stay := (dwell / time.Duration(len(rt.Visits))).Round(time.Second)
		for j := 0; j < len(rt.Visits); {
			for _, k := range rng.Perm(len(ms)) {
				if j == len(rt.Visits) {
					break
				}
				rt.Visits[j] = Visit{Mission: ms[k], Arrive: rt.Start, Depart: rt.Start.Add(stay)}
				j++
			}
		}
	})
}

// baselineRelay copies p and, in every route with visits, lets reorder rewrite the
// visits in place (their missions and dwells; their times are then set by baselineSpace),
// given the route's visited missions in sorted order. It checks that every mission
// visited, before and after, is in p.
func baselineRelay(p *Plan, rng *rand.Rand, name string, reorder func(rt *Route, visited []string)) (*Plan, error) {
	if p == nil || len(p.ServiceDays) == 0 {
		return nil, fmt.Errorf("%s baseline: plan has no service days", name)
	}
	if rng == nil {
		return nil, fmt.Errorf("%s baseline: no random source", name)
	}
	points := make(map[string]geo.Point, len(p.Missions))
	for _, m := range p.Missions {
		points[m.ID] = geo.Point{Lat: m.Lat, Lon: m.Lon}
	}
	check := func(d ServiceDay, rt *Route) error {
		for _, v := range rt.Visits {
			if _, ok := points[v.Mission]; !ok {
				return fmt.Errorf("%s baseline: %s route of %s visits unknown mission %q", name, d.Date, rt.Unit, v.Mission)
			}
		}
		return nil
	}
	out := baselineCopyHeader(p)
	for _, d := range p.ServiceDays {
		nd := d
		nd.Posts = slices.Clone(d.Posts)
		nd.Routes = baselineCloneRoutes(d.Routes)
		for ri := range nd.Routes {
			rt := &nd.Routes[ri]
			if err := check(d, rt); err != nil {
				return nil, err
			}
			if len(rt.Visits) == 0 {
				continue
			}
			visited := make([]string, 0, len(rt.Visits))
			for _, v := range rt.Visits {
				visited = append(visited, v.Mission)
			}
			slices.Sort(visited)
			reorder(rt, slices.Compact(visited))
			if err := check(d, rt); err != nil {
				return nil, err
			}
			baselineSpace(rt, points)
		}
		out.ServiceDays = append(out.ServiceDays, nd)
	}
	return out, nil
}

// baselineSpace spaces a route's visits evenly over its shift, in their order and with
// their dwells: with n visits and s spare minutes (shift minus dwell), visits are s/n
// apart and the shift begins and ends with half of that, so spacing stays even across
// shift changes. Arrivals are rounded to the minute. It recomputes distance_m for the
// order with the default model (haversine × 1.35).
func baselineSpace(rt *Route, points map[string]geo.Point) {
	crow := geo.Crow{Circuity: DefaultCircuity, SpeedKmh: DefaultVehicleKmh}
	vs := rt.Visits
	dwell := 0.0
	for _, v := range vs {
		dwell += v.Depart.Sub(v.Arrive).Minutes()
	}
	gap := max(0, (rt.End.Sub(rt.Start).Minutes()-dwell)/float64(len(vs)))
	at := gap / 2
	metres := 0.0
	for j, v := range vs {
		stay := v.Depart.Sub(v.Arrive)
		a := rt.Start.Add(time.Duration(math.Round(at)) * time.Minute)
		vs[j] = Visit{Mission: v.Mission, Arrive: a, Depart: a.Add(stay)}
		at += stay.Minutes() + gap
		if j > 0 {
			metres += crow.Metres(points[vs[j-1].Mission], points[v.Mission])
		}
	}
	rt.DistanceM = int(math.Round(metres))
}

// baselineCopyHeader returns a copy of p without service days (missions and zones copied).
func baselineCopyHeader(p *Plan) *Plan {
	out := *p
	out.Missions = slices.Clone(p.Missions)
	out.Zones = slices.Clone(p.Zones)
	out.ServiceDays = make([]ServiceDay, 0, len(p.ServiceDays))
	return &out
}

// baselineCloneRoutes deep-copies routes (visits and officers).
func baselineCloneRoutes(rs []Route) []Route {
	out := slices.Clone(rs)
	for i := range out {
		out[i].Visits = slices.Clone(rs[i].Visits)
		out[i].Officers = slices.Clone(rs[i].Officers)
	}
	return out
}

// baselineSortRoutes orders routes by start, then unit (the plan JSON order, DESIGN.md §5).
func baselineSortRoutes(rs []Route) {
	slices.SortStableFunc(rs, func(x, y Route) int {
		if c := x.Start.Compare(y.Start); c != 0 {
			return c
		}
		switch {
		case x.Unit < y.Unit:
			return -1
		case x.Unit > y.Unit:
			return 1
		}
		return 0
	})
}
