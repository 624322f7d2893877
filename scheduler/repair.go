package scheduler

// Repair at the day's end. The dispatch runs forward in time, so near the day's end every
// mission still owed its last presence (the boundary contract, DESIGN.md §3) competes for
// the same last minutes, and a mission can be left without one although units stood idle
// earlier. repairEnds then looks back: it inserts the mission's visit into the latest idle
// stretch of any unit's day that the visit fits whole (travel there, the shortest dwell,
// travel on to the unit's next visit), late enough to end within the contract's half max
// gap of the day's end. Inserting a presence only shortens the mission's gaps and moves
// no other visit, so every other rule the dispatch kept still holds. Where no stretch is
// idle, it takes the place of a visit late in the day that another mission can spare
// (insertDisplacing), and in the last resort (lastend.go) also of one it cannot, which then
// gets a visit of its own elsewhere that keeps its rules (insertSwapping).

// repairEnds mends the failures of the boundary contract at the day's end it can, and
// keeps the others.
func (tl *timeline) repairEnds() {
	kept := tl.failures[:0]
	for _, f := range tl.failures {
		if f.end && f.m != nil && (tl.insertLate(f.m) || tl.insertDisplacing(f.m) || (tl.deadlineOrder && tl.insertSwapping(f.m))) {
			continue
		}
		kept = append(kept, f)
	}
	tl.failures = kept
	if tl.deadlineOrder {
		tl.repairTails()
	}
}

// insertLate inserts a visit of mission m ending within its contract's bound of the day's
// end into the latest stretch of a unit's day it fits, and reports whether one fitted.
func (tl *timeline) insertLate(m *simMission) bool {
	need := tl.contractEnd(m)
	bk, bi, ba := -1, 0, -1
	for k, u := range tl.units {
		vs := u.visits
		for i := range vs {
			a, dw := tl.latestBetween(k, m, i, i+1)
			if a < 0 || a+dw < need || a <= m.lastEndOr(-1) || a > m.deadline || a <= ba {
				continue
			}
			bk, bi, ba = k, i, a
		}
	}
	if bk < 0 {
		return false
	}
	u := tl.units[bk]
	dw := tl.prof(m.idx, ba).DwellMinutes[0]
	v := visitRec{Mission: m.idx, Arrive: ba, Depart: ba + dw}
	u.visits = append(u.visits[:bi+1], append([]visitRec{v}, u.visits[bi+1:]...)...)
	m.lastEnd, m.has = v.Depart, true
	m.count++
	return true
}

// insertDisplacing is insertLate where no stretch is idle: it gives mission m the place of
// another mission's visit late in the day that mission can spare (spare), the latest
// first, when m's visit fits between the unit's visits either side.
func (tl *timeline) insertDisplacing(m *simMission) bool {
	if tl.from > 0 {
		return false // a re-plan keeps what it has; its changes' deadlines are not re-checked here
	}
	need := tl.contractEnd(m)
	for k, u := range tl.units {
		vs := u.visits
		for j := len(vs) - 1; j >= 1; j-- {
			if vs[j].Mission == m.idx || vs[j].Depart+tl.maxGapAt(m.idx) < need {
				continue
			}
			a, dw := tl.latestBetween(k, m, j-1, j+1)
			if a < 0 || a+dw < need || a <= m.lastEndOr(-1) || a > m.deadline || !tl.spare(k, j) {
				continue
			}
			v := visitRec{Mission: m.idx, Arrive: a, Depart: a + dw}
			u.visits = append(append(vs[:j:j], v), vs[j+1:]...)
			for _, o := range tl.missions {
				if o.idx == vs[j].Mission {
					o.count--
				}
			}
			m.lastEnd, m.has = v.Depart, true
			m.count++
			return true
		}
	}
	return false
}

// maxGapAt is mission mi's max gap at the day's end.
func (tl *timeline) maxGapAt(mi int) int { return tl.prof(mi, tl.dayMin-1).MaxGapMinutes }

// spare reports whether the j-th visit of the k-th unit can go without its mission
// breaking a rule: the mission keeps its minimum visits, the gap its absence opens is
// within the max gap, and its first and last presences of the day still keep the boundary
// contract. Presences are every unit's visits to it, merged where they touch.
func (tl *timeline) spare(k, j int) bool {
	return tl.keeps(tl.units[k].visits[j].Mission, k, j)
}

// keeps reports whether mission mi's presences keep its rules (minimum visits, max gap,
// boundary contract) without the j-th visit of the k-th unit (k < 0: with every visit).
func (tl *timeline) keeps(mi, k, j int) bool {
	var rest []visitRec
	for kk, u := range tl.units {
		for jj, v := range u.visits {
			if v.Mission == mi && (kk != k || jj != j) {
				rest = append(rest, v)
			}
		}
	}
	sortVisits(rest)
	var pres []visitRec // merged presences
	for _, v := range rest {
		if n := len(pres); n > 0 && v.Arrive <= pres[n-1].Depart {
			pres[n-1].Depart = max(pres[n-1].Depart, v.Depart)
			continue
		}
		pres = append(pres, v)
	}
	var min int
	for _, o := range tl.missions {
		if o.idx == mi {
			min = o.minimum
		}
	}
	if len(pres) < max(min, 1) {
		return false
	}
	p0 := tl.prof(mi, 0)
	if pres[0].Arrive > p0.MaxGapMinutes/2 || tl.dayMin-pres[len(pres)-1].Depart > tl.maxGapAt(mi)/2 {
		return false
	}
	for i := 1; i < len(pres); i++ {
		if pres[i].Arrive-pres[i-1].Depart > tl.prof(mi, pres[i-1].Depart).MaxGapMinutes {
			return false
		}
	}
	return true
}

