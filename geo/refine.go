package geo

// Step 3 of Partition continued, the refinement: moves of grains and units that bring
// the zones' workloads per unit to the mean; and the workload estimate it weighs them by.

import (
	"math"
	"slices"
)

// loads are the two workloads Partition balances: [0] that of Visits and Minutes (what
// Zone.WorkloadMinutes reports), [1] that of PlannedVisits and PlannedMinutes.
type loads [2]float64

func (l loads) add(m loads) loads { return loads{l[0] + m[0], l[1] + m[1]} }
func (l loads) sub(m loads) loads { return loads{l[0] - m[0], l[1] - m[1]} }

// dev returns the larger relative deviation of the two loads per unit, l ÷ units, from
// mean.
func (l loads) dev(units float64, mean loads) float64 {
	return max(math.Abs(l[0]/units-mean[0])/mean[0], math.Abs(l[1]/units-mean[1])/mean[1])
}

// worse returns the index of the load whose workload per unit is further off mean.
func (l loads) worse(units float64, mean loads) int {
	if math.Abs(l[1]/units-mean[1])/mean[1] > math.Abs(l[0]/units-mean[0])/mean[0] {
		return 1
	}
	return 0
}

// travelMinutes returns the travel minutes from site i to site j (-1: none), at least one.
func (p *partitioner) travelMinutes(i, j int) float64 {
	if j < 0 {
		return 1
	}
	return max(1, float64(p.opt.Travel.Minutes(p.sites[i].Point, p.sites[j].Point)))
}

// siteLoads returns the loads of site i with j the site it travels from (-1: none).
func (p *partitioner) siteLoads(i, j int) loads {
	s, m := p.sites[i], p.travelMinutes(i, j)
	return loads{s.Minutes + s.Visits*m, s.PlannedMinutes + s.PlannedVisits*m}
}

// maxRounds bounds the rounds of refine and connect: when connect hands walled-in grains
// to another zone, they are pinned there and the balance is refined again.
const maxRounds = 3

// regroup takes the zones as connect left them, and pins the grains it moved.
func (p *partitioner) regroup() {
	for z := range p.groups {
		p.groups[z] = p.groups[z][:0]
	}
	for i, g := range p.grain {
		z := p.owner[g.cell]
		p.groups[z] = append(p.groups[z], i)
	}
	for _, i := range p.escaped {
		p.pinned[i] = true
	}
}

// refineTarget is the deviation of a zone's workload per unit from the mean below which
// refine stops.
const refineTarget = 0.1

// refine evens out the workload per unit where bisection left a zone more than
// refineTarget off the mean (grains are lumpy: a building with many missions is one
// grain). Again and again it takes the zone furthest off the mean and makes the move that
// brings it and the other zone involved closest to the mean: a grain to or from a zone
// holding one of its nearest grains, a unit to or from another zone, or merging with a
// zone nearby into one zone worked by their units together. It stops when no move helps.
func (p *partitioner) refine() {
	nz := len(p.groups)
	load := make([]loads, nz)
	assign := make([]int, len(p.grain))
	for z, gs := range p.groups {
		load[z] = p.exactLoad(gs)
		for _, i := range gs {
			assign[i] = z
		}
	}
	var near [][]int
	for range 4*nz + 16 {
		var total loads
		for z := range nz {
			total = total.add(load[z])
		}
		mean := loads{total[0] / float64(p.opt.Units), total[1] / float64(p.opt.Units)}
		dev := func(l loads, u int) float64 { return l.dev(float64(u), mean) }
		w, worst := -1, refineTarget
		for z := range nz {
			if len(p.groups[z]) > 0 && dev(load[z], p.units[z]) > worst+1e-12 {
				w, worst = z, dev(load[z], p.units[z])
			}
		}
		if w < 0 {
			break
		}
		if near == nil {
			near = p.nearGrains(6)
		}
		k := load[w].worse(float64(p.units[w]), mean)
		over := load[w][k]/float64(p.units[w]) > mean[k]
		best := refineMove{worst: worst - 1e-9}
		// try weighs move m; a move of a unit keeps both zones' grains, and so their loads.
		try := func(m refineMove) {
			if m.unit {
				m.la, m.lb = load[m.a], load[m.b]
			} else {
				m.la, m.lb = p.exactLoad(m.ga), loads{}
				if !m.merge {
					m.lb = p.exactLoad(m.gb)
				}
			}
			m.worst = dev(m.la, m.ua)
			if !m.merge {
				m.worst = max(m.worst, dev(m.lb, m.ub))
			}
			if m.worst < best.worst {
				best = m
			}
		}
		nbr := map[int]bool{}
		for _, i := range p.groups[w] {
			for _, j := range near[i] {
				if b := assign[j]; b != w {
					nbr[b] = true
					if over && len(p.groups[w]) > 1 && !p.pinned[i] {
						try(refineMove{a: w, b: b, ga: without(p.groups[w], i), gb: with(p.groups[b], i), ua: p.units[w], ub: p.units[b]})
					}
					if !over && len(p.groups[b]) > 1 && !p.pinned[j] {
						try(refineMove{a: w, b: b, ga: with(p.groups[w], j), gb: without(p.groups[b], j), ua: p.units[w], ub: p.units[b]})
					}
				}
			}
		}
		for b := range nz {
			switch {
			case b == w || len(p.groups[b]) == 0:
			case over && p.units[b] > 1:
				try(refineMove{a: w, b: b, ga: p.groups[w], gb: p.groups[b], ua: p.units[w] + 1, ub: p.units[b] - 1, unit: true})
			case !over && p.units[w] > 1:
				try(refineMove{a: w, b: b, ga: p.groups[w], gb: p.groups[b], ua: p.units[w] - 1, ub: p.units[b] + 1, unit: true})
			}
		}
		if best.a == best.b { // merge only when nothing else helps
			for _, b := range sortedInts(nbr) {
				try(refineMove{a: w, b: b, ga: merged(p.groups[w], p.groups[b]), ua: p.units[w] + p.units[b], merge: true})
			}
		}
		if best.a == best.b { // no move helps
			break
		}
		p.apply(best, load, assign)
	}
	p.dropEmpty()
}

