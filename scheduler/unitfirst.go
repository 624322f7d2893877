package scheduler

import "math"

// Unit first (DESIGN.md §3, "Short windows"). A zone worked by one unit cannot serve the
// missions' drawn due times in order: the unit is busy most of the day, so what it leaves
// is served after a queue of other missions due earlier, and a mission it has just left is
// hardly ever visited again between the unit's shortest way out and back (doubleBack) and
// the time the queue takes to clear (one-unit family: returns 20–75 minutes after a
// departure at about half the memoryless rate, live ratios 0.4–0.6 at D = 30 and 60).
//
// Here the unit instead draws its next mission at each departure, each with the weight of
// its planned rate of visits, the mission it leaves included: a random walk over the
// zone's missions whose return times are geometric sums of hops, as near memoryless as the
// hops' lengths allow, with no queue to wait behind. A doubling back comes after a loiter
// drawn uniform over the mean way out through another mission and back (walkLaw.back), the
// time before which no other return can come, and is drawn that much more often than a
// hop, so returns within it come at the mission's rate per minute; hops elsewhere start
// after an exponential loiter that spends the unit's time the allocation left over. Where
// the gap law (gaplaw.go) raises its hazard, so does the walk: a mission's weight is at
// least 1/(T − t) as its gap nears the cap of capFor mean gaps, and as a first presence of
// the day or the day's last one nears the minute it must be served by, so those visits
// spread over the time left instead of piling up on the clock minutes where the deadline
// falls due. Only when a deadline (max gap, the boundary contract, the minimum visits)
// comes within the risk window does the unit serve earliest deadline first. The day's end
// is aimed at the contract's half max gap (endNeed): a walk's gap across two days is as
// memoryless as any other, so the tighter aim of the due-time dispatch would only crowd
// the day's last hour.

// unitFirst reports whether the timeline dispatches unit first: a zone of one unit and
// several missions, outside the retries short of unit time and the last resort.
func (tl *timeline) unitFirst() bool {
	return len(tl.units) == 1 && len(tl.missions) > 1 && !tl.conservative && !tl.deadlineOrder && !tl.dueOrder
}

// walks reports whether the group's dispatch may walk: one unit in service, several
// missions (unitFirst, before the retries narrow it).
func (p *dayPlan) walks(grp zoneGroup) bool {
	n := 0
	for _, u := range grp.units {
		if !p.out[u.ID] {
			n++
		}
	}
	return n == 1 && len(grp.ms) > 1
}

// walkLaw is the random walk's law: each mission's weight (its planned visits per minute),
// the mean hop the allocation leaves a visit (the day's minutes over its planned visits)
// and the mean loiter before a hop to another mission.
type walkLaw struct {
	w      []float64
	back   []float64 // the doubling back's window at each mission
	hop    float64
	loiter float64
}

// newWalkLaw derives the walk's law from the missions' planned mean gaps: mission i makes
// a visit every meanGap + mean dwell minutes, so its weight is that rate, the mean hop is
// the inverse of their sum, and the loiter before a hop elsewhere is what the mean hop
// leaves over the mean travel and dwell of a hop of the walk (a doubling back costs its
// loiter, half a hop, and its dwell).
func (tl *timeline) newWalkLaw(k int) walkLaw {
	n := len(tl.missions)
	law := walkLaw{w: make([]float64, n)}
	total := 0.0
	dw := make([]float64, n)
	for i, m := range tl.missions {
		dw[i] = MeanDwell(tl.prof(m.idx, tl.from))
		law.w[i] = 1 / (m.meanGap + dw[i])
		total += law.w[i]
	}
	law.hop = 1 / total
	mode := tl.units[k].zu.Mode
	law.back = make([]float64, n)
	for i, a := range tl.missions {
		s, ws := 0.0, 0.0
		for j, b := range tl.missions {
			if i != j {
				s += law.w[j] * float64(tl.travel(mode, a.idx, b.idx)+tl.travel(mode, b.idx, a.idx)+int(dw[j]))
				ws += law.w[j]
			}
		}
		law.back[i] = max(law.hop, s/max(ws, 1e-12))
	}
	cost, other := 0.0, 0.0
	for i, a := range tl.missions {
		pi := law.w[i] / total
		for j, b := range tl.missions {
			pj := law.w[j] / total
			if i == j {
				cost += pi * pj * law.back[j] / law.hop * (law.back[j]/2 + dw[j])
				continue
			}
			cost += pi * pj * (float64(tl.travel(mode, a.idx, b.idx)) + dw[j])
			other += pi * pj
		}
	}
	if other > 0 {
		law.loiter = max(0, (law.hop-cost)/other)
	}
	return law
}

