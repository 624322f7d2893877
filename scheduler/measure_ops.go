package scheduler

import (
	"math"
	"math/rand/v2"
	"slices"
	"sort"

	"vigil/geo"
)

// compliance is §4.1: the share of mission-days (every mission of the plan, those with a
// post included, counting their patrol visits) that have at least visits_per_day presences
// starting in the service day and no gap over max_gap_minutes. A gap runs from the end of
// one presence to the start of the next on the continuous timeline; nothing is counted
// before the run's first presence of a mission or after its last. A gap over the cap fails
// every service day it overlaps (the strict reading: both days of a gap across a day
// boundary fail). A max gap of 0 means no cap.
func (r *measureRun) compliance() float64 {
	n := r.days()
	if len(r.pres) == 0 {
		return 1
	}
	fail := make([]bool, n)
	count := make([]int, n)
	pass := 0
	for i, ps := range r.pres {
		m := r.p.Missions[i]
		clear(fail)
		clear(count)
		for j, s := range ps {
			count[r.dayOf(s.a)]++
			if j+1 == len(ps) || m.MaxGapMinutes <= 0 {
				continue
			}
			e, next := s.b, ps[j+1].a
			if next-e <= float64(m.MaxGapMinutes)+1e-9 {
				continue
			}
			for k := r.dayOf(e); k < n && r.dayStart[k] < next; k++ {
				if r.dayStart[k+1] > e {
					fail[k] = true
				}
			}
		}
		for k := range n {
			if !fail[k] && count[k] >= m.VisitsPerDay {
				pass++
			}
		}
	}
	return float64(pass) / float64(n*len(r.pres))
}

// efficiency is §4.5: minutes at missions over unit minutes on shift, and route distance
// per visit, over every route of the run.
func (r *measureRun) efficiency() EfficiencyReport {
	var onSite, onShift, metres float64
	visits := 0
	for _, d := range r.p.ServiceDays {
		for _, rt := range d.Routes {
			onShift += rt.End.Sub(rt.Start).Minutes()
			metres += float64(rt.DistanceM)
			for _, v := range rt.Visits {
				onSite += v.Depart.Sub(v.Arrive).Minutes()
			}
			visits += len(rt.Visits)
		}
	}
	var rep EfficiencyReport
	if onShift > 0 {
		rep.OnSiteShare = onSite / onShift
	}
	if visits > 0 {
		rep.KmPerVisit = metres / float64(visits) / 1000
	}
	return rep
}

func (r *measureRun) point(mission string) geo.Point {
	m := r.p.Missions[r.index[mission]]
	return geo.Point{Lat: m.Lat, Lon: m.Lon}
}

// response is §4.6: perDay incidents in each service day, each at a uniform time of the
// day and a uniform mission of the plan; its ETA is the least travel time of the units on
// shift then (routes with start ≤ t < end) from their positions (PositionAt) under the
// travel model of their mode. Incidents with no unit on shift are not counted. The
// percentiles are nearest-rank.
func (r *measureRun) response(perDay int, rng *rand.Rand, travel func(Mode) geo.Traveler) ResponseReport {
	var etas []float64
	models := map[Mode]geo.Traveler{}
	model := func(m Mode) geo.Traveler {
		tr, ok := models[m]
		if !ok {
			tr = travel(m)
			models[m] = tr
		}
		return tr
	}
	if len(r.p.Missions) == 0 {
		return ResponseReport{}
	}
	for k, d := range r.p.ServiceDays {
		length := r.dayStart[k+1] - r.dayStart[k]
		for range perDay {
			t := r.at(r.dayStart[k] + rng.Float64()*length)
			m := r.p.Missions[rng.IntN(len(r.p.Missions))]
			target := geo.Point{Lat: m.Lat, Lon: m.Lon}
			best := math.Inf(1)
			for _, rt := range d.Routes {
				if t.Before(rt.Start) || !t.Before(rt.End) {
					continue
				}
				tr := model(rt.Mode)
				pos, _, ok := PositionAt(rt, t, r.point, tr)
				if !ok {
					continue
				}
				best = min(best, float64(tr.Minutes(pos, target)))
			}
			if !math.IsInf(best, 1) {
				etas = append(etas, best)
			}
		}
	}
	slices.Sort(etas)
	return ResponseReport{Incidents: len(etas), P50: nearestRank(etas, 0.5), P90: nearestRank(etas, 0.9)}
}

