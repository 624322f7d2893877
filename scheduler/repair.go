package scheduler

// Repair at the day's end. The dispatch runs forward in time, so near the day's end every
// mission still owed its last presence (the boundary contract, DESIGN.md §3) competes for
// the same last minutes, and a mission can be left without one although units stood idle
// earlier. repairEnds then looks back: it inserts the mission's visit into the latest idle
// stretch of any unit's day that the visit fits whole (travel there, the shortest dwell,
// travel on to the unit's next visit), late enough to end within the contract's half max
// gap of the day's end. Inserting a presence only shortens the mission's gaps and moves
// no other visit, so every other rule the dispatch kept still holds.

// repairEnds mends the failures of the boundary contract at the day's end it can, and
// keeps the others.
func (tl *timeline) repairEnds() {
	kept := tl.failures[:0]
	for _, f := range tl.failures {
		if f.end && f.m != nil && tl.insertLate(f.m) {
			continue
		}
		kept = append(kept, f)
	}
	tl.failures = kept
}

// insertLate inserts a visit of mission m ending within its contract's bound of the day's
// end into the latest stretch of a unit's day it fits, and reports whether one fitted.
func (tl *timeline) insertLate(m *simMission) bool {
	need := tl.contractEnd(m)
	bk, bi, ba, bdrop := -1, 0, -1, false
	for k, u := range tl.units {
		mode := u.zu.Mode
		vs := u.visits
		for i := range vs {
			e, from := vs[i].Depart, vs[i].Mission
			s, back := tl.dayMin, tl.sectorBack(k, m.idx)
			drop := false
			if i+1 < len(vs) {
				s, back = vs[i+1].Arrive, tl.travel(mode, m.idx, vs[i+1].Mission)
				if tl.closing(k, i+1) {
					// The closing visit may give way: the unit need only stand at
					// its handover mission when the day ends.
					s, drop = tl.dayMin, true
				}
			}
			dw := tl.prof(m.idx, max(s-back-1, 0)).DwellMinutes[0]
			a := s - back - dw
			if i+1 < len(vs) && vs[i+1].Mission == m.idx {
				a-- // not touching its next visit: two visits, not one too long
			}
			lo := e + tl.travel(mode, from, m.idx)
			if from == m.idx {
				lo = e + 1
			}
			if a < lo || a+dw < need || a <= m.lastEndOr(-1) || a > m.deadline || a <= ba {
				continue
			}
			bk, bi, ba, bdrop = k, i, a, drop
		}
	}
	if bk < 0 {
		return false
	}
	u := tl.units[bk]
	dw := tl.prof(m.idx, ba).DwellMinutes[0]
	v := visitRec{Mission: m.idx, Arrive: ba, Depart: ba + dw}
	if bdrop {
		u.visits = u.visits[:bi+1]
	}
	u.visits = append(u.visits[:bi+1], append([]visitRec{v}, u.visits[bi+1:]...)...)
	m.lastEnd, m.has = v.Depart, true
	m.count++
	return true
}

// closing reports whether the i-th visit of the k-th unit is its closing visit (closeDay):
// its last, at its handover mission, ending at the day's end.
func (tl *timeline) closing(k, i int) bool {
	vs := tl.units[k].visits
	return tl.endAt != nil && i == len(vs)-1 && vs[i].Depart == tl.dayMin && vs[i].Mission == tl.endAt[k]
}
