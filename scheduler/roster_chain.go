package scheduler

import (
	"slices"
	"sort"
)

// Chain moves (ARCHITECTURE.md "The duty roster"): when neither an officer free under the
// rules, a one-step ejection nor a move across the day's shifts fills a changed shift (the
// relief of a DST night on a roster packed to the weekly cap, leave in a tight week), an
// officer is freed for it by handing one or two of their duties within the week to others,
// each of whom may be freed the same way in turn, up to chainDepth steps. Every put is
// checked by dutyTimeline.allowed, the rule check leave and DST use, and a chain that fails
// is undone exactly (dutyTimeline.undo), so what it leaves is the rules' and the search's
// deterministic order's alone. Chains move duties only on days within tl.reach.

// chainDepth is how many officers deep a chain may reach: the officer who takes the
// shift, the ones who take their duties, and the ones who take those.
const chainDepth = 4

// chainReceivers is how many officers, least loaded first, a step tries to free for a
// handed-over duty when no one is free for it outright.
const chainReceivers = 64

// chainBudget bounds the rule checks one chainFill spends, so a shift no chain can fill
// fails in bounded time (a count, not a clock, so the answer stays a pure function).
const chainBudget = 4_000_000

// chainSearch is the state of one chainFill.
type chainSearch struct {
	p       *rosterPlan
	tl      *dutyTimeline
	budget  int
	inChain []bool // officers on the chain being built, who may not take another duty on it
	// failed remembers gives ({officer, day, shift, depth}) and rehomes ({-1, day, shift,
	// depth}) that failed since the last chain was made, so the search does not repeat them.
	failed map[[4]int]bool
	level  int // officers on the chain being built
}

// chainFill adds officers to shift s of day i by chain moves, shortest chains first,
// until its positions can be filled or no chain within the budget is found.
func (p *rosterPlan) chainFill(tl *dutyTimeline, i, s int) {
	cs := &chainSearch{p: p, tl: tl, budget: chainBudget, inChain: make([]bool, len(p.m.officers)), failed: map[[4]int]bool{}}
	for depth := 1; depth <= chainDepth; depth++ {
		for p.short(tl.lists[i][s]).total() > 0 {
			found := false
			for _, c := range cs.candidates(i, s) {
				if cs.budget <= 0 {
					return
				}
				if cs.give(c, i, s, depth) {
					found = true
					clear(cs.failed)
					break
				}
			}
			if !found {
				break
			}
		}
	}
}

// candidates returns the officers who would make shift s of day i less short, not away
// that day and not on the chain, least loaded in the days around first.
func (cs *chainSearch) candidates(i, s int) []int {
	tl, p := cs.tl, cs.p
	list := tl.lists[i][s]
	short := p.short(list).total()
	d := tl.from.AddDays(i)
	helps := map[sig]bool{}
	var out []int
	for o := range p.m.officers {
		if cs.inChain[o] || int(tl.duty[i][o]) == s || tl.away(o, d) {
			continue
		}
		g := p.m.sigs[o]
		h, ok := helps[g]
		if !ok {
			h = p.short(append(slices.Clone(list), o)).total() < short
			helps[g] = h
		}
		if h {
			out = append(out, o)
		}
	}
	load := make(map[int]int, len(out))
	for _, o := range out {
		load[o] = tl.load(o, i)
	}
	sort.SliceStable(out, func(a, b int) bool { return load[out[a]] < load[out[b]] })
	return out
}

// allowed is tl.allowed, counted against the budget.
func (cs *chainSearch) allowed(o, i, s int) bool {
	cs.budget--
	return cs.tl.allowed(o, i, s)
}

// dutyRef is a duty of the timeline: shift s of day j.
type dutyRef struct{ j, s int }

// give puts officer o on shift s of day i, first handing o's duty that day (another shift)
// and, when the rules still block o, one or two of o's duties within a week to others
// (rehome), depth steps deep. It reports success; on failure the timeline is as before.
func (cs *chainSearch) give(o, i, s, depth int) bool {
	key := [4]int{o, i, s, depth}
	if cs.failed[key] {
		return false
	}
	if cs.giveOnce(o, i, s, depth) {
		return true
	}
	cs.failed[key] = true
	return false
}

// giveOnce is give without the memo of failures.
func (cs *chainSearch) giveOnce(o, i, s, depth int) bool {
	tl := cs.tl
	mark := len(tl.journal)
	cs.inChain[o] = true
	cs.level++
	defer func() { cs.inChain[o] = false; cs.level-- }()
	var forced []dutyRef
	if x := int(tl.duty[i][o]); x >= 0 {
		if depth == 0 {
			return false
		}
		forced = append(forced, dutyRef{i, x})
		tl.take(o, i, x)
	}
	if cs.allowed(o, i, s) {
		if cs.rehomeAll(forced, depth-1) {
			tl.put(o, i, s)
			return true
		}
		tl.undo(mark)
		return false
	}
	if depth == 0 {
		tl.undo(mark)
		return false
	}
	var own []dutyRef
	for j := max(tl.reach[0], i-7); j <= min(tl.reach[1], i+7); j++ {
		if x := int(tl.duty[j][o]); x >= 0 && j != i {
			own = append(own, dutyRef{j, x})
		}
	}
	try := func(ds ...dutyRef) bool {
		m2 := len(tl.journal)
		for _, d := range ds {
			tl.take(o, d.j, d.s)
		}
		if cs.allowed(o, i, s) && cs.rehomeAll(append(slices.Clone(forced), ds...), depth-1) {
			tl.put(o, i, s)
			return true
		}
		tl.undo(m2)
		return false
	}
	for _, d := range own {
		if try(d) {
			return true
		}
	}
	for a := range own {
		if cs.level > 1 {
			break // only the officer who takes the changed shift hands over two duties
		}
		for b := a + 1; b < len(own); b++ {
			if cs.budget <= 0 {
				tl.undo(mark)
				return false
			}
			if try(own[a], own[b]) {
				return true
			}
		}
	}
	tl.undo(mark)
	return false
}

// rehomeAll finds an officer for each duty of ds that its shift still needs.
func (cs *chainSearch) rehomeAll(ds []dutyRef, depth int) bool {
	for _, d := range ds {
		if !cs.rehome(d, depth) {
			return false
		}
	}
	return true
}

// rehome finds an officer for shift d.s of day d.j when its positions need one more:
// anyone free for it under the rules, else (depth > 0) one of the least loaded
// officers who fit, freed by give.
func (cs *chainSearch) rehome(d dutyRef, depth int) bool {
	tl := cs.tl
	if cs.p.short(tl.lists[d.j][d.s]).total() == 0 {
		return true
	}
	key := [4]int{-1, d.j, d.s, depth}
	if cs.failed[key] {
		return false
	}
	if cs.rehomeOnce(d, depth) {
		return true
	}
	cs.failed[key] = true
	return false
}

// rehomeOnce is rehome without the memo of failures.
func (cs *chainSearch) rehomeOnce(d dutyRef, depth int) bool {
	tl := cs.tl
	cands := cs.candidates(d.j, d.s)
	for _, r := range cands {
		if tl.duty[d.j][r] < 0 && cs.allowed(r, d.j, d.s) {
			tl.put(r, d.j, d.s)
			return true
		}
	}
	if depth == 0 {
		return false
	}
	for k, r := range cands {
		if k == chainReceivers || cs.budget <= 0 {
			break
		}
		if cs.give(r, d.j, d.s, depth) {
			return true
		}
	}
	return false
}
