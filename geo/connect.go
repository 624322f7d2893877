package geo

// Step 4 of Partition, contiguity: Steiner trees grown by A* searches join each zone's
// grains through free cells; a walled-in grain escapes to the zone that walls it in.

import (
	"container/heap"
	"fmt"
	"math"
	"slices"

	"github.com/uber/h3-go/v4"
)

// paths is the state of connect: which zone owns each cell, and the searches' bounds.
type paths struct {
	owner   map[h3.Cell]int // zone index of every zone cell
	terms   [][]h3.Cell     // grains of each zone (some may have escaped to another zone)
	reach   box             // where paths may go
	victims *[]int          // zones a rip-up cut through
	escaped []int           // grains that connect handed to another zone
}

// connect makes every zone connected. It works on cells of the fill resolution. A zone
// first owns its grains; shortest paths through free cells then join them (a Steiner tree
// grown in Prim's order by A* searches):
//
//  1. each zone inside its own region (regions do not overlap and hold their zone's
//     grains, so zones cannot block one another there);
//  2. a zone that could not, anywhere in reach through free cells;
//  3. failing that, through other zones' path cells (rip-up and reroute): the zones it
//     cut through give up their path cells and are joined again, by steps 1 and 2;
//  4. a grain still walled in (by other zones' grains) joins the zone that walls it in.
func (p *partitioner) connect() {
	p.escaped = nil
	p.owner = map[h3.Cell]int{}
	p.terms = make([][]h3.Cell, len(p.groups))
	for z, gs := range p.groups {
		for _, i := range gs {
			p.owner[p.grain[i].cell] = z
			p.terms[z] = append(p.terms[z], p.grain[i].cell)
		}
	}
	all := make([]int, len(p.grain))
	for i := range all {
		all[i] = i
	}
	p.reach = p.boxAround(all, 3*h3.HexagonEdgeLengthAvgKm(p.opt.Resolution))
	missing := make([]bool, len(p.groups))
	for z := range p.groups {
		missing[z] = len(p.steiner(z, joinOwn)) > 0
	}
	for z := range p.groups {
		if !missing[z] || len(p.steiner(z, joinFree)) == 0 {
			continue
		}
		var victims []int
		left := p.steinerRip(z, &victims)
		for _, y := range victims {
			p.release(y)
			if len(p.steiner(y, joinOwn)) > 0 {
				p.escapeAll(y, p.steiner(y, joinFree))
			}
		}
		p.escapeAll(z, left)
	}
	for _, c := range p.zcells {
		p.settle(c)
	}
}

// release gives back the path cells of zone z.
func (p *partitioner) release(z int) {
	for c, o := range p.owner {
		if o == z && !p.isGrain(c) {
			delete(p.owner, c)
		}
	}
}

// escapeAll hands the grains left of zone z, each with the path to the nearest other
// zone, to that zone.
func (p *partitioner) escapeAll(z int, left []h3.Cell) {
	for len(left) > 0 {
		y, path := p.escape(z, left[0])
		if y < 0 { // cannot happen: something walls the grain in
			p.err = fmt.Errorf("geo: zoning cell %v cannot reach any zone", left[0])
			return
		}
		for _, c := range path {
			p.owner[c] = y
			if i, ok := p.grainAt[c]; ok {
				p.terms[y] = append(p.terms[y], c)
				p.escaped = append(p.escaped, i)
			}
		}
		left = slices.DeleteFunc(left, func(c h3.Cell) bool { return p.owner[c] != z })
	}
}

// settle gives the free cells of zoning cell c to the zone of its sites, where they touch
// it, if its sites all went to one zone; a zoning cell that is all one zone's shows as one
// cell once the zone's cells are compacted.
func (p *partitioner) settle(c h3.Cell) {
	if c.Resolution() == p.fillRes {
		return
	}
	kids := c.Children(p.fillRes)
	z := -1
	free := map[h3.Cell]bool{}
	for _, k := range kids {
		o, ok := p.owner[k]
		switch {
		case !ok:
			free[k] = true
		case p.isGrain(k) && z == -1:
			z = o
		case p.isGrain(k) && z != o:
			return
		}
	}
	if z < 0 {
		return
	}
	for changed := true; changed; {
		changed = false
		for _, k := range sortedKeys(free) {
			for _, n := range p.neighbours(k) {
				if o, ok := p.owner[n]; ok && o == z {
					p.owner[k] = z
					delete(free, k)
					changed = true
					break
				}
			}
		}
	}
}