// refineMove is a move of refine: zones a and b get grains ga and gb and units ua and ub
// (a grain or a unit moved), or a takes b in (merge).
type refineMove struct {
	a, b   int   // zones changed
	ga, gb []int // their new grains
	ua, ub int   // their new units
	la, lb loads
	worst  float64
	merge  bool
	unit   bool // a unit moved: the grains stay
}

// apply makes move m, updating the zones' loads and each grain's zone (assign).
func (p *partitioner) apply(m refineMove, load []loads, assign []int) {
	a, b := m.a, m.b
	p.groups[a], p.units[a], load[a] = m.ga, m.ua, m.la
	if m.merge {
		p.regions[a] = append(p.regions[a], p.regions[b]...)
		p.groups[b], p.units[b], load[b], p.regions[b] = nil, 0, loads{}, nil
	} else {
		p.groups[b], p.units[b], load[b] = m.gb, m.ub, m.lb
	}
	for _, z := range []int{a, b} {
		for _, i := range p.groups[z] {
			assign[i] = z
		}
	}
}

// dropEmpty drops the zones merged away.
func (p *partitioner) dropEmpty() {
	k := 0
	for z := range p.groups {
		if len(p.groups[z]) > 0 {
			p.groups[k], p.units[k], p.regions[k] = p.groups[z], p.units[z], p.regions[z]
			k++
		}
	}
	p.groups, p.units, p.regions = p.groups[:k], p.units[:k], p.regions[:k]
}

func without(s []int, x int) []int {
	return slices.DeleteFunc(slices.Clone(s), func(v int) bool { return v == x })
}

func with(s []int, x int) []int {
	out := append(slices.Clone(s), x)
	slices.Sort(out)
	return out
}

func merged(a, b []int) []int {
	out := append(slices.Clone(a), b...)
	slices.Sort(out)
	return out
}

func sortedInts(m map[int]bool) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// nearGrains returns, for each grain, the k grains nearest to it (by projected distance,
// then index).
func (p *partitioner) nearGrains(k int) [][]int {
	n := len(p.grain)
	out := make([][]int, n)
	if k = min(k, n-1); k < 1 {
		return out
	}
	x, y := make([]float64, n), make([]float64, n)
	for i, g := range p.grain {
		x[i], y[i] = g.x, g.y
	}
	flat := kNearestPlanar(x, y, k)
	for i := range out {
		out[i] = flat[i*k : (i+1)*k : (i+1)*k]
	}
	return out
}

// exactLoad is the workload of a zone made of grains gs, as Zone.WorkloadMinutes counts it
// (for both loads).
func (p *partitioner) exactLoad(gs []int) loads {
	var ms []int
	for _, i := range gs {
		ms = append(ms, p.grain[i].sites...)
	}
	slices.Sort(ms)
	return p.workload(ms)
}

// workload returns the on-site minutes of sites ms (sorted) plus their travel estimate,
// for both loads.
func (p *partitioner) workload(ms []int) loads {
	pts := make([]Point, len(ms))
	for k, i := range ms {
		pts[k] = p.sites[i].Point
	}
	near := Nearest(pts)
	var w loads
	for k, i := range ms {
		j := -1
		if near[k] >= 0 {
			j = ms[near[k]]
		}
		w = w.add(p.siteLoads(i, j))
	}
	return w
}