// walk dispatches the timeline's one unit unit first until no mission's visit fits the
// day, and records the hard rules it missed.
func (tl *timeline) walk() {
	const k = 0
	u := tl.units[k]
	law := tl.newWalkLaw(k)
	for {
		now := u.free
		r := tl.rng(min(now, tl.dayMin-1))
		m, a := tl.walkRisk(k, now)
		if m == nil {
			m, a = tl.walkDraw(k, now, law, r.Float64(), r.Float64())
		}
		if m == nil {
			break
		}
		if a > m.deadline {
			tl.failures = append(tl.failures, failure{mission: m.idx, what: "no unit of its zone free in time for its max gap"})
		}
		tl.place(m, k, a)
	}
	for _, m := range tl.missions {
		if !tl.endKept(m) {
			tl.failures = append(tl.failures, failure{m.idx, "no unit of its zone is free to visit it again before the day ends", true, m})
		}
	}
}

// walkArrive returns the earliest arrival of the k-th unit, free at now, at mission m after
// a loiter, and whether a visit there fits the day: not before the mission's last presence
// has ended (a visit touching it would be the same presence), and without the loiter where
// it would not fit.
func (tl *timeline) walkArrive(k int, m *simMission, now, loiter int) (int, bool) {
	dmin := tl.prof(m.idx, now).DwellMinutes[0]
	base := now + tl.unitTravel(k, m.idx)
	if m.has {
		base = max(base, m.lastEnd+1)
	}
	if a, ok := tl.fit(k, m.idx, base+loiter, dmin); ok {
		return a, true
	}
	return tl.fit(k, m.idx, base, dmin)
}

// walkRisk returns the mission whose deadline is earliest among those within the risk
// window of now, and its arrival, or nil when none is at risk.
func (tl *timeline) walkRisk(k, now int) (*simMission, int) {
	var best *simMission
	ba := 0
	for _, m := range tl.missions {
		if m.edf > now+tl.riskWindow() || (best != nil && (m.edf > best.edf || (m.edf == best.edf && m.idx > best.idx))) {
			continue
		}
		if a, ok := tl.walkArrive(k, m, now, 0); ok {
			best, ba = m, a
		}
	}
	return best, ba
}

// walkDraw draws the unit's next mission by weight among those whose visit fits (u picks
// it, v its loiter), and returns it with its arrival; nil when none fits. The weights are
// the law's, raised near a gap's cap or a day's boundary deadline (see above). The loiter
// never runs past the minute some deadline enters the risk window.
func (tl *timeline) walkDraw(k, now int, law walkLaw, u, v float64) (*simMission, int) {
	pos := tl.units[k].pos
	slack := math.MaxInt
	for _, m := range tl.missions {
		slack = min(slack, m.edf-tl.riskWindow()-now)
	}
	slack = max(slack, 0)
	type cand struct {
		m *simMission
		a int
	}
	var cs []cand
	var ws []float64
	total := 0.0
	for i, m := range tl.missions {
		var loiter float64
		w := law.w[i]
		if m.idx == pos && !tl.units[k].anywhere {
			loiter = 1 + v*law.back[i]
			w *= law.back[i] / law.hop
		} else {
			loiter = -math.Log1p(-v) * law.loiter
		}
		if t := m.edf - tl.riskWindow() - now; t > 0 && (!m.has || m.edf < m.deadline) {
			w = max(w, 1/float64(t))
		}
		if m.has {
			w = max(w, 1/max(float64(m.lastEnd)+capFor(m.meanGap)-float64(now), 1))
		}
		a, ok := tl.walkArrive(k, m, now, min(int(loiter), slack))
		if !ok {
			continue
		}
		cs = append(cs, cand{m, a})
		ws = append(ws, w)
		total += w
	}
	if len(cs) == 0 {
		return nil, 0
	}
	x := u * total
	c := 0
	for ; c < len(cs)-1 && x >= ws[c]; c++ {
		x -= ws[c]
	}
	return cs[c].m, cs[c].a
}