// How steiner may go.
const (
	joinOwn  = iota // through free cells of the zone's region
	joinFree        // through free cells
	joinRip         // through free cells and other zones' path cells
)

// ripCost weighs a step through another zone's path cell, so that a rip-up goes through
// as few as it can.
const ripCost = 4

func (p *partitioner) steinerRip(z int, victims *[]int) []h3.Cell {
	p.victims = victims
	defer func() { p.victims = nil }()
	return p.steiner(z, joinRip)
}

// steiner joins the grains of zone z to its heaviest grain, claiming the path cells for z:
// in Prim's order (the grain nearest to a joined grain next), each by an A* search from
// the grain to the nearest cell already joined. It returns the grains left unjoined.
func (p *partitioner) steiner(z int, mode int) []h3.Cell {
	terms, first := p.terminals(z)
	inTree := p.joined(z, first)
	type near struct {
		d  float64
		to h3.Cell // the nearest joined grain
	}
	pending := map[h3.Cell]near{}
	fx, fy := p.pos(first)
	for _, c := range terms {
		if !inTree[c] {
			x, y := p.pos(c)
			pending[c] = near{math.Hypot(x-fx, y-fy), first}
		}
	}
	var left []h3.Cell
	cut := map[h3.Cell]bool{}
	checked := mode == joinOwn // regions are small: no need to look for a pocket
	for len(pending) > 0 {
		t := h3.Cell(0)
		for c, n := range pending {
			if t == 0 || n.d < pending[t].d || n.d == pending[t].d && c < t {
				t = c
			}
		}
		to := pending[t].to
		delete(pending, t)
		if !inTree[t] {
			if cut[t] { // in the part of a grain that could not reach the tree
				left = append(left, t)
				continue
			}
			limit := pocketCells
			if checked {
				limit = math.MaxInt
			}
			path, seen, far := p.astar(z, mode, t, to, inTree, limit)
			if far {
				// A long search: see whether the tree is walled in, once; grains outside
				// its pocket cannot join it.
				checked = true
				if in := p.pocket(z, mode, inTree); in != nil {
					for c := range pending {
						if !in[c] {
							cut[c] = true
						}
					}
					if !in[t] {
						left = append(left, t)
						continue
					}
				}
				path, seen, _ = p.astar(z, mode, t, to, inTree, math.MaxInt)
			}
			if path == nil {
				for c := range seen {
					cut[c] = true
				}
				left = append(left, t)
				continue
			}
			for _, c := range path {
				if o, ok := p.owner[c]; ok && o != z && p.victims != nil && !slices.Contains(*p.victims, o) {
					*p.victims = append(*p.victims, o)
				}
				inTree[c] = true
				p.owner[c] = z
			}
		}
		tx, ty := p.pos(t)
		for c, n := range pending {
			x, y := p.pos(c)
			if d := math.Hypot(x-tx, y-ty); d < n.d {
				pending[c] = near{d, t}
			}
		}
	}
	slices.Sort(left)
	return left
}

// terminals returns the grains of zone z it still owns, and the heaviest of them.
func (p *partitioner) terminals(z int) (terms []h3.Cell, first h3.Cell) {
	for _, c := range p.terms[z] {
		if p.owner[c] != z || slices.Contains(terms, c) {
			continue
		}
		terms = append(terms, c)
		if first == 0 || p.grain[p.grainAt[c]].load[0] > p.grain[p.grainAt[first]].load[0] {
			first = c
		}
	}
	return terms, first
}

// joined returns the tree of zone z grown from cell first: the cells of z joined to it
// already (by an earlier steiner).
func (p *partitioner) joined(z int, first h3.Cell) map[h3.Cell]bool {
	inTree := map[h3.Cell]bool{first: true}
	for stack := []h3.Cell{first}; len(stack) > 0; {
		u := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, v := range p.neighbours(u) {
			if o, ok := p.owner[v]; ok && o == z && !inTree[v] {
				inTree[v] = true
				stack = append(stack, v)
			}
		}
	}
	return inTree
}

