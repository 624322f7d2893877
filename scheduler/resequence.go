package scheduler

import "slices"

// The last resort's own repair at the day's end (lastend.go). Its dispatch serves by
// deadline, one visit at a time, so near the day's end a unit can be sent to the mission
// whose deadline is earliest although another order of its last visits would have kept
// every mission's rules: a unit that waits for one mission's day-end window while a
// mission nearby runs out of its max gap, or that gives a short-max-gap mission its
// day-end visit too early. repairEnds' insertions place one visit into the plan as it
// stands; where they cannot, repairTails looks for another order of a unit's last visits.
//
//   - reinsertMissed gives a missed mission a visit in an idle stretch of any unit's day,
//     judged by the mission's rules themselves (keeps), so the closing visit at a handover
//     mission counts as the presence it is;
//   - resequence takes a unit's last few visits before its closing visit (the tail) and the
//     missed missions, and searches the orders of them, each visit as early as its unit
//     gets there (later only where its mission's rules ask for it), for one in which the
//     unit still reaches its closing visit and every mission of the tail keeps its rules.
//     A tail visit whose mission keeps its rules without it may be left out. The missed
//     missions are tried together first, then one by one.
//
// Only the tail's unit changes, and every mission it touches is checked against all its
// rules (minimum visits, max gap, boundary contract) over every unit's visits, so what the
// dispatch kept elsewhere still holds.

// tailVisits bounds the visits of a unit's tail that resequence reorders.
const tailVisits = 6

// tailNodes bounds the partial orders one tail search tries: a count, not a time, so the
// plan stays a pure function of its inputs.
const tailNodes = 20000

// repairTails mends the failures repairEnds' insertions left (a missed day end, or a max
// gap missed near it), where it can, and keeps the others: a failure whose mission keeps
// its rules over every unit's visits is mended. The last resort's repair only; a re-plan
// keeps what it has.
func (tl *timeline) repairTails() {
	if tl.from > 0 {
		return
	}
	byIdx := map[int]*simMission{}
	for _, m := range tl.missions {
		byIdx[m.idx] = m
	}
	var missed []*simMission
	for _, f := range tl.failures {
		if m := byIdx[f.mission]; m != nil && !slices.Contains(missed, m) && !tl.keeps(m.idx, -1, -1) {
			missed = append(missed, m)
		}
	}
	if len(missed) > 0 {
		tl.mend(missed)
	}
	kept := tl.failures[:0]
	for _, f := range tl.failures {
		if byIdx[f.mission] != nil && tl.keeps(f.mission, -1, -1) {
			continue
		}
		kept = append(kept, f)
	}
	tl.failures = kept
}

// mend gives the missions of missed that break their rules a visit in an idle stretch
// (reinsert), then another order of a unit's last visits for all that are left together,
// or else one by one, and sets every mission's presences from the visits it ends with.
func (tl *timeline) mend(missed []*simMission) {
	var left []*simMission
	for _, m := range missed {
		if !tl.reinsert(m.idx) {
			left = append(left, m)
		}
	}
	if len(left) > 1 && !tl.resequenceAny(left) {
		for _, m := range left {
			tl.resequenceAny([]*simMission{m})
		}
	} else if len(left) == 1 {
		tl.resequenceAny(left)
	}
	for _, m := range tl.missions {
		tl.refresh(m)
	}
}

// resequenceAny tries resequence on every unit, the shortest tails first, and reports
// whether one found an order that gives every mission of ms its rules.
func (tl *timeline) resequenceAny(ms []*simMission) bool {
	for n := 1; n <= tailVisits; n++ {
		for k := range tl.units {
			if tl.resequence(k, n, ms) {
				return true
			}
		}
	}
	return false
}

// refresh sets mission m's presences so far (count, lastEnd) from every unit's visits,
// after a repair moved them.
func (tl *timeline) refresh(m *simMission) {
	var vs []visitRec
	for _, u := range tl.units {
		for _, v := range u.visits {
			if v.Mission == m.idx {
				vs = append(vs, v)
			}
		}
	}
	if len(vs) == 0 {
		return
	}
	sortVisits(vs)
	m.count, m.has, m.lastEnd = 0, true, -1
	for _, v := range vs {
		if v.Arrive > m.lastEnd {
			m.count++
		}
		m.lastEnd = max(m.lastEnd, v.Depart)
	}
}

// tailSearch is one search of resequence: the k-th unit's visits before its tail (kept in
// the unit's visits while the search runs) and after it (its closing visit, if any), and
// the visits to order.
type tailSearch struct {
	tl     *timeline
	k      int
	mode   Mode
	prefix []visitRec
	suffix []visitRec
	items  []tailItem
	used   []bool
	seq    []visitRec
	nodes  int
}

// tailItem is one visit of a tail search: of mission mi, and need when the order must
// hold it (a missed mission's new visit).
type tailItem struct {
	mi   int
	need bool
}

// resequence searches the orders of the k-th unit's last n visits before its closing visit
// and a new visit of each mission of ms for one that keeps the rules of every mission they
// touch, and makes it. It reports whether it found one.
func (tl *timeline) resequence(k, n int, ms []*simMission) bool {
	u := tl.units[k]
	vs := u.visits
	end := len(vs)
	if tl.unitEnd(k) < tl.dayMin && end > 0 && vs[end-1].Arrive >= tl.unitEnd(k) {
		end-- // the closing visit stays where it is
	}
	start := end - n
	if start < 1 || vs[start].Arrive < tl.from {
		return false // the unit's first visit anchors its day
	}
	s := &tailSearch{tl: tl, k: k, mode: u.zu.Mode, prefix: vs[:start:start], suffix: vs[end:]}
	for _, m := range ms {
		s.items = append(s.items, tailItem{mi: m.idx, need: true})
	}
	for _, v := range vs[start:end] {
		s.items = append(s.items, tailItem{mi: v.Mission})
	}
	s.used = make([]bool, len(s.items))
	u.visits = append(s.prefix, s.suffix...)
	last := vs[start-1]
	if s.search(last.Depart, last.Mission) {
		return true
	}
	u.visits = vs
	return false
}