// posts is §4.7. Every post id that appears in the plan is expected on every service day:
// a day where it is missing is uncovered whole. The longest block run is the most
// consecutive blocks (by start, across service days) one officer stands at one post. Post
// and night hours (22:00–06:00 local; route shifts and post blocks overlapping it) are
// summed per officer over every officer named in a route or a block, and their population
// standard deviations reported.
func (r *measureRun) posts() PostsReport {
	var rep PostsReport
	byPost := map[string][]Block{}
	var ids []string
	for _, d := range r.p.ServiceDays {
		for _, po := range d.Posts {
			if _, ok := byPost[po.Post]; !ok {
				ids = append(ids, po.Post)
			}
			byPost[po.Post] = append(byPost[po.Post], po.Blocks...)
		}
	}
	slices.Sort(ids)

	// Uncovered minutes per post-day.
	if len(ids) > 0 {
		uncovered := 0.0
		for k, d := range r.p.ServiceDays {
			ds, de := r.dayStart[k], r.dayStart[k+1]
			present := map[string][]mspan{}
			for _, po := range d.Posts {
				for _, b := range po.Blocks {
					a, e := max(ds, r.minutes(b.Start)), min(de, r.minutes(b.End))
					if e > a {
						present[po.Post] = append(present[po.Post], mspan{a, e})
					}
				}
			}
			for _, id := range ids {
				covered := 0.0
				for _, s := range mergeMSpans(present[id]) {
					covered += s.b - s.a
				}
				uncovered += de - ds - covered
			}
		}
		rep.UncoveredMinutesPerPostDay = uncovered / float64(len(ids)*r.days())
	}

	// Longest run of consecutive blocks by one officer at one post.
	for _, id := range ids {
		bs := byPost[id]
		slices.SortStableFunc(bs, func(x, y Block) int { return x.Start.Compare(y.Start) })
		streak := 0
		for j, b := range bs {
			if j > 0 && bs[j-1].Officer == b.Officer {
				streak++
			} else {
				streak = 1
			}
			rep.LongestBlockRun = max(rep.LongestBlockRun, streak)
		}
	}

	// Post and night hours per officer.
	nights := r.nights()
	post := map[string]float64{}
	night := map[string]float64{}
	for _, d := range r.p.ServiceDays {
		for _, rt := range d.Routes {
			h := overlapMinutes(nights, r.minutes(rt.Start), r.minutes(rt.End)) / 60
			for _, o := range rt.Officers {
				post[o] += 0
				night[o] += h
			}
		}
		for _, po := range d.Posts {
			for _, b := range po.Blocks {
				a, e := r.minutes(b.Start), r.minutes(b.End)
				post[b.Officer] += (e - a) / 60
				night[b.Officer] += overlapMinutes(nights, a, e) / 60
			}
		}
	}
	rep.PostHoursSD = populationSD(post)
	rep.NightHoursSD = populationSD(night)
	return rep
}

// nights returns the 22:00–06:00 local spans around the run, in run minutes, by start.
func (r *measureRun) nights() []mspan {
	var out []mspan
	first, last := r.dates[0].AddDays(-1), r.dates[len(r.dates)-1].AddDays(1)
	for d := first; !last.Before(d); d = d.AddDays(1) {
		a, _ := wallClockTime(d, 22*60, 0, r.loc)
		b, _ := wallClockTime(d.AddDays(1), 6*60, 0, r.loc)
		out = append(out, mspan{r.minutes(a), r.minutes(b)})
	}
	return out
}

// overlapMinutes returns the minutes of [a, b) inside the sorted, disjoint spans.
func overlapMinutes(spans []mspan, a, b float64) float64 {
	k := sort.Search(len(spans), func(i int) bool { return spans[i].b > a })
	total := 0.0
	for ; k < len(spans) && spans[k].a < b; k++ {
		total += max(0, min(b, spans[k].b)-max(a, spans[k].a))
	}
	return total
}

// stddev returns the population standard deviation of the map's values (0 when empty).
func populationSD(m map[string]float64) float64 {
	if len(m) == 0 {
		return 0
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys) // a fixed summation order keeps the result reproducible
	mean := 0.0
	for _, k := range keys {
		mean += m[k]
	}
	mean /= float64(len(keys))
	v := 0.0
	for _, k := range keys {
		v += (m[k] - mean) * (m[k] - mean)
	}
	return math.Sqrt(v / float64(len(keys)))
}

// GapsAfterDeparture returns every gap of the plan in minutes, from the end of a presence
// to the start of the next at the same mission, missions in plan order and gaps in time
// order (for the gap-distribution chart). It returns nil for a plan Measure would refuse.
func GapsAfterDeparture(p *Plan) []float64 {
	r, err := newMeasureRun(p)
	if err != nil {
		return nil
	}
	var out []float64
	for _, ps := range r.pres {
		for j := 0; j+1 < len(ps); j++ {
			out = append(out, ps[j+1].a-ps[j].b)
		}
	}
	return out
}

// PresencesByHour returns how many presences start in each local hour of the day, over
// every mission and service day of the plan.
func PresencesByHour(p *Plan) [24]int {
	var out [24]int
	r, err := newMeasureRun(p)
	if err != nil {
		return out
	}
	for _, ps := range r.pres {
		for _, s := range ps {
			out[r.at(s.a).Hour()]++
		}
	}
	return out
}
