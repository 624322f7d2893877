package scheduler

import (
	"math/rand/v2"
	"slices"
)

// Sectors. Days are planned on their own, so where a unit ends one day must be known to
// the next without it. A unit's sector is the missions of its zone nearer its home than
// any other vehicle unit's home (a foot unit's: those within footSectorMinutes' walk of
// its home). A unit ends its day at its handover mission, drawn from its sector (handover),
// and the next day starts it there; a unit that has no handover (a re-plan's unit added
// mid-day) may stand anywhere in its sector, and the next trip allows the longest trip
// into the mission from anywhere in it.
const footSectorMinutes = 10

// sectors computes every unit's sector once.
func (tl *timeline) sectors() {
	if tl.sector != nil {
		return
	}
	tl.sector = make([]map[int]bool, len(tl.units))
	vehicles := false
	for _, u := range tl.units {
		vehicles = vehicles || u.zu.Mode == Vehicle
	}
	for k := range tl.units {
		tl.sector[k] = map[int]bool{tl.units[k].zu.Home: true}
	}
	for _, m := range tl.missions {
		best, bt := -1, 0
		for k, u := range tl.units {
			if vehicles && u.zu.Mode != Vehicle {
				if tl.travel(Foot, u.zu.Home, m.idx) <= footSectorMinutes {
					tl.sector[k][m.idx] = true
				}
				continue
			}
			t := tl.travel(u.zu.Mode, u.zu.Home, m.idx)
			if best < 0 || t < bt {
				best, bt = k, t
			}
		}
		if best >= 0 {
			tl.sector[best][m.idx] = true
		}
	}
}

// sectorBack is the shortest trip of unit k from mission mi back into its sector, or to
// its handover mission when it has one.
func (tl *timeline) sectorBack(k, mi int) int {
	if tl.endAt != nil && tl.endAt[k] >= 0 {
		return tl.travel(tl.units[k].zu.Mode, mi, tl.endAt[k])
	}
	tl.sectors()
	if tl.sector[k][mi] {
		return 0
	}
	key := sectorKey{k, mi}
	if v, ok := tl.back[key]; ok {
		return v
	}
	w := -1
	for x := range tl.sector[k] {
		t := tl.travel(tl.units[k].zu.Mode, mi, x)
		if w < 0 || t < w {
			w = t
		}
	}
	if tl.back == nil {
		tl.back = map[sectorKey]int{}
	}
	tl.back[key] = w
	return w
}

// fromSector is the longest trip of unit k into mission mi from anywhere in its sector:
// where the unit may stand when its service day starts.
func (tl *timeline) fromSector(k, mi int) int {
	tl.sectors()
	key := sectorKey{k, mi}
	if v, ok := tl.in0[key]; ok {
		return v
	}
	w := 0
	for x := range tl.sector[k] {
		w = max(w, tl.travel(tl.units[k].zu.Mode, x, mi))
	}
	if tl.in0 == nil {
		tl.in0 = map[sectorKey]int{}
	}
	tl.in0[key] = w
	return w
}

type sectorKey struct{ unit, mi int }

// Handover. Where sectors are wide (few units for a wide city), a start from anywhere in
// the sector leaves every mission of it without a presence for the sector's width after
// the day's start, every day, which the historical adversary learns. So each unit ends its
// day at a handover mission of its sector and the next day starts it there: both days draw
// it from the same keyed stream (plan key, region, the date of the day that starts,
// "handover", unit), weighted by the missions' values, so it changes unpredictably from day
// to day and favours the missions that need presence most. The gap at the handover
// mission is bridged; the others get the trip from it, and lose the trip to it at the end.

// handoverLabel is the zone label of the handover streams; they carry no inputs version,
// since the two days joined by a handover may have different versions.
const handoverLabel = "handover"

// handovers draws the handover mission of every unit for the day starting on date, in
// unit order, each from its pool (handoverPool) less the missions units before it drew
// (where the pool has others), so no two units end the day at the same mission. Where a
// draw leaves a mission so far from every handover that no unit could visit it in the
// day's last half max gap and still close its day (covered), the draw is made again from
// the same stream, up to handoverDraws times; what is still not covered then becomes the
// handover of the unit whose handover is nearest it.
func (tl *timeline) handovers(key []byte, region string, date Date) []int {
	rs := make([]*rand.Rand, len(tl.units))
	for k := range tl.units {
		rs[k] = NewRand(key, region, date, handoverLabel, tl.units[k].zu.ID, "")
	}
	var out []int
	for try := 0; try < handoverDraws; try++ {
		out = tl.drawHandovers(rs)
		if len(tl.uncovered(out)) == 0 {
			return out
		}
	}
	for _, mi := range tl.uncovered(out) {
		best, bt := -1, 0
		for k, x := range out {
			if t := tl.travel(tl.units[k].zu.Mode, mi, x); best < 0 || t < bt {
				best, bt = k, t
			}
		}
		if best >= 0 {
			out[best] = mi
		}
	}
	return out
}

// handoverDraws is how many draws of the handovers covered gets before it is forced.
const handoverDraws = 8

// drawHandovers makes one draw of every unit's handover from its stream.
func (tl *timeline) drawHandovers(rs []*rand.Rand) []int {
	taken := map[int]bool{}
	out := make([]int, len(tl.units))
	for k := range tl.units {
		pool := tl.handoverPool(k)
		ms := make([]int, 0, len(pool))
		for _, x := range pool {
			if !taken[x] {
				ms = append(ms, x)
			}
		}
		if len(ms) == 0 {
			ms = pool
		}
		out[k] = tl.drawHandover(rs[k], ms)
		taken[out[k]] = true
	}
	return out
}