// search extends the order from a unit free at t at mission pos, depth first, and reports
// whether an order it reached was made.
func (s *tailSearch) search(t, pos int) bool {
	if s.nodes++; s.nodes > tailNodes {
		return false
	}
	if s.complete(t, pos) && s.apply() {
		return true
	}
	tried := map[int]bool{}
	for i, it := range s.items {
		if s.used[i] || tried[it.mi] || it.mi == pos {
			continue
		}
		tried[it.mi] = true // items of one mission are alike; a needed one comes first
		a, dw, ok := s.place(i, t, pos)
		if !ok {
			continue
		}
		s.used[i] = true
		s.seq = append(s.seq, visitRec{Mission: it.mi, Arrive: a, Depart: a + dw})
		if s.search(a+dw, it.mi) {
			return true
		}
		s.seq = s.seq[:len(s.seq)-1]
		s.used[i] = false
	}
	return false
}

// complete reports whether the order so far holds every needed visit and leaves the unit,
// free at t at mission pos, the way to its next visit (its closing visit) or back into its
// sector by the day's end.
func (s *tailSearch) complete(t, pos int) bool {
	for i, it := range s.items {
		if it.need && !s.used[i] {
			return false
		}
	}
	return t+s.back(pos) <= s.endBy(pos)
}

// back is the unit's trip from mission pos to its next visit after the tail, or back into
// its sector where it has none.
func (s *tailSearch) back(pos int) int {
	if len(s.suffix) == 0 {
		return s.tl.sectorBack(s.k, pos)
	}
	return s.tl.travel(s.mode, pos, s.suffix[0].Mission)
}

// endBy is the minute by which the unit must have left the tail's last visit, at mission
// pos, plus its way on: its next visit's arrival (a minute before it at the same mission,
// so the two stay two visits), or the day's end.
func (s *tailSearch) endBy(pos int) int {
	if len(s.suffix) == 0 {
		return s.tl.dayMin
	}
	if s.suffix[0].Mission == pos {
		return s.suffix[0].Arrive - 1
	}
	return s.suffix[0].Arrive
}

// place returns the arrival and the shortest dwell of item i's visit for a unit free at t
// at mission pos: as soon as it gets there, or later where its mission's rules ask for a
// later presence (it is the mission's last visit in the order and the gap after it, or
// the day's end, needs it later); ok is false where it comes past its mission's deadline
// or leaves no time for the needed visits still to come.
func (s *tailSearch) place(i, t, pos int) (int, int, bool) {
	tl := s.tl
	mi := s.items[i].mi
	a := t + tl.travel(s.mode, pos, mi)
	dw := tl.prof(mi, min(a, tl.dayMin-1)).DwellMinutes[0]
	prevEnd, has, next := s.around(mi, a)
	hi := tl.prof(mi, 0).MaxGapMinutes / 2
	if has {
		hi = prevEnd + tl.prof(mi, prevEnd).MaxGapMinutes
	}
	if s.lastOf(i) {
		switch gap := tl.prof(mi, max(prevEnd, 0)).MaxGapMinutes; {
		case next >= 0 && (!has || next-prevEnd > gap):
			a = max(a, next-gap-dw)
		case next < 0 && (!has || prevEnd < tl.dayMin-tl.maxGapAt(mi)/2):
			a = max(a, tl.dayMin-tl.maxGapAt(mi)/2-dw)
		}
	}
	rest := 0
	for j, it := range s.items {
		if j != i && it.need && !s.used[j] {
			rest += tl.prof(it.mi, min(a, tl.dayMin-1)).DwellMinutes[0]
		}
	}
	return a, dw, a <= hi && a+dw+rest <= s.endBy(-1)
}

// lastOf reports whether item i is the last of its mission's items still to be ordered.
func (s *tailSearch) lastOf(i int) bool {
	for j, it := range s.items {
		if j != i && !s.used[j] && it.mi == s.items[i].mi {
			return false
		}
	}
	return true
}

// around returns the end of mission mi's latest presence that began before a (has false
// for none) and the start of its first one from a (−1 for none), over every unit's visits
// outside the tail and the order so far.
func (s *tailSearch) around(mi, a int) (prevEnd int, has bool, next int) {
	prevEnd, next = -1, -1
	see := func(v visitRec) {
		if v.Mission != mi {
			return
		}
		if v.Arrive < a {
			prevEnd, has = max(prevEnd, v.Depart), true
		} else if next < 0 || v.Arrive < next {
			next = v.Arrive
		}
	}
	for _, u := range s.tl.units {
		for _, v := range u.visits {
			see(v)
		}
	}
	for _, v := range s.seq {
		see(v)
	}
	return prevEnd, has, next
}

// apply makes the order so far the unit's tail where every mission it touches keeps its
// rules, and reports whether it did; otherwise the unit keeps its visits outside the tail.
func (s *tailSearch) apply() bool {
	u := s.tl.units[s.k]
	u.visits = append(append(append([]visitRec(nil), s.prefix...), s.seq...), s.suffix...)
	seen := map[int]bool{}
	for _, it := range s.items {
		if !seen[it.mi] {
			seen[it.mi] = true
			if !s.tl.keeps(it.mi, -1, -1) {
				u.visits = append(s.prefix, s.suffix...)
				return false
			}
		}
	}
	return true
}
