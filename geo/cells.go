package geo

// H3 cells of the zoning: a point's cell, the adaptive zoning cells and the grains
// (the sites' cells at the finest resolution), and the neighbours of a cell.

import (
	"fmt"
	"math"
	"slices"

	"github.com/uber/h3-go/v4"
)

// CellOf returns the H3 cell of resolution res (0 to 15) that holds p. It fails on a point
// that is not a finite latitude in [-90, 90] and longitude in [-180, 180].
func CellOf(p Point, res int) (h3.Cell, error) {
	if err := checkPoint(p); err != nil {
		return 0, fmt.Errorf("geo: %w", err)
	}
	if res < 0 || res > 15 {
		return 0, fmt.Errorf("geo: H3 resolution %d not in 0..15", res)
	}
	c := h3.LatLngToCell(h3.NewLatLng(p.Lat, p.Lon), res)
	if !c.IsValid() {
		return 0, fmt.Errorf("geo: no H3 cell at resolution %d for %v", res, p)
	}
	return c, nil
}

func checkPoint(p Point) error {
	if math.IsNaN(p.Lat) || math.IsNaN(p.Lon) || p.Lat < -90 || p.Lat > 90 || p.Lon < -180 || p.Lon > 180 {
		return fmt.Errorf("bad coordinates lat %v lon %v", p.Lat, p.Lon)
	}
	return nil
}

type grain struct {
	cell  h3.Cell
	sites []int
	load  loads
	x, y  float64 // km east and north of (lat0, lng0)
}

func (p *partitioner) cellsAndLoads() {
	n := len(p.sites)
	p.fine = make([]h3.Cell, n)
	pts := make([]Point, n)
	for i, s := range p.sites {
		p.fine[i] = h3.LatLngToCell(h3.NewLatLng(s.Point.Lat, s.Point.Lon), p.opt.MaxResolution)
		pts[i] = s.Point
		p.lat0 += s.Point.Lat / float64(n)
		p.lng0 += s.Point.Lon / float64(n)
	}
	near := Nearest(pts)
	p.load = make([]loads, n)
	for i := range p.sites {
		// A site with no work still weighs a little, so that every part of a cut weighs.
		l := p.siteLoads(i, near[i])
		p.load[i] = loads{max(l[0], 1e-3), max(l[1], 1e-3)}
	}
}

// grains builds the adaptive zoning cells, then the grains: the cells of the sites at the
// fill resolution (MaxResolution). Grains are what the balance moves
// around; zoning cells come back in settle.
func (p *partitioner) grains() {
	var total loads
	for _, l := range p.load {
		total = total.add(l)
	}
	var limit loads
	for k := range limit {
		limit[k] = grainShare * total[k] / float64(p.opt.Units)
		if p.opt.UnitMinutes > 0 {
			limit[k] = min(limit[k], p.opt.UnitMinutes)
		}
	}
	all := make([]int, len(p.sites))
	for i := range all {
		all[i] = i
	}
	p.fillRes = p.opt.MaxResolution
	var walk func(sites []int, res int)
	walk = func(sites []int, res int) {
		by := map[h3.Cell][]int{}
		for _, i := range sites {
			c := p.fine[i].Parent(res)
			by[c] = append(by[c], i)
		}
		for _, c := range sortedKeys(by) {
			ids := by[c]
			var l loads
			for _, i := range ids {
				l = l.add(p.load[i])
			}
			if (l[0] > limit[0] || l[1] > limit[1]) && res < p.opt.MaxResolution {
				walk(ids, res+1)
				continue
			}
			p.zcells = append(p.zcells, c)
		}
	}
	walk(all, p.opt.Resolution)
	by := map[h3.Cell][]int{}
	for i := range p.sites {
		c := p.siteCell(i)
		by[c] = append(by[c], i)
	}
	p.xy = map[h3.Cell][2]float64{}
	p.kx = math.Cos(p.lat0*math.Pi/180) * EarthRadiusM * math.Pi / 180 / 1000
	p.ky = EarthRadiusM * math.Pi / 180 / 1000
	p.spacing = math.Sqrt(3) * h3.HexagonEdgeLengthAvgKm(p.fillRes) * 1.05
	p.nbrs = map[h3.Cell][]h3.Cell{}
	p.grainAt = map[h3.Cell]int{}
	for _, c := range sortedKeys(by) {
		g := &grain{cell: c, sites: by[c]}
		for _, i := range g.sites {
			g.load = g.load.add(p.load[i])
		}
		g.x, g.y = p.pos(c)
		p.grainAt[c] = len(p.grain)
		p.grain = append(p.grain, g)
	}
}

func sortedKeys[V any](m map[h3.Cell]V) []h3.Cell {
	keys := make([]h3.Cell, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// hexGrid is the cells at the fill resolution, where grains and paths live.
type hexGrid struct {
	fillRes int // MaxResolution
	grainAt map[h3.Cell]int
	nbrs    map[h3.Cell][]h3.Cell
}

// neighbours returns the cells next to u, at u's resolution.
func (p *hexGrid) neighbours(u h3.Cell) []h3.Cell {
	if ns, ok := p.nbrs[u]; ok {
		return ns
	}
	var ns []h3.Cell
	for _, n := range u.GridDisk(1) {
		if n != u {
			ns = append(ns, n)
		}
	}
	p.nbrs[u] = ns
	return ns
}

func (p *hexGrid) isGrain(c h3.Cell) bool {
	_, ok := p.grainAt[c]
	return ok
}

// siteCell returns the cell of site i at the fill resolution.
func (p *partitioner) siteCell(i int) h3.Cell {
	if p.fine[i].Resolution() == p.fillRes {
		return p.fine[i]
	}
	return p.fine[i].Parent(p.fillRes)
}
