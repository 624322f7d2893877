package scheduler

// The last resort (capacitySearch's lastResort). Where every retry of a zone's day missed a
// hard rule, the zone is dispatched once more by deadline: a plan that keeps the hard rules
// at the price of its timing (DESIGN.md §3 "Hard rules": a force that can meet them is
// planned, never refused). Its units serve whatever is due first whenever they are free,
// so its missions get their minimums and, where the units have time, more. The retries fail mostly at the day's end,
// where every mission still owed its last presence (the boundary contract: within half
// its max gap of the day's end) competes for the same last minutes, and the missions of
// short max gaps, whose windows open last, find the units taken by missions of long max
// gaps that could have had theirs hours before. So the last resort's dispatch
// (timeline.deadlineOrder):
//
//   - closes every unit's day with a visit at its handover mission (closings, closeDay):
//     the unit ends its day there anyway (handover.go), so that presence costs only its
//     dwell, and the handover missions, drawn by value, are those of the short max gaps;
//   - serves, whenever a unit is free, the mission whose deadline is earliest: the start
//     its max gap asks for its next presence, or the latest start from which a unit can
//     still close its day (latestStart) for the presence the day's end asks for;
//   - makes a mission owed only its day-end presence ready when the contract's window
//     opens and puts it first then, so long max gaps make theirs early and leave the last
//     minutes to the short ones (scheduleByDeadline);
//   - repairs a day-end presence still missed with a swap too (repair.go, insertSwapping),
//     and what no single insertion mends by another order of a unit's last visits
//     (resequence.go, repairTails), a missed max gap too;
//   - ends a unit's visit at its own closing mission a minute before the closing visit
//     (leaveBy), so the two stay two visits within the dwell range.
//
// Its visits follow the deadlines, not drawn gaps: it is for the days the normal dispatch
// cannot plan, and vigil check's trial plan does not count on it (trialPlan).

// scheduleByDeadline is scheduleNext for the deadline-order dispatch: the mission is ready
// at once after a presence that ended at e (a minute apart, so it is a new presence), with
// the deadline it is served by (edf), or done when its day needs nothing more of it.
func (tl *timeline) scheduleByDeadline(m *simMission, e int) {
	p := tl.prof(m.idx, min(e, tl.dayMin-1))
	m.latest = tl.latestStart(m.idx, p.DwellMinutes[0])
	kept := tl.endKept(m)
	if kept && (m.closeAt > 0 || m.deadline >= m.latest) {
		m.done = true
		return
	}
	m.due, m.edf = e, m.deadline
	if m.has {
		m.due = e + 1
	}
	if kept {
		return // only its max gap asks for more
	}
	m.edf = min(m.edf, m.latest)
	if m.closeAt == 0 && m.deadline >= m.latest && m.count >= m.minimum {
		// Only the day-end presence is owed: ready when the contract's window opens,
		// and first from then on.
		m.due = max(m.due, tl.contractEnd(m)-p.DwellMinutes[0])
		m.edf = min(m.edf, m.due)
	}
}

// earliestDeadline returns the index in backlog of the mission to serve in the
// deadline-order dispatch: the earliest deadline, then the earliest latest start (the
// mission whose day-end window closes first), then the lowest index.
func earliestDeadline(backlog []*simMission) int {
	best := 0
	for i, m := range backlog {
		b := backlog[best]
		if m.edf != b.edf {
			if m.edf < b.edf {
				best = i
			}
			continue
		}
		if m.latest < b.latest || (m.latest == b.latest && m.idx < b.idx) {
			best = i
		}
	}
	return best
}

// endKept reports whether mission m's presences keep its minimum visits and the boundary
// contract at the day's end, counting the closing visit it is sure of (closeAt): that
// visit is a presence to the day's end once its max gap reaches it.
func (tl *timeline) endKept(m *simMission) bool {
	if m.closeAt > 0 {
		return m.deadline >= m.closeAt && m.count+1 >= m.minimum
	}
	return m.has && m.lastEnd >= tl.contractEnd(m) && m.count >= m.minimum
}

// unitEnd is the minute by which the k-th unit must be back at its handover mission: the
// start of its closing visit there, or the day's end where it has none.
func (tl *timeline) unitEnd(k int) int {
	if k < len(tl.closing) && tl.closing[k] > 0 {
		return tl.closing[k]
	}
	return tl.dayMin
}

// leaveBy is the minute by which the k-th unit must leave mission mi to be back at its
// handover in time (unitEnd): a minute earlier at the mission of its closing visit itself,
// so a visit there stays a visit of its own, not one too long with the closing visit.
func (tl *timeline) leaveBy(k, mi int) int {
	if k < len(tl.closing) && tl.closing[k] > 0 && tl.endAt[k] == mi {
		return tl.closing[k] - 1
	}
	return tl.unitEnd(k) - tl.sectorBack(k, mi)
}

// latestStart is the latest start of a visit of mission mi with dwell dw from which some
// unit can still be back at its handover in time (unitEnd).
func (tl *timeline) latestStart(mi, dw int) int {
	best := -1
	for k := range tl.units {
		best = max(best, tl.leaveBy(k, mi)-dw)
	}
	return best
}

// closings sets every unit's closing visit: at its handover mission for the shortest dwell
// there, ending with the day, where the unit can get there from where it stands (a re-plan
// late in the day may leave it no time); and each handover mission's closeAt, the earliest
// closing visit it gets.
func (tl *timeline) closings() {
	tl.closing = make([]int, len(tl.units))
	for k, u := range tl.units {
		if tl.endAt == nil || tl.endAt[k] < 0 {
			continue
		}
		h := tl.endAt[k]
		var hm *simMission
		for _, m := range tl.missions {
			if m.idx == h {
				hm = m
			}
		}
		a := tl.dayMin - tl.prof(h, tl.dayMin-1).DwellMinutes[0]
		if hm == nil || u.free+tl.unitTravel(k, h) > a {
			continue
		}
		tl.closing[k] = a
		if hm.closeAt == 0 || a < hm.closeAt {
			hm.closeAt = a
		}
	}
}

// closeDay makes the closing visits closings set, after the dispatch.
func (tl *timeline) closeDay() {
	for k, u := range tl.units {
		a := tl.unitEnd(k)
		if a >= tl.dayMin {
			continue
		}
		h := tl.endAt[k]
		u.visits = append(u.visits, visitRec{Mission: h, Arrive: a, Depart: tl.dayMin})
		u.pos, u.free, u.anywhere = h, tl.dayMin, false
		for _, m := range tl.missions {
			if m.idx == h {
				if !m.has || a > m.lastEnd {
					m.count++ // a new presence, not the one before it continued
				}
				m.lastEnd, m.has = tl.dayMin, true
			}
		}
	}
}
