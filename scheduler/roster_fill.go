package scheduler

// fillPositions assigns officers to positions: position i needs an officer who fits
// kinds[i]. Each position takes the first unused officer of orderFor(kind) who fits; when
// none is left, an augmenting path moves an assigned officer who fits it from a position of
// another kind and refills that one (a breadth-first search over the kinds, so any
// assignment a bipartite matching would find, this finds). It returns the officer of each
// position, -1 where no officer can be found.
func fillPositions(kinds []posKind, sigs []sig, orderFor func(posKind) []int) []int {
	out := make([]int, len(kinds))
	used := map[int]bool{}
	next := [numKinds]int{}
	byKind := [numKinds][]int{} // positions of each kind already filled
	firstFree := func(k posKind) int {
		order := orderFor(k)
		for next[k] < len(order) {
			o := order[next[k]]
			if !used[o] && sigs[o].fits(k) {
				return o
			}
			next[k]++
		}
		return -1
	}
	for i, k := range kinds {
		o := firstFree(k)
		if o < 0 {
			o = augmentFill(k, out, kinds, sigs, used, &byKind, firstFree)
		}
		out[i] = o
		if o >= 0 {
			used[o] = true
			byKind[k] = append(byKind[k], i)
		}
	}
	return out
}

// augmentFill finds an officer for one more position of kind k by moving officers along a
// shortest chain of kinds, and returns the officer that now stands free to take it (already
// removed from its old position), or -1.
func augmentFill(k posKind, out []int, kinds []posKind, sigs []sig, used map[int]bool, byKind *[numKinds][]int, firstFree func(posKind) int) int {
	type step struct {
		kind posKind
		pos  int // the position whose officer moves to the previous kind of the chain
		prev int // index into steps of the previous step
	}
	steps := []step{{kind: k, pos: -1, prev: -1}}
	seen := [numKinds]bool{}
	seen[k] = true
	for i := 0; i < len(steps); i++ {
		x := steps[i].kind
		for y := range numKinds {
			if seen[y] {
				continue
			}
			for _, p := range byKind[y] {
				if out[p] >= 0 && sigs[out[p]].fits(x) {
					seen[y] = true
					steps = append(steps, step{kind: posKind(y), pos: p, prev: i})
					break
				}
			}
		}
		if i == 0 {
			continue
		}
		// Step i holds kind x: its moving officer frees a position of x; can a free
		// officer take that position?
		o := firstFree(x)
		if o < 0 {
			continue
		}
		// Walk back: a free officer fills steps[i].pos; its old officer moves on.
		used[o] = true
		cur := i
		incoming := o
		for cur > 0 {
			p := steps[cur].pos
			moving := out[p]
			out[p] = incoming
			incoming = moving
			cur = steps[cur].prev
		}
		// incoming is the officer for the new position of kind k; it stays used.
		return incoming
	}
	return -1
}

// shortOf returns how many positions of each kind a group of officers (by signature)
// cannot fill, by a maximum matching of officers to positions.
func shortOf(group []sig, need demand) demand {
	kinds := make([]posKind, 0, need.total())
	for k := range numKinds {
		for range need[k] {
			kinds = append(kinds, posKind(k))
		}
	}
	order := make([]int, len(group))
	for i := range order {
		order[i] = i
	}
	got := fillPositions(kinds, group, func(posKind) []int { return order })
	var short demand
	for i, o := range got {
		if o < 0 {
			short[kinds[i]]++
		}
	}
	return short
}