// passable reports whether a path of zone z may go through cell v the way mode allows,
// and at what cost a step.
func (p *partitioner) passable(z, mode int, v h3.Cell) (float64, bool) {
	cost := 1.0
	o, owned := p.owner[v]
	if owned && o != z {
		if mode != joinRip || p.isGrain(v) {
			return 0, false
		}
		cost = ripCost
	}
	if !p.reach.has(p.pos(v)) || mode == joinOwn && !owned && !p.inRegion(z, v) {
		return 0, false
	}
	return cost, true
}

// pocketCells bounds the flood of pocket, and the steps of a search before pocket is called.
const pocketCells = 4096

// pocket returns the cells reachable from the tree the way mode allows, if there are at
// most pocketCells of them: the tree is walled in; else nil.
func (p *partitioner) pocket(z, mode int, inTree map[h3.Cell]bool) map[h3.Cell]bool {
	seen := map[h3.Cell]bool{}
	var stack []h3.Cell
	for c := range inTree {
		seen[c] = true
		stack = append(stack, c)
	}
	for len(stack) > 0 {
		u := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, v := range p.neighbours(u) {
			if _, ok := p.passable(z, mode, v); ok && !seen[v] {
				if len(seen) >= pocketCells {
					return nil
				}
				seen[v] = true
				stack = append(stack, v)
			}
		}
	}
	return seen
}

// astar returns a shortest path (the cells from src on, without the tree cell it reaches)
// from grain src of zone z to a cell of the tree, heading for cell to; or, if the tree
// cannot be reached the way mode allows, nil and the cells it could reach; or far if it
// gave up after limit steps.
func (p *partitioner) astar(z, mode int, src, to h3.Cell, inTree map[h3.Cell]bool, limit int) (path []h3.Cell, seen map[h3.Cell]float64, far bool) {
	tx, ty := p.pos(to)
	step := p.spacing
	h := func(c h3.Cell) float64 {
		x, y := p.pos(c)
		return math.Hypot(x-tx, y-ty) / step
	}
	g := map[h3.Cell]float64{src: 0}
	prev := map[h3.Cell]h3.Cell{}
	q := &cellHeap{{h(src), src}}
	for steps := 0; q.Len() > 0; steps++ {
		if steps > limit {
			return nil, nil, true
		}
		it := heap.Pop(q).(item)
		u := it.c
		if it.d > g[u]+h(u)+1e-9 {
			continue
		}
		if inTree[u] {
			for c := prev[u]; ; c = prev[c] {
				path = append(path, c)
				if c == src {
					return path, nil, false
				}
			}
		}
		for _, v := range p.neighbours(u) {
			cost, ok := p.passable(z, mode, v)
			if !ok {
				continue
			}
			nd := g[u] + cost
			if old, ok := g[v]; !ok || nd < old-1e-9 {
				g[v] = nd
				prev[v] = u
				heap.Push(q, item{nd + h(v), v})
			}
		}
	}
	return nil, g, false
}

// escape finds the shortest path from cell start of zone z to a cell of another zone,
// through free cells and cells of z; it returns that zone and the path (without the other
// zone's cell), or -1.
func (p *partitioner) escape(z int, start h3.Cell) (int, []h3.Cell) {
	dist := map[h3.Cell]float64{start: 0}
	prev := map[h3.Cell]h3.Cell{}
	q := &cellHeap{{0, start}}
	for q.Len() > 0 {
		it := heap.Pop(q).(item)
		u, d := it.c, it.d
		if d > dist[u] {
			continue
		}
		if o, ok := p.owner[u]; ok && o != z {
			var path []h3.Cell
			for c := prev[u]; ; c = prev[c] {
				path = append(path, c)
				if c == start {
					return o, path
				}
			}
		}
		for _, v := range p.neighbours(u) {
			if !p.reach.has(p.pos(v)) {
				continue
			}
			nd := d + 1
			if old, ok := dist[v]; !ok || nd < old-1e-9 {
				dist[v] = nd
				prev[v] = u
				heap.Push(q, item{nd, v})
			}
		}
	}
	return -1, nil
}

type item struct {
	d float64
	c h3.Cell
}

type cellHeap []item

func (h cellHeap) Len() int { return len(h) }
func (h cellHeap) Less(i, j int) bool {
	if h[i].d != h[j].d {
		return h[i].d < h[j].d
	}
	return h[i].c < h[j].c
}
func (h cellHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *cellHeap) Push(x any)   { *h = append(*h, x.(item)) }
func (h *cellHeap) Pop() any {
	old := *h
	it := old[len(old)-1]
	*h = old[:len(old)-1]
	return it
}
