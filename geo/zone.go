package geo

import (
	"cmp"
	"container/heap"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/uber/h3-go/v4"
)

// Site is a point to be zoned, with the work it asks for each service day.
type Site struct {
	ID     string
	Point  Point
	Visits float64 // visits per service day (profile minimums)
	// Minutes is the on-site work per service day: Visits × mean dwell.
	Minutes float64
}

// ZoneOptions tunes Partition.
type ZoneOptions struct {
	Resolution    int     // coarsest H3 resolution; 0 means 8
	MaxResolution int     // finest H3 resolution; 0 means 10 (or Resolution, if finer)
	Units         int     // units per shift to share among the zones (at least 1)
	UnitMinutes   float64 // minutes of work one unit can give per service day; 0 means no limit
	Travel        Traveler
}

// Zone is a contiguous set of H3 cells worked by one or more units in a shift.
type Zone struct {
	ID              string   // "z-" and the zone's first cell in sorted order
	Cells           []string // H3 cells, sorted
	Sites           []string // site ids, sorted
	Units           int      // units working the zone per shift
	WorkloadMinutes float64  // per service day: on-site minutes plus estimated travel
}

// Defaults of ZoneOptions (DESIGN.md §2).
const (
	DefaultResolution    = 8
	DefaultMaxResolution = 10
)

// DefaultTravel is the travel model Partition uses when ZoneOptions.Travel is nil: a vehicle
// at 25 km/h on roads 1.35 times longer than the great circle.
var DefaultTravel = Crow{Circuity: 1.35, SpeedKmh: 25}

// grainShare bounds the workload of one zoning cell to this share of the mean workload per
// unit (as well as to UnitMinutes), so that the balancing has grains fine enough to work
// with. Cells stop splitting at MaxResolution whatever their workload.
const grainShare = 0.5

// ErrNoSites is returned by Partition when there is nothing to zone.
var ErrNoSites = errors.New("geo: no sites to zone")

// CellOf returns the H3 cell of resolution res (0 to 15) that holds p. It fails on a point
// that is not a finite latitude in [-90, 90] and longitude in [-180, 180].
func CellOf(p Point, res int) (h3.Cell, error) {
	if err := checkPoint(p); err != nil {
		return 0, err
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
		return fmt.Errorf("geo: bad coordinates lat %v lon %v", p.Lat, p.Lon)
	}
	return nil
}

// ZoneOf maps each site id to the id of the zone that holds it.
func ZoneOf(zones []Zone) map[string]string {
	m := make(map[string]string)
	for _, z := range zones {
		for _, s := range z.Sites {
			m[s] = z.ID
		}
	}
	return m
}