// latestBetween returns the latest arrival at mission m that fits between the k-th unit's
// visits i and next (next past its last visit: the way back to its handover by the day's
// end), with m's shortest dwell and the travel either side, and that dwell; −1 when none
// fits. A visit at m is kept apart from m's own visits either side by a minute, so it is
// one visit, not one too long.
func (tl *timeline) latestBetween(k int, m *simMission, i, next int) (int, int) {
	vs := tl.units[k].visits
	mode := tl.units[k].zu.Mode
	s, back := tl.dayMin, tl.sectorBack(k, m.idx)
	if next < len(vs) {
		s, back = vs[next].Arrive, tl.travel(mode, m.idx, vs[next].Mission)
	}
	dw := tl.prof(m.idx, max(s-back-1, 0)).DwellMinutes[0]
	a := s - back - dw
	if next < len(vs) && vs[next].Mission == m.idx {
		a--
	}
	lo := vs[i].Depart + tl.travel(mode, vs[i].Mission, m.idx)
	if vs[i].Mission == m.idx {
		lo = vs[i].Depart + 1
	}
	if a < lo {
		return -1, dw
	}
	return a, dw
}

// fillTail uses the units' idle minutes before their way back to the handover. The
// dispatch is driven by the missions' due times, and a mission whose next due time falls
// past the day's end makes no more visits, so each unit's last minutes are mostly the
// trip to its handover and a wait there: the missions of a wide sector go without
// presence over the same clock minutes every day, which the historical adversary
// (DESIGN.md §4.2) learns. A unit idle there makes one more visit, as late as it fits
// whole (travel there, a dwell in the profile's range, travel on to the handover), with
// the probability a stretch that long would hold a visit at the unit's own pace that day
// (its idle minutes over its minutes per visit), so the day's end is covered about as
// densely as the rest of the day and not more: a bump there would only lower every other
// window against the mean. The mission is drawn at random with weight the minutes since
// its last presence. An added visit only shortens its mission's gaps and moves no other.
func (tl *timeline) fillTail() {
	for k, u := range tl.units {
		n := len(u.visits)
		if n == 0 {
			continue
		}
		r := tl.rng(tl.dayMin - 1)
		last := u.visits[n-1]
		perVisit := float64(last.Depart-u.visits[0].Arrive) / float64(n)
		idle := tl.dayMin - last.Depart - tl.sectorBack(k, last.Mission)
		if r.Float64()*perVisit >= float64(idle) {
			continue
		}
		var cands []*simMission
		var arrive []int
		var ws []float64
		total := 0.0
		for _, m := range tl.missions {
			if m.idx == last.Mission || tl.in.Missions[m.idx].Posts(tl.in.Force.Profiles) > 0 {
				continue
			}
			a, _ := tl.latestBetween(k, m, n-1, n)
			if a < 0 || a < last.Depart+tl.unitTravel(k, m.idx) || (m.has && a <= m.lastEnd) {
				continue
			}
			w := float64(a - m.lastEndOr(0))
			cands, arrive, ws = append(cands, m), append(arrive, a), append(ws, w)
			total += w
		}
		if total <= 0 {
			continue
		}
		x := r.Float64() * total
		c := 0
		for ; c < len(cands)-1 && x >= ws[c]; c++ {
			x -= ws[c]
		}
		m, a := cands[c], arrive[c]
		p := tl.prof(m.idx, a)
		dw := p.DwellMinutes[0] + r.IntN(p.DwellMinutes[1]-p.DwellMinutes[0]+1)
		dw = min(dw, tl.dayMin-tl.sectorBack(k, m.idx)-a)
		u.visits = append(u.visits, visitRec{Mission: m.idx, Arrive: a, Depart: a + dw})
		u.pos, u.free, u.anywhere = m.idx, a+dw, false
		m.lastEnd, m.has = a+dw, true
		m.count++
	}
}

// insertSwapping is insertDisplacing where the displaced visit's mission cannot spare it:
// that mission gets a visit of its own in an idle stretch of any unit's day instead
// (reinsert), so both keep their rules. The last resort's repair only.
func (tl *timeline) insertSwapping(m *simMission) bool {
	if tl.from > 0 {
		return false
	}
	need := tl.contractEnd(m)
	for k, u := range tl.units {
		vs := u.visits
		for j := len(vs) - 1; j >= 1; j-- {
			x := vs[j]
			if x.Mission == m.idx || x.Depart+tl.maxGapAt(m.idx) < need {
				continue
			}
			a, dw := tl.latestBetween(k, m, j-1, j+1)
			if a < 0 || a+dw < need || a <= m.lastEndOr(-1) || a > m.deadline {
				continue
			}
			v := visitRec{Mission: m.idx, Arrive: a, Depart: a + dw}
			u.visits = append(append(vs[:j:j], v), vs[j+1:]...)
			if tl.reinsert(x.Mission) {
				m.lastEnd, m.has = v.Depart, true
				m.count++
				return true
			}
			u.visits = vs
		}
	}
	return false
}

// reinsert gives mission mi a visit in the latest idle stretch of a unit's day that keeps
// its rules, and reports whether one did.
func (tl *timeline) reinsert(mi int) bool {
	var om *simMission
	for _, o := range tl.missions {
		if o.idx == mi {
			om = o
		}
	}
	if om == nil {
		return false
	}
	for k, u := range tl.units {
		vs := u.visits
		for i := len(vs) - 1; i >= 0; i-- {
			a, dw := tl.latestBetween(k, om, i, i+1)
			if a < 0 {
				continue
			}
			u.visits = append(append(vs[:i+1:i+1], visitRec{Mission: mi, Arrive: a, Depart: a + dw}), vs[i+1:]...)
			if tl.keeps(mi, -1, -1) {
				return true
			}
			u.visits = vs
		}
	}
	return false
}
