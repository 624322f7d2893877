package geo

// Step 3 of Partition, the bisection: straight cuts in cutDirections directions share
// the units between the two sides, recursively.

import (
	"cmp"
	"math"
	"slices"

	"github.com/uber/h3-go/v4"
)

// shortPenalty is what bisect adds to a cut across the grains' shortest extent (scaled
// down to 0 for their longest), so that parts stay compact: with 0.03 to 0.06 thin
// wedges between cuts of different directions walled grains in on random sets.
const shortPenalty = 0.15

// balance shares the units among groups of grains by recursive bisection.
func (p *partitioner) balance() {
	idx := make([]int, len(p.grain))
	var total loads
	for i, g := range p.grain {
		idx[i] = i
		total = total.add(g.load)
	}
	mean := loads{total[0] / float64(p.opt.Units), total[1] / float64(p.opt.Units)}
	// The grains are sorted along each direction once; bisect hands each part its
	// grains in these orders, filtered, so no part sorts again.
	var orders [cutDirections][]int
	for d := range cutDirections {
		at := make([]float64, len(p.grain))
		for i, g := range p.grain {
			at[i] = g.x*cutDirs[d][0] + g.y*cutDirs[d][1]
		}
		p.alongs[d] = at
		order := slices.Clone(idx)
		slices.SortFunc(order, func(a, b int) int {
			if c := cmp.Compare(at[a], at[b]); c != 0 {
				return c
			}
			return cmp.Compare(p.grain[a].cell, p.grain[b].cell)
		})
		orders[d] = order
	}
	p.below = make([]bool, len(p.grain))
	best := p.bisect(idx, &orders, p.opt.Units, nil, mean)
	p.groups, p.units = best.groups, best.units
	for _, r := range best.regions {
		p.regions = append(p.regions, [][]halfPlane{r})
	}
}

// halfPlane is one side of a cut: the cells whose centre's key (coordinate along
// direction dir, then cell) is at most (at, cell) when below, or greater otherwise.
type halfPlane struct {
	dir   int // index into cutDirs
	at    float64
	cell  h3.Cell
	below bool
}

func (h halfPlane) has(v float64, c h3.Cell) bool {
	le := v < h.at || v == h.at && c <= h.cell
	return le == h.below
}

// cutDirections is how many directions bisect tries, evenly spread over half a turn (5°
// apart): with two loads whose shares differ from place to place, a line that splits
// both in the units' proportion exists (ham sandwich) but need not run along x or y.
const cutDirections = 36

// cutDirs are the unit vectors of the cut directions; a cut along direction d splits by
// the coordinate x·d[0] + y·d[1]. Direction 0 is x, direction cutDirections/2 is y.
var cutDirs = func() [cutDirections][2]float64 {
	var ds [cutDirections][2]float64
	for j := range ds {
		a := float64(j) * math.Pi / cutDirections
		ds[j] = [2]float64{math.Cos(a), math.Sin(a)}
	}
	ds[0], ds[cutDirections/2] = [2]float64{1, 0}, [2]float64{0, 1}
	return ds
}()

// cutScratch is what bisection reuses from cut to cut.
type cutScratch struct {
	alongs [cutDirections][]float64 // each grain's coordinate along each cut direction
	below  []bool                   // scratch of splitOrders: the grains of one part
}

// along returns the coordinate of grain i along direction d.
func (p *cutScratch) along(i, d int) float64 { return p.alongs[d][i] }

// plan is a way of cutting a set of grains into zones.
type plan struct {
	groups  [][]int
	units   []int
	regions [][]halfPlane
	worst   float64 // largest deviation of a zone's workload per unit from the mean, relative
}

