package scheduler

import "sort"

// After the cycle is filled, balance evens out what the greedy fill left uneven, by moves
// that keep every rule (engine.feasible) and every qualification:
//   - hours: a duty of an officer above their fair share goes to one of the officers
//     furthest below theirs who is free and qualified for it;
//   - nights: two officers of the same day swap a night and a day duty when the one with
//     more nights gives the night away;
//   - posts: two officers of the same shift swap a post place and a crew place when the one
//     with more post hours gives the post away;
//   - weekends: an officer with more weekend duties gives one to an officer off that day,
//     taking in exchange one of theirs on a weekday of the same week.

// balanceCandidates is how many of the least-loaded officers a move tries, which bounds
// the work to O(duties × balanceCandidates) feasibility checks.
const balanceCandidates = 24

// balance runs the passes once.
func (e *engine) balance() {
	e.balanceHours()
	e.balanceNights()
	e.balanceWeekends()
	e.balancePosts() // last: it changes kinds only, so it keeps what the others evened
}

func (e *engine) balanceWeekends() {
	n := len(e.m.officers)
	for t := range e.days {
		if t%7 < 5 {
			continue
		}
		for a := range n {
			sa := int(e.duty[a][t])
			if sa < 0 {
				continue
			}
			e.giveWeekend(a, t, sa)
		}
	}
}

// giveWeekend tries to swap officer a's weekend duty (t, sa) for a weekday duty of an
// officer with at least two weekend duties fewer; it reports success.
func (e *engine) giveWeekend(a, t, sa int) bool {
	n := len(e.m.officers)
	ka := posKind(e.kind[a][t])
	for b := range n {
		if e.duty[b][t] >= 0 || e.weekends[a] < e.weekends[b]+2 || !e.m.sigs[b].fits(ka) {
			continue
		}
		for dt := -3; dt <= 3; dt++ {
			t2 := rotMod(t+dt, e.days)
			sb := int(e.duty[b][t2])
			if t2%7 >= 5 || sb < 0 || e.duty[a][t2] >= 0 {
				continue
			}
			kb := posKind(e.kind[b][t2])
			if !e.m.sigs[a].fits(kb) {
				continue
			}
			e.unplace(a, t)
			e.unplace(b, t2)
			if e.feasible(b, t, sa) {
				e.place(b, t, sa, ka)
				if e.feasible(a, t2, sb) {
					e.place(a, t2, sb, kb)
					return true
				}
				e.unplace(b, t)
			}
			e.place(a, t, sa, ka)
			e.place(b, t2, sb, kb)
		}
	}
	return false
}

// ratio is officer o's hours so far against their fair share.
func (e *engine) ratio(o int) float64 { return float64(e.minutes[o]) / e.target[o] }

func (e *engine) balanceHours() {
	n := len(e.m.officers)
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	for t := range e.days {
		sort.SliceStable(order, func(i, j int) bool { return e.ratio(order[i]) < e.ratio(order[j]) })
		for a := range n {
			s := int(e.duty[a][t])
			if s < 0 {
				continue
			}
			k := posKind(e.kind[a][t])
			step := float64(e.m.ends[s]-e.m.starts[s]) / e.target[a]
			for _, b := range order[:min(n, balanceCandidates)] {
				if b == a || e.ratio(a)-e.ratio(b) <= 1.5*step || !e.m.sigs[b].fits(k) {
					continue
				}
				e.unplace(a, t)
				if e.feasible(b, t, s) {
					e.place(b, t, s, k)
					break
				}
				e.place(a, t, s, k)
			}
		}
	}
}

func (e *engine) balanceNights() {
	n := len(e.m.officers)
	for t := range e.days {
		for a := range n {
			sa := int(e.duty[a][t])
			if sa < 0 || !e.m.night[sa] {
				continue
			}
			for b := range n {
				sb := int(e.duty[b][t])
				if sb < 0 || e.m.night[sb] || e.nights[a] <= e.nights[b]+1 {
					continue
				}
				ka, kb := posKind(e.kind[a][t]), posKind(e.kind[b][t])
				if !e.m.sigs[a].fits(kb) || !e.m.sigs[b].fits(ka) {
					continue
				}
				e.unplace(a, t)
				e.unplace(b, t)
				if e.feasible(a, t, sb) && e.feasible(b, t, sa) {
					e.place(a, t, sb, kb)
					e.place(b, t, sa, ka)
					break
				}
				e.place(a, t, sa, ka)
				e.place(b, t, sb, kb)
			}
		}
	}
}

func (e *engine) balancePosts() {
	n := len(e.m.officers)
	for t := range e.days {
		for a := range n {
			s := int(e.duty[a][t])
			if s < 0 || posKind(e.kind[a][t]) != kindPost {
				continue
			}
			mins := e.m.ends[s] - e.m.starts[s]
			for b := range n {
				if int(e.duty[b][t]) != s || posKind(e.kind[b][t]) == kindPost || !e.m.sigs[b].fits(kindPost) ||
					!e.m.sigs[a].fits(posKind(e.kind[b][t])) || e.postMin[a] <= e.postMin[b]+mins {
					continue
				}
				kb := posKind(e.kind[b][t])
				e.kind[a][t], e.kind[b][t] = int8(kb), int8(kindPost)
				e.postMin[a] -= mins
				e.postMin[b] += mins
				break
			}
		}
	}
}