// uncovered returns the missions no unit can visit within the last half max gap of the
// day (at its level in the inputs) and still reach its handover in hs, sorted.
func (tl *timeline) uncovered(hs []int) []int {
	var out []int
	for _, m := range tl.missions {
		p := tl.in.Force.Profiles[tl.in.Missions[m.idx].Threat]
		ok := false
		for k, x := range hs {
			if tl.travel(tl.units[k].zu.Mode, m.idx, x)+2*p.DwellMinutes[1]+endMargin <= p.MaxGapMinutes/2 {
				ok = true
				break
			}
		}
		if !ok {
			out = append(out, m.idx)
		}
	}
	slices.Sort(out)
	return out
}

// minHandoverPool bounds the fewest missions a unit's handover is drawn from: its sector,
// or, where the sector is smaller than the zone's missions per unit (up to this many), the
// missions of the zone nearest its home. A sector of one
// or two missions would make the same mission the unit's handover almost every day, with
// a closing visit at the same minutes, which an observer learns; among eight, no mission
// closes a day more than about one day in eight (less as the weights spread).
const minHandoverPool = 8

// handoverPool returns the missions the k-th unit's handover is drawn from, sorted.
func (tl *timeline) handoverPool(k int) []int {
	tl.sectors()
	if tl.pools == nil {
		tl.pools = map[int][]int{}
	}
	if p, ok := tl.pools[k]; ok {
		return p
	}
	// Only the missions the timeline dispatches: a unit's home may be a mission deleted
	// during the day (a mission edit), which no visit may close the day at.
	inTL := make(map[int]bool, len(tl.missions))
	for _, m := range tl.missions {
		inTL[m.idx] = true
	}
	var pool []int
	for x := range tl.sector[k] {
		if inTL[x] {
			pool = append(pool, x)
		}
	}
	// At least the zone's missions per unit, at most minHandoverPool: a wider pool
	// would send units far across a sparse zone to hand over.
	want := min(minHandoverPool, (len(tl.missions)+len(tl.units)-1)/max(len(tl.units), 1))
	if len(pool) < want {
		u := tl.units[k]
		all := make([]int, 0, len(tl.missions))
		for _, m := range tl.missions {
			all = append(all, m.idx)
		}
		slices.SortFunc(all, func(a, b int) int {
			if ta, tb := tl.travel(u.zu.Mode, u.zu.Home, a), tl.travel(u.zu.Mode, u.zu.Home, b); ta != tb {
				return ta - tb
			}
			return a - b
		})
		for _, x := range all {
			if len(pool) >= want {
				break
			}
			if !tl.sector[k][x] {
				pool = append(pool, x)
			}
		}
	}
	slices.Sort(pool)
	tl.pools[k] = pool
	return pool
}

// drawHandover draws one of ms in proportion to its handover weight.
func (tl *timeline) drawHandover(r *rand.Rand, ms []int) int {
	total := 0.0
	for _, x := range ms {
		total += tl.handoverWeight(x)
	}
	w := r.Float64() * total
	for _, x := range ms {
		if w -= tl.handoverWeight(x); w < 0 {
			return x
		}
	}
	return ms[len(ms)-1]
}

// riskWindow is how close to the horizon a deadline puts its mission first: riskMinutes
// plus the zone's long trips (the 90th percentile of the travel between its missions),
// since a unit sent when the deadline is near must still get there.
func (tl *timeline) riskWindow() int {
	if tl.risk > 0 {
		return tl.risk
	}
	var ts []int
	step := max(1, len(tl.missions)/40)
	for i := 0; i < len(tl.missions); i += step {
		for j := 0; j < len(tl.missions); j += step {
			if i != j && len(tl.units) > 0 {
				ts = append(ts, tl.travel(tl.units[0].zu.Mode, tl.missions[i].idx, tl.missions[j].idx))
			}
		}
	}
	tl.risk = riskMinutes
	if len(ts) > 0 {
		slices.Sort(ts)
		tl.risk += ts[len(ts)*9/10]
	}
	return tl.risk
}

// reach is the shortest way from mission mi back to any unit's handover mission: the
// least time a visit there must leave before the day's end.
func (tl *timeline) reach(mi int) int {
	if tl.endAt == nil || len(tl.units) == 0 {
		return 0
	}
	if tl.reachOf == nil {
		tl.reachOf = map[int]int{}
	}
	if v, ok := tl.reachOf[mi]; ok {
		return v
	}
	best := -1
	for k := range tl.units {
		if t := tl.sectorBack(k, mi); best < 0 || t < best {
			best = t
		}
	}
	tl.reachOf[mi] = best
	return best
}

// handoverWeight is a mission's weight in the handover draw: its value at its level in the
// inputs (not a change's level, which the next day may not share).
func (tl *timeline) handoverWeight(mi int) float64 {
	m := tl.in.Missions[mi]
	p := tl.in.Force.Profiles[m.Threat]
	posted := m.Posts(tl.in.Force.Profiles) > 0
	return max(FloorVisits(p, tl.in.Force.Randomization.VisitsPerMaxGap, checkDayMinutes, posted)*MeanDwell(p), 0.1)
}
