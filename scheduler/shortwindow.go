package scheduler

// Short windows (DESIGN.md §3). A unit leaving a mission is at once taken by the zone's
// backlog, and where units are few no other unit is near: a gap drawn short would start
// late, and the first minutes after every departure would go unvisited, which a live
// attacker learns. So when the drawn gap is shorter than the unit's way out to the nearest
// other mission of its zone, a visit there and the way back (it could do nothing else in
// that time), or than the mean delay the mission's visits have met so far (the dispatch
// would not make it in time anyway), the unit doubles back: it stays near and returns at
// the drawn time, unless that puts another mission's deadline at risk that no other unit
// can meet. Short gaps then occur about as often as the gap law draws them, at the cost of
// the unit's wait, which is never longer than that bound.

// doubleBack reports whether the k-th unit, which has just left mission m, returns to it
// at its drawn due time: the gap is shorter than the round trip through the nearest other
// mission (or the mission's mean delay), the visit fits the day, and no other mission's
// deadline is at risk meanwhile.
func (tl *timeline) doubleBack(m *simMission, k int) bool {
	u := tl.units[k]
	gap := m.due - m.lastEnd
	// A retry (conservative) is short of unit time: its units do not wait.
	if tl.conservative || gap <= 0 || m.due > m.deadline {
		return false
	}
	wait := tl.roundTrip(k, m.idx)
	if m.delayN > 0 {
		wait = max(wait, m.delaySum/m.delayN)
	}
	if gap >= wait {
		return false
	}
	if _, ok := tl.fit(k, m.idx, m.due, tl.prof(m.idx, m.due).DwellMinutes[0]); !ok {
		return false
	}
	busy := m.due + tl.prof(m.idx, m.due).DwellMinutes[1]
	for _, o := range tl.queue {
		if o != m && o.edf <= busy+tl.travel(u.zu.Mode, m.idx, o.idx)+riskMinutes && !tl.otherCan(k, o) {
			return false
		}
	}
	return true
}

// otherCan reports whether a unit other than the k-th can reach mission o within its
// deadline, with riskMinutes to spare.
func (tl *timeline) otherCan(k int, o *simMission) bool {
	for j, v := range tl.units {
		if j != k && max(o.due, v.free+tl.unitTravel(j, o.idx))+riskMinutes <= o.edf {
			return true
		}
	}
	return false
}

// roundTrip is the k-th unit's shortest way from mission mi to another mission of its
// zone, its shortest visit there and the way back: the least time the unit leaving mi
// needs to serve anything else.
func (tl *timeline) roundTrip(k, mi int) int {
	mode := tl.units[k].zu.Mode
	key := tripKey{mode, mi}
	if v, ok := tl.trip[key]; ok {
		return v
	}
	best := -1
	for _, o := range tl.missions {
		if o.idx == mi {
			continue
		}
		t := tl.travel(mode, mi, o.idx) + tl.in.Force.Profiles[tl.in.Missions[o.idx].Threat].DwellMinutes[0] + tl.travel(mode, o.idx, mi)
		if best < 0 || t < best {
			best = t
		}
	}
	best = max(best, 0)
	if tl.trip == nil {
		tl.trip = map[tripKey]int{}
	}
	tl.trip[key] = best
	return best
}

// tripKey keys roundTrip's cache: the way out and back depends on the mode, not the unit.
type tripKey struct {
	mode Mode
	mi   int
}