// bisect cuts grains gs, worked by units, into zones whose workload per unit stays close
// to mean for both loads. Each cut is a straight line in one of cutDirections directions
// through the grains sorted along it (orders: gs sorted along each direction); a cut costs
// the larger relative deviation of its two parts' workloads per unit from the local mean
// (over both loads), plus small penalties for uneven unit splits and for cutting across
// the grains' short extent (compactness). Where grains are few for the units, several of
// the best distinct cuts are followed to the end and the one whose worst zone is best wins.
func (p *partitioner) bisect(gs []int, orders *[cutDirections][]int, units int, region []halfPlane, mean loads) plan {
	if units == 1 || len(gs) == 1 {
		l := p.exactLoad(gs)
		return plan{
			groups:  [][]int{slices.Clone(gs)},
			units:   []int{units},
			regions: [][]halfPlane{slices.Clone(region)},
			worst:   l.dev(float64(units), mean),
		}
	}
	var total loads
	for _, i := range gs {
		total = total.add(p.grain[i].load)
	}
	local := loads{total[0] / float64(units), total[1] / float64(units)}
	// The grains' extent along each direction: from the first to the last in its order.
	var extent [cutDirections]float64
	longest := 0.0
	for d := range cutDirections {
		order := orders[d]
		extent[d] = p.along(order[len(order)-1], d) - p.along(order[0], d)
		longest = max(longest, extent[d])
	}
	tries := 1
	if len(gs) <= lookaheadGrains*units {
		tries = lookaheadCuts
	}
	// Only the cheapest cuts are kept (ties to the one made first), not sorted all: a
	// direction makes a split (or its mirror) at most once, so the first tries distinct
	// splits are among the cutDirections·tries cheapest cuts.
	best := cutHeap{cuts: make([]cut, 0, cutDirections*tries)}
	made := 0
	prefix := make([]loads, len(gs)+1)
	keys := make([]uint64, len(gs)+1)
	for d := range cutDirections {
		order := orders[d]
		for i, g := range order {
			prefix[i+1] = prefix[i].add(p.grain[g].load)
			keys[i+1] = keys[i] ^ mix(uint64(g))
		}
		short := 0.0
		if longest > 0 {
			short = shortPenalty * (1 - extent[d]/longest)
		}
		for u := 1; u < units; u++ {
			// The best cut for both loads lies between the best cuts for each.
			k0, _ := slices.BinarySearchFunc(prefix, total[0]*float64(u)/float64(units), func(l loads, t float64) int { return cmp.Compare(l[0], t) })
			k1, _ := slices.BinarySearchFunc(prefix, total[1]*float64(u)/float64(units), func(l loads, t float64) int { return cmp.Compare(l[1], t) })
			for kk := min(k0, k1) - 1; kk <= max(k0, k1)+1; kk++ {
				if kk < 1 || kk >= len(order) {
					continue
				}
				a, b := prefix[kk], total.sub(prefix[kk])
				dev := max(a.dev(float64(u), local), b.dev(float64(units-u), local))
				c := dev + 0.05*math.Abs(2*float64(u)/float64(units)-1) + short
				best.offer(cut{d, kk, u, keys[kk], c, made})
				made++
			}
		}
	}
	cuts := best.sorted()
	chosen := plan{worst: math.Inf(1)}
	type split struct {
		key  uint64
		k, u int
	}
	var tried []split
	for _, c := range cuts {
		if len(tried) == tries {
			break
		}
		// Neighbouring directions often make the same split (or its mirror): try it once.
		s, m := split{c.key, c.k, c.u}, split{c.key ^ keys[len(gs)], len(gs) - c.k, units - c.u}
		if slices.Contains(tried, s) || slices.Contains(tried, m) {
			continue
		}
		tried = append(tried, s)
		order := orders[c.dir]
		last := order[c.k-1]
		at := p.along(last, c.dir)
		lo := append(slices.Clone(region), halfPlane{c.dir, at, p.grain[last].cell, true})
		hi := append(slices.Clone(region), halfPlane{c.dir, at, p.grain[last].cell, false})
		loOrders, hiOrders := p.splitOrders(orders, order[:c.k])
		a := p.bisect(order[:c.k], loOrders, c.u, lo, mean)
		b := p.bisect(order[c.k:], hiOrders, units-c.u, hi, mean)
		if w := max(a.worst, b.worst); w < chosen.worst-1e-9 {
			chosen = plan{
				groups:  append(a.groups, b.groups...),
				units:   append(a.units, b.units...),
				regions: append(a.regions, b.regions...),
				worst:   w,
			}
		}
	}
	return chosen
}

// splitOrders returns the grains of orders in low, and the others, in every direction's
// order: a stable filter of a sorted order is the sorted order of the part.
func (p *partitioner) splitOrders(orders *[cutDirections][]int, low []int) (lo, hi *[cutDirections][]int) {
	n, k := len(orders[0]), len(low)
	for _, g := range low {
		p.below[g] = true
	}
	lo, hi = new([cutDirections][]int), new([cutDirections][]int)
	buf := make([]int, cutDirections*n)
	for d := range cutDirections {
		l, h := buf[d*n:d*n:d*n+k], buf[d*n+k:d*n+k:(d+1)*n]
		for _, g := range orders[d] {
			if p.below[g] {
				l = append(l, g)
			} else {
				h = append(h, g)
			}
		}
		lo[d], hi[d] = l, h
	}
	for _, g := range low {
		p.below[g] = false
	}
	return lo, hi
}

// cut is a candidate cut of bisect: k grains of the order along direction dir, worked by
// u units, below it.
type cut struct {
	dir, k, u int
	key       uint64 // identifies the grains below the cut
	cost      float64
	made      int // how many cuts were made before it
}

// before orders cuts by cost, then the order they were made in: as a stable sort by cost.
func (c cut) before(d cut) bool {
	if x := cmp.Compare(c.cost, d.cost); x != 0 {
		return x < 0
	}
	return c.made < d.made
}

// cutHeap keeps the cap(cuts) first cuts offered in before's order, the last at the top.
type cutHeap struct{ cuts []cut }

func (h *cutHeap) offer(c cut) {
	if len(h.cuts) < cap(h.cuts) {
		h.cuts = append(h.cuts, c)
		for i := len(h.cuts) - 1; i > 0; {
			up := (i - 1) / 2
			if !h.cuts[up].before(h.cuts[i]) {
				break
			}
			h.cuts[up], h.cuts[i] = h.cuts[i], h.cuts[up]
			i = up
		}
		return
	}
	if len(h.cuts) == 0 || !c.before(h.cuts[0]) {
		return
	}
	h.cuts[0] = c
	for i, n := 0, len(h.cuts); ; {
		l := 2*i + 1
		if l >= n {
			return
		}
		j := l
		if r := l + 1; r < n && h.cuts[l].before(h.cuts[r]) {
			j = r
		}
		if !h.cuts[i].before(h.cuts[j]) {
			return
		}
		h.cuts[i], h.cuts[j] = h.cuts[j], h.cuts[i]
		i = j
	}
}

// sorted returns the cuts kept, first first.
func (h *cutHeap) sorted() []cut {
	slices.SortFunc(h.cuts, func(a, b cut) int {
		if a.before(b) {
			return -1
		}
		if b.before(a) {
			return 1
		}
		return 0
	})
	return h.cuts
}

// mix scrambles x (splitmix64's finaliser), so that the xor of a set's mixed members
// identifies the set.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// Lookahead of bisect: where a part has at most lookaheadGrains grains a unit, the
// lookaheadCuts best cuts are followed to the end.
const (
	lookaheadGrains = 12
	lookaheadCuts   = 2
)