// Partition groups sites into zones worked by opt.Units units per shift.
//
// Every site lands in exactly one zone; zones are sorted by id, and a zone's cells and sites
// are sorted. The result depends only on the set of sites and the options, not on the
// order of sites. It works in four steps:
//
//  1. Zoning cells. A site belongs to the ancestors of its cell at MaxResolution. Starting
//     from the cells of resolution Resolution that hold sites, a cell whose workload exceeds
//     UnitMinutes, or half the mean workload per unit, is split into all its children, down
//     to MaxResolution. The cells that hold sites are the grains of the partition.
//  2. Balance. The grains are bisected recursively, along the longer axis of their extent,
//     and the units are shared between the two parts so that the workload per unit of both
//     parts stays as close as possible to the mean (a part may get any number of units, so
//     a dense cluster gets several). A part with one unit, or with a single grain, is a zone.
//  3. Contiguity. Each zone's grains are joined by shortest paths (centre-to-centre
//     distance) through free cells: the unsplit cells at Resolution and the empty children
//     of split cells. A cell is given to one zone only. Two cells of different resolutions
//     are neighbours when the finer one has a neighbour, at its resolution, that descends
//     from the coarser one. In the rare case where a grain cannot be reached, because other
//     zones wall it in, it joins the zone that walls it in.
//  4. Workload. A zone's WorkloadMinutes is the sum over its sites of the on-site Minutes
//     plus Visits × the travel time (opt.Travel, DefaultTravel if nil) from the site to the
//     nearest other site of the zone by great-circle distance, at least 1 minute per visit
//     (so a lone site counts 1 minute per visit). Step 2 uses the same estimate with the
//     nearest site of any zone.
//
// A zone id is "z-" and its first cell in sorted order, so ids are stable while the sites,
// their work and the options stay the same; adding or changing a site may move the cuts of
// step 2 and so change other zones.
//
// Partition fails with ErrNoSites on an empty slice, and with an error that names the
// problem on bad coordinates, empty or duplicate ids, negative or non-finite work, Units < 1,
// negative UnitMinutes, or a resolution outside 0..15 or finer than MaxResolution.
func Partition(sites []Site, opt ZoneOptions) ([]Zone, error) {
	if len(sites) == 0 {
		return nil, ErrNoSites
	}
	o, err := normalize(opt)
	if err != nil {
		return nil, err
	}
	ss := slices.Clone(sites)
	slices.SortFunc(ss, func(a, b Site) int { return cmp.Compare(a.ID, b.ID) })
	for i, s := range ss {
		switch {
		case s.ID == "":
			return nil, errors.New("geo: site with an empty id")
		case i > 0 && ss[i-1].ID == s.ID:
			return nil, fmt.Errorf("geo: duplicate site id %q", s.ID)
		case !finite(s.Visits) || s.Visits < 0 || !finite(s.Minutes) || s.Minutes < 0:
			return nil, fmt.Errorf("geo: site %s: visits %v and minutes %v must be finite and not negative", s.ID, s.Visits, s.Minutes)
		}
		if err := checkPoint(s.Point); err != nil {
			return nil, fmt.Errorf("site %s: %w", s.ID, err)
		}
	}
	p := &partitioner{opt: o, sites: ss}
	p.cellsAndLoads()
	p.grains()
	p.balance()
	p.connect()
	return p.zones(), nil
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

func normalize(opt ZoneOptions) (ZoneOptions, error) {
	if opt.Resolution < 0 || opt.Resolution > 15 {
		return opt, fmt.Errorf("geo: zoning resolution %d not in 0..15", opt.Resolution)
	}
	if opt.MaxResolution < 0 || opt.MaxResolution > 15 {
		return opt, fmt.Errorf("geo: zoning max resolution %d not in 0..15", opt.MaxResolution)
	}
	if opt.Resolution == 0 {
		opt.Resolution = DefaultResolution
	}
	if opt.MaxResolution == 0 {
		opt.MaxResolution = max(DefaultMaxResolution, opt.Resolution)
	}
	if opt.Resolution > opt.MaxResolution {
		return opt, fmt.Errorf("geo: zoning resolution %d is finer than max resolution %d", opt.Resolution, opt.MaxResolution)
	}
	if opt.Units < 1 {
		return opt, fmt.Errorf("geo: %d units to share among zones; want at least 1", opt.Units)
	}
	if !finite(opt.UnitMinutes) || opt.UnitMinutes < 0 {
		return opt, fmt.Errorf("geo: unit minutes %v must be finite and not negative", opt.UnitMinutes)
	}
	if opt.Travel == nil {
		opt.Travel = DefaultTravel
	}
	return opt, nil
}

// partitioner holds the state of one Partition call. Sites are sorted by id and referred
// to by index.
type partitioner struct {
	opt   ZoneOptions
	sites []Site
	fine  []h3.Cell // each site's cell at MaxResolution
	load  []float64 // each site's weight for balancing

	leaf    map[h3.Cell]bool // zoning cells (split tree leaves), with or without sites
	split   map[h3.Cell]bool // cells split into their children
	grain   []*grain         // leaves with sites, sorted by cell
	groups  [][]int          // grain indices of each zone
	units   []int            // units of each zone
	regions [][]halfPlane    // the part of the plane each zone was cut from

	fillRes int
	body    map[h3.Cell]int // zone of the grain that holds each cell at the fill resolution
	centre  map[h3.Cell]h3.LatLng
	owner   map[h3.Cell]int // zone index of every zone cell
	lat0    float64         // reference latitude of the local projection
	lng0    float64
}

type grain struct {
	cell  h3.Cell
	sites []int
	load  float64
	x, y  float64 // km east and north of (lat0, lng0)
}

// travelWork returns Visits × the travel minutes from site i to site j (-1: none), at
// least one minute a visit.
func (p *partitioner) travelWork(i, j int) float64 {
	m := 1.0
	if j >= 0 {
		m = max(1, float64(p.opt.Travel.Minutes(p.sites[i].Point, p.sites[j].Point)))
	}
	return p.sites[i].Visits * m
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
	near := nearest(pts)
	p.load = make([]float64, n)
	for i, s := range p.sites {
		// A site with no work still weighs a little, so that every part of a cut weighs.
		p.load[i] = max(s.Minutes+p.travelWork(i, near[i]), 1e-3)
	}
}

// grains builds the adaptive zoning cells.
func (p *partitioner) grains() {
	total := 0.0
	for _, l := range p.load {
		total += l
	}
	limit := grainShare * total / float64(p.opt.Units)
	if p.opt.UnitMinutes > 0 {
		limit = min(limit, p.opt.UnitMinutes)
	}
	p.leaf = map[h3.Cell]bool{}
	p.split = map[h3.Cell]bool{}
	all := make([]int, len(p.sites))
	for i := range all {
		all[i] = i
	}
	var walk func(sites []int, res int)
	walk = func(sites []int, res int) {
		by := map[h3.Cell][]int{}
		for _, i := range sites {
			c := p.fine[i].Parent(res)
			by[c] = append(by[c], i)
		}
		for _, c := range sortedKeys(by) {
			ids := by[c]
			l := 0.0
			for _, i := range ids {
				l += p.load[i]
			}
			if l > limit && res < p.opt.MaxResolution {
				p.split[c] = true
				for _, ch := range c.Children(res + 1) {
					p.leaf[ch] = true // overwritten below if it holds sites and splits
				}
				walk(ids, res+1)
				continue
			}
			p.leaf[c] = true
			p.grain = append(p.grain, &grain{cell: c, sites: ids, load: l})
		}
	}
	walk(all, p.opt.Resolution)
	for c := range p.split {
		delete(p.leaf, c)
	}
	slices.SortFunc(p.grain, func(a, b *grain) int { return cmp.Compare(a.cell.String(), b.cell.String()) })
	p.centre = map[h3.Cell]h3.LatLng{}
	for _, g := range p.grain {
		g.x, g.y = p.project(p.centreOf(g.cell))
	}
}

func (p *partitioner) centreOf(c h3.Cell) h3.LatLng {
	ll, ok := p.centre[c]
	if !ok {
		ll = h3.CellToLatLng(c)
		p.centre[c] = ll
	}
	return ll
}

func sortedKeys[V any](m map[h3.Cell]V) []h3.Cell {
	keys := make([]h3.Cell, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// balance shares the units among groups of grains by recursive bisection.
func (p *partitioner) balance() {
	idx := make([]int, len(p.grain))
	total := 0.0
	for i, g := range p.grain {
		idx[i] = i
		total += g.load
	}
	best := p.bisect(idx, p.opt.Units, nil, total/float64(p.opt.Units))
	p.groups, p.units, p.regions = best.groups, best.units, best.regions
}

// halfPlane is one side of a cut: the cells whose centre's key (coordinate on axis, then
// cell) is at most (at, cell) when below, or greater otherwise.
type halfPlane struct {
	axis  int
	at    float64
	cell  h3.Cell
	below bool
}

func (h halfPlane) has(v float64, c h3.Cell) bool {
	le := v < h.at || v == h.at && c <= h.cell
	return le == h.below
}

// plan is a way of cutting a set of grains into zones.
type plan struct {
	groups  [][]int
	units   []int
	regions [][]halfPlane
	worst   float64 // largest deviation of a zone's workload per unit from the mean, relative
}

// bisect cuts grains gs, worked by units, into zones whose workload per unit stays close
// to mean. Each cut is along x or y; where grains are few for the units, several of the
// best cuts are followed to the end and the one whose worst zone is best wins.
func (p *partitioner) bisect(gs []int, units int, region []halfPlane, mean float64) plan {
	if units == 1 || len(gs) == 1 {
		l := p.exactLoad(gs)
		return plan{
			groups:  [][]int{slices.Clone(gs)},
			units:   []int{units},
			regions: [][]halfPlane{slices.Clone(region)},
			worst:   math.Abs(l/float64(units)-mean) / mean,
		}
	}
	total := 0.0
	minX, maxX, minY, maxY := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, i := range gs {
		g := p.grain[i]
		total += g.load
		minX, maxX = min(minX, g.x), max(maxX, g.x)
		minY, maxY = min(minY, g.y), max(maxY, g.y)
	}
	local := total / float64(units)
	type cut struct {
		axis, k, u int
		cost       float64
	}
	var cuts []cut
	var orders [2][]int
	for axis := range 2 {
		order := slices.Clone(gs)
		coord := func(i int) float64 { return p.grain[i].x }
		longer := maxX-minX >= maxY-minY
		if axis == 1 {
			coord = func(i int) float64 { return p.grain[i].y }
			longer = !longer
		}
		slices.SortFunc(order, func(a, b int) int {
			if c := cmp.Compare(coord(a), coord(b)); c != 0 {
				return c
			}
			return cmp.Compare(p.grain[a].cell, p.grain[b].cell)
		})
		orders[axis] = order
		prefix := make([]float64, len(order)+1)
		for i, g := range order {
			prefix[i+1] = prefix[i] + p.grain[g].load
		}
		for u := 1; u < units; u++ {
			target := total * float64(u) / float64(units)
			k, _ := slices.BinarySearch(prefix, target)
			for kk := k - 1; kk <= k+1; kk++ {
				if kk < 1 || kk >= len(order) {
					continue
				}
				l1, l2 := prefix[kk], total-prefix[kk]
				dev := max(math.Abs(l1/float64(u)-local), math.Abs(l2/float64(units-u)-local)) / local
				c := dev + 0.05*math.Abs(2*float64(u)/float64(units)-1)
				if !longer {
					c += 0.03
				}
				cuts = append(cuts, cut{axis, kk, u, c})
			}
		}
	}
	slices.SortStableFunc(cuts, func(a, b cut) int { return cmp.Compare(a.cost, b.cost) })
	cuts = slices.CompactFunc(cuts, func(a, b cut) bool { return a.axis == b.axis && a.k == b.k && a.u == b.u })
	tries := 1
	if len(gs) <= lookaheadGrains*units {
		tries = lookaheadCuts
	}
	best := plan{worst: math.Inf(1)}
	for _, c := range cuts[:min(tries, len(cuts))] {
		order := orders[c.axis]
		last := p.grain[order[c.k-1]]
		at := last.x
		if c.axis == 1 {
			at = last.y
		}
		lo := append(slices.Clone(region), halfPlane{c.axis, at, last.cell, true})
		hi := append(slices.Clone(region), halfPlane{c.axis, at, last.cell, false})
		a := p.bisect(order[:c.k], c.u, lo, mean)
		b := p.bisect(order[c.k:], units-c.u, hi, mean)
		if w := max(a.worst, b.worst); w < best.worst-1e-9 {
			best = plan{
				groups:  append(a.groups, b.groups...),
				units:   append(a.units, b.units...),
				regions: append(a.regions, b.regions...),
				worst:   w,
			}
		}
	}
	return best
}

// Lookahead of bisect: where a part has at most lookaheadGrains grains a unit, the
// lookaheadCuts best cuts are followed to the end.
const (
	lookaheadGrains = 12
	lookaheadCuts   = 2
)

// exactLoad is the workload of a zone made of grains gs, as Zone.WorkloadMinutes counts it.
func (p *partitioner) exactLoad(gs []int) float64 {
	var ms []int
	for _, i := range gs {
		ms = append(ms, p.grain[i].sites...)
	}
	slices.Sort(ms)
	return p.workload(ms)
}

// workload returns the on-site minutes of sites ms (sorted) plus their travel estimate.
func (p *partitioner) workload(ms []int) float64 {
	pts := make([]Point, len(ms))
	for k, i := range ms {
		pts[k] = p.sites[i].Point
	}
	near := nearest(pts)
	w := 0.0
	for k, i := range ms {
		j := -1
		if near[k] >= 0 {
			j = ms[near[k]]
		}
		w += p.sites[i].Minutes + p.travelWork(i, j)
	}
	return w
}

// inRegion reports whether the centre of cell c lies in the region of zone z.
func (p *partitioner) inRegion(z int, c h3.Cell) bool {
	x, y := p.project(p.centreOf(c))
	for _, h := range p.regions[z] {
		v := x
		if h.axis == 1 {
			v = y
		}
		if !h.has(v, c) {
			return false
		}
	}
	return true
}

func (p *partitioner) project(ll h3.LatLng) (x, y float64) {
	kx := math.Cos(p.lat0*math.Pi/180) * EarthRadiusM * math.Pi / 180 / 1000
	ky := EarthRadiusM * math.Pi / 180 / 1000
	return (ll.Lng - p.lng0) * kx, (ll.Lat - p.lat0) * ky
}

// neighbours returns the cells next to u, at u's resolution.
func neighbours(u h3.Cell, buf []h3.Cell) []h3.Cell {
	buf = buf[:0]
	for _, n := range u.GridDisk(1) {
		if n != u {
			buf = append(buf, n)
		}
	}
	return buf
}

type box struct{ minLat, maxLat, minLng, maxLng float64 }

func (b box) has(ll h3.LatLng) bool {
	return ll.Lat >= b.minLat && ll.Lat <= b.maxLat && ll.Lng >= b.minLng && ll.Lng <= b.maxLng
}

// boxAround returns the box of the grains' centres grown by margin metres on every side.
func (p *partitioner) boxAround(gs []int, margin float64) box {
	b := box{math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)}
	for _, i := range gs {
		ll := p.centreOf(p.grain[i].cell)
		b.minLat, b.maxLat = min(b.minLat, ll.Lat), max(b.maxLat, ll.Lat)
		b.minLng, b.maxLng = min(b.minLng, ll.Lng), max(b.maxLng, ll.Lng)
	}
	dLat := margin / (EarthRadiusM * math.Pi / 180)
	dLng := dLat / max(0.01, math.Cos(p.lat0*math.Pi/180))
	return box{b.minLat - dLat, b.maxLat + dLat, b.minLng - dLng, b.maxLng + dLng}
}

// connect makes every zone connected. It works on cells of one resolution, the finest of
// any grain (the fill resolution). A zone first owns the cells of its sites; shortest paths
// through free cells then join them (Steiner tree by repeated Dijkstra). First each zone
// joins its cells inside its own region or its grains (regions do not overlap, so zones
// cannot block one another there), then the zones that could not join anywhere in reach,
// and last a cell walled in by other zones joins the zone that walls it in. The free cells
// left in a grain go to the grain's zone where they touch it, so a grain whose cells all
// stay with its zone shows as one coarse cell.
func (p *partitioner) connect() {
	f := p.opt.Resolution
	for _, g := range p.grain {
		f = max(f, g.cell.Resolution())
	}
	p.fillRes = f
	p.owner = map[h3.Cell]int{}
	p.body = map[h3.Cell]int{}
	terms := make([][]h3.Cell, len(p.groups))
	for z, gs := range p.groups {
		for _, i := range gs {
			g := p.grain[i]
			for _, k := range p.fill(g.cell) {
				p.body[k] = z
			}
			for _, s := range g.sites {
				c := p.siteCell(s)
				if _, ok := p.owner[c]; !ok {
					p.owner[c] = z
					terms[z] = append(terms[z], c)
				}
			}
		}
		slices.Sort(terms[z])
	}
	all := make([]int, len(p.grain))
	for i := range all {
		all[i] = i
	}
	global := p.boxAround(all, 3*h3.HexagonEdgeLengthAvgM(p.opt.Resolution))
	missing := make([][]h3.Cell, len(p.groups))
	for z := range p.groups {
		missing[z] = p.steiner(z, terms[z], global, true)
	}
	for z := range p.groups {
		if len(missing[z]) > 0 {
			debugf("zone %d phase1 missing %d of %d", z, len(missing[z]), len(terms[z]))
			for _, c := range terms[z] {
				x, y := p.project(p.centreOf(c))
				debugf("  term %v missing %v inRegion %v body %v  x %.2f y %.2f", c, slices.Contains(missing[z], c), p.inRegion(z, c), p.body[c], x, y)
			}
			debugf("  region %+v", p.regions[z])
			missing[z] = p.steiner(z, terms[z], global, false)
			debugf("zone %d phase2 missing %d", z, len(missing[z]))
		}
		for len(missing[z]) > 0 {
			y, path := p.escape(z, missing[z][0], global)
			if y < 0 { // cannot happen: something walls the cell in
				panic(fmt.Sprintf("geo: zoning cell %v cannot reach any zone", missing[z][0]))
			}
			for _, c := range path {
				p.owner[c] = y
			}
			missing[z] = slices.DeleteFunc(missing[z], func(c h3.Cell) bool { return p.owner[c] != z })
		}
	}
	for _, g := range p.grain {
		p.settle(g.cell)
	}
}

// settle gives the free cells of grain cell c to the grain's zone, where they touch it.
func (p *partitioner) settle(c h3.Cell) {
	z := p.body[p.rep(c)]
	free := map[h3.Cell]bool{}
	for _, k := range p.fill(c) {
		if _, ok := p.owner[k]; !ok {
			free[k] = true
		}
	}
	var buf []h3.Cell
	for changed := true; changed; {
		changed = false
		for _, k := range sortedKeys(free) {
			for _, n := range neighbours(k, buf) {
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

// siteCell returns the cell of site i at the fill resolution.
func (p *partitioner) siteCell(i int) h3.Cell {
	if p.fine[i].Resolution() == p.fillRes {
		return p.fine[i]
	}
	return p.fine[i].Parent(p.fillRes)
}

// fill returns the descendants of grain cell c at the fill resolution.
func (p *partitioner) fill(c h3.Cell) []h3.Cell {
	if c.Resolution() == p.fillRes {
		return []h3.Cell{c}
	}
	return c.Children(p.fillRes)
}

// rep returns the cell that stands for grain cell c at the fill resolution.
func (p *partitioner) rep(c h3.Cell) h3.Cell {
	if c.Resolution() == p.fillRes {
		return c
	}
	return c.CenterChild(p.fillRes)
}

func (p *partitioner) heaviest(gs []int) h3.Cell {
	best := gs[0]
	for _, i := range gs[1:] {
		if p.grain[i].load > p.grain[best].load {
			best = i
		}
	}
	return p.siteCell(p.grain[best].sites[0])
}

// steiner joins the cells terms of zone z to its heaviest grain by shortest paths through
// free cells inside b (and inside the zone's region if own), claiming the path cells for z.
// It returns the terms left unjoined.
func (p *partitioner) steiner(z int, terms []h3.Cell, b box, own bool) []h3.Cell {
	first := p.heaviest(p.groups[z])
	pending := map[h3.Cell]bool{}
	for _, c := range terms {
		if c != first {
			pending[c] = true
		}
	}
	inTree := map[h3.Cell]bool{first: true}
	dist := map[h3.Cell]float64{first: 0}
	prev := map[h3.Cell]h3.Cell{}
	q := &cellHeap{{0, first}}
	var buf []h3.Cell
	for q.Len() > 0 && len(pending) > 0 {
		it := heap.Pop(q).(item)
		u, d := it.c, it.d
		if d > dist[u] {
			continue
		}
		if pending[u] {
			delete(pending, u)
			for c := u; !inTree[c]; c = prev[c] {
				inTree[c] = true
				p.owner[c] = z
				dist[c] = 0
				heap.Push(q, item{0, c})
			}
			continue
		}
		buf = neighbours(u, buf)
		cu := p.centreOf(u)
		for _, v := range buf {
			o, owned := p.owner[v]
			if owned && o != z {
				continue
			}
			cv := p.centreOf(v)
			if !b.has(cv) || own && !owned && p.body[v] != z && !p.inRegion(z, v) {
				continue
			}
			nd := d + h3.GreatCircleDistanceM(cu, cv)
			if old, ok := dist[v]; !ok || nd < old-1e-9 {
				dist[v] = nd
				prev[v] = u
				heap.Push(q, item{nd, v})
			}
		}
	}
	left := make([]h3.Cell, 0, len(pending))
	for _, c := range terms {
		if pending[c] {
			left = append(left, c)
		}
	}
	return left
}

// escape finds the shortest path from cell start of zone z to a cell of another zone,
// through free cells and cells of z; it returns that zone and the path (without the other
// zone's cell), or -1.
func (p *partitioner) escape(z int, start h3.Cell, b box) (int, []h3.Cell) {
	dist := map[h3.Cell]float64{start: 0}
	prev := map[h3.Cell]h3.Cell{}
	q := &cellHeap{{0, start}}
	var buf []h3.Cell
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
		buf = neighbours(u, buf)
		cu := p.centreOf(u)
		for _, v := range buf {
			cv := p.centreOf(v)
			if !b.has(cv) {
				continue
			}
			nd := d + h3.GreatCircleDistanceM(cu, cv)
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

// zones assembles the result.
func (p *partitioner) zones() []Zone {
	zs := make([]Zone, len(p.groups))
	for z := range zs {
		zs[z].Units = p.units[z]
	}
	members := make([][]int, len(p.groups))
	for i := range p.sites {
		z := p.owner[p.siteCell(i)]
		members[z] = append(members[z], i)
	}
	cells := make([][]h3.Cell, len(p.groups))
	for _, c := range sortedKeys(p.owner) {
		z := p.owner[c]
		cells[z] = append(cells[z], c)
	}
	for z := range zs {
		for _, c := range h3.CompactCells(cells[z]) {
			zs[z].Cells = append(zs[z].Cells, c.String())
		}
	}
	for z := range zs {
		ms := members[z]
		slices.Sort(ms)
		for _, i := range ms {
			zs[z].Sites = append(zs[z].Sites, p.sites[i].ID)
		}
		zs[z].WorkloadMinutes = p.workload(ms)
		slices.Sort(zs[z].Cells)
		zs[z].ID = "z-" + zs[z].Cells[0]
	}
	slices.SortFunc(zs, func(a, b Zone) int { return cmp.Compare(a.ID, b.ID) })
	return zs
}

// nearest returns, for each point, the index of the nearest other point by great-circle
// distance (the lowest index among equals), or -1 if there is none.
func nearest(pts []Point) []int {
	n := len(pts)
	out := make([]int, n)
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		if c := cmp.Compare(pts[a].Lat, pts[b].Lat); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	const mPerDeg = EarthRadiusM * math.Pi / 180
	for k, i := range order {
		best, bestD := -1, math.Inf(1)
		try := func(j int) bool {
			if math.Abs(pts[j].Lat-pts[i].Lat)*mPerDeg > bestD {
				return false
			}
			d := Haversine(pts[i], pts[j])
			if d < bestD || d == bestD && j < best {
				best, bestD = j, d
			}
			return true
		}
		for kk := k + 1; kk < n && try(order[kk]); kk++ {
		}
		for kk := k - 1; kk >= 0 && try(order[kk]); kk-- {
		}
		out[i] = best
	}
	return out
}

var debugf = func(string, ...any) {}
