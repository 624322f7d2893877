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
	// PlannedVisits and PlannedMinutes are an optional second load: the visits and on-site
	// minutes per service day the units will actually make (e.g. the minimums plus spare
	// visits allocated by value). Zero means the same as Visits or Minutes. Partition
	// balances the workload per unit of both loads at once; Zone.WorkloadMinutes reports
	// the first.
	PlannedVisits  float64
	PlannedMinutes float64
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
// unit (as well as to UnitMinutes), so that zones can be drawn with whole zoning cells.
// Cells stop splitting at MaxResolution whatever their workload.
const grainShare = 0.5

// ErrNoSites is returned by Partition when there is nothing to zone.
var ErrNoSites = errors.New("geo: no sites to zone")

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
// are sorted. The result depends only on the set of sites and the options, not on their
// order. It works in these steps:
//
//  1. Zoning cells. Starting from the cells of resolution Resolution that hold sites, a
//     cell whose workload exceeds UnitMinutes, or half the mean workload per unit, is split
//     into its children, down to MaxResolution (a site belongs to the ancestors of its cell
//     at MaxResolution). A zone is drawn with whole zoning cells where it can be (step 5).
//  2. Grains. The sites' cells at MaxResolution are the grains: sites that share one stay
//     in one zone, which then gets as many units as its work asks for.
//  3. Balance. Sites weigh two loads (step 6): that of Visits and Minutes, and that of
//     PlannedVisits and PlannedMinutes; a zone's deviation is the larger of the two
//     relative deviations of its workload per unit from the mean. The grains are bisected
//     recursively by straight cuts in 36 directions (every 5°, in a local projection),
//     and the units shared between the two parts, choosing the cut whose parts deviate
//     least, with small penalties for uneven unit splits and for cutting across the
//     grains' short extent (a part may get any number of units). Where grains are few for the
//     units, the two best cuts are both followed to the end and the better kept. A part
//     with one unit, or a single grain, is a zone. Then, while some zone's workload per unit
//     is more than 10 % off the mean (either load), the zone furthest off makes the move
//     that lowers the worse deviation of the two zones involved most: a grain to or from a zone holding one of the grain's 6 nearest, a unit to or
//     from another zone, or, if neither helps, merging with a zone nearby.
//  4. Contiguity, at MaxResolution. A zone's grains are joined by shortest paths through
//     free cells (a Steiner tree grown by A* searches): first inside the zone's part of the
//     plane from step 3, where no other zone goes; else anywhere near the sites; else
//     through other zones' path cells, which those zones then route again. A grain walled
//     in by other zones' grains goes to the zone that walls it in, stays there, and steps
//     3 and 4 run again (at most three rounds).
//  5. Cells. A zoning cell whose sites all went to one zone gets its free cells that touch
//     the zone. A zone's Cells are its cells at MaxResolution, compacted (seven siblings
//     make their parent) but no coarser than Resolution. A cell is in one zone only, and a
//     zone's cells are connected: two cells are neighbours when their descendants at
//     MaxResolution are.
//  6. Workload. A zone's WorkloadMinutes is the sum over its sites of the on-site Minutes
//     plus Visits × the travel time (opt.Travel, DefaultTravel if nil) from the site to the
//     nearest other site of the zone by great-circle distance, at least 1 minute a visit
//     (a lone site counts 1 minute a visit). Step 3 weighs sites by the same estimate,
//     first with the nearest site of any zone, then with the zone's.
//
// A zone id is "z-" and its first cell in sorted order, so ids are stable while the sites,
// their work and the options stay the same; adding, removing or changing a site moves the
// cuts of step 3 and may change any zone.
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
		case !finite(s.PlannedVisits) || s.PlannedVisits < 0 || !finite(s.PlannedMinutes) || s.PlannedMinutes < 0:
			return nil, fmt.Errorf("geo: site %s: planned visits %v and planned minutes %v must be finite and not negative", s.ID, s.PlannedVisits, s.PlannedMinutes)
		}
		if ss[i].PlannedVisits == 0 {
			ss[i].PlannedVisits = s.Visits
		}
		if ss[i].PlannedMinutes == 0 {
			ss[i].PlannedMinutes = s.Minutes
		}
		if err := checkPoint(s.Point); err != nil {
			return nil, fmt.Errorf("geo: site %s: %w", s.ID, err)
		}
	}
	p := &partitioner{opt: o, sites: ss}
	p.cellsAndLoads()
	p.grains()
	p.balance()
	p.pinned = map[int]bool{}
	for round := 0; ; round++ {
		p.refine()
		p.connect()
		if p.err != nil {
			return nil, p.err
		}
		if len(p.escaped) == 0 || round == maxRounds-1 {
			break
		}
		p.regroup()
	}
	return p.zones(), nil
}

// shortPenalty is what bisect adds to a cut across the grains' shortest extent (scaled
// down to 0 for their longest), so that parts stay compact: with 0.03 to 0.06 thin
// wedges between cuts of different directions walled grains in on random sets.
const shortPenalty = 0.15

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
	load  []loads   // each site's weights for balancing

	zcells  []h3.Cell       // adaptive zoning cells that hold sites
	grain   []*grain        // sites' cells at MaxResolution, sorted
	groups  [][]int         // grain indices of each zone
	units   []int           // units of each zone
	regions [][][]halfPlane // the parts of the plane each zone was cut from

	fillRes int // MaxResolution: grains and paths live there
	grainAt map[h3.Cell]int
	terms   [][]h3.Cell // grains of each zone (some may have escaped to another zone)
	reach   box         // where paths may go
	victims *[]int      // zones a rip-up cut through
	escaped []int       // grains that connect handed to another zone
	nbrs    map[h3.Cell][]h3.Cell
	pinned  map[int]bool             // grains refine must leave where they are
	alongs  [cutDirections][]float64 // each grain's coordinate along each cut direction
	below   []bool                   // scratch of splitOrders: the grains of one part
	xy      map[h3.Cell][2]float64   // cell centres, projected
	kx, ky  float64                  // km per degree of longitude and latitude
	spacing float64                  // about the km between cell centres at the fill resolution
	owner   map[h3.Cell]int          // zone index of every zone cell
	lat0    float64                  // reference latitude of the local projection
	lng0    float64
	err     error
}

type grain struct {
	cell  h3.Cell
	sites []int
	load  loads
	x, y  float64 // km east and north of (lat0, lng0)
}

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

// pos returns the centre of cell c in the local projection, in km.
func (p *partitioner) pos(c h3.Cell) (float64, float64) {
	xy, ok := p.xy[c]
	if !ok {
		xy[0], xy[1] = p.project(h3.CellToLatLng(c))
		p.xy[c] = xy
	}
	return xy[0], xy[1]
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

// along returns the coordinate of grain i along direction d.
func (p *partitioner) along(i, d int) float64 { return p.alongs[d][i] }

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
	type move struct {
		a, b        int   // zones changed
		ga, gb      []int // their new grains
		ua, ub      int   // their new units
		la, lb      loads
		worst       float64
		merge       bool
		grain, unit bool
	}
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
		best := move{worst: worst - 1e-9}
		// try weighs move m; a move of a unit keeps both zones' grains, and so their loads.
		try := func(m move) {
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
						try(move{a: w, b: b, ga: without(p.groups[w], i), gb: with(p.groups[b], i), ua: p.units[w], ub: p.units[b]})
					}
					if !over && len(p.groups[b]) > 1 && !p.pinned[j] {
						try(move{a: w, b: b, ga: with(p.groups[w], j), gb: without(p.groups[b], j), ua: p.units[w], ub: p.units[b]})
					}
				}
			}
		}
		for b := range nz {
			switch {
			case b == w || len(p.groups[b]) == 0:
			case over && p.units[b] > 1:
				try(move{a: w, b: b, ga: p.groups[w], gb: p.groups[b], ua: p.units[w] + 1, ub: p.units[b] - 1, unit: true})
			case !over && p.units[w] > 1:
				try(move{a: w, b: b, ga: p.groups[w], gb: p.groups[b], ua: p.units[w] - 1, ub: p.units[b] + 1, unit: true})
			}
		}
		if best.a == best.b { // merge only when nothing else helps
			for _, b := range sortedInts(nbr) {
				try(move{a: w, b: b, ga: merged(p.groups[w], p.groups[b]), ua: p.units[w] + p.units[b], merge: true})
			}
		}
		if best.a == best.b { // no move helps
			break
		}
		a, b := best.a, best.b
		p.groups[a], p.units[a], load[a] = best.ga, best.ua, best.la
		if best.merge {
			p.regions[a] = append(p.regions[a], p.regions[b]...)
			p.groups[b], p.units[b], load[b], p.regions[b] = nil, 0, loads{}, nil
		} else {
			p.groups[b], p.units[b], load[b] = best.gb, best.ub, best.lb
		}
		for _, z := range []int{a, b} {
			for _, i := range p.groups[z] {
				assign[i] = z
			}
		}
	}
	// Drop the zones merged away.
	k := 0
	for z := range nz {
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

// Lookahead of bisect: where a part has at most lookaheadGrains grains a unit, the
// lookaheadCuts best cuts are followed to the end.
const (
	lookaheadGrains = 12
	lookaheadCuts   = 2
)

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

// inRegion reports whether the centre of cell c lies in the region of zone z.
func (p *partitioner) inRegion(z int, c h3.Cell) bool {
	x, y := p.pos(c)
	for _, r := range p.regions[z] {
		in := true
		for _, h := range r {
			if !h.has(x*cutDirs[h.dir][0]+y*cutDirs[h.dir][1], c) {
				in = false
				break
			}
		}
		if in {
			return true
		}
	}
	return false
}

func (p *partitioner) project(ll h3.LatLng) (x, y float64) {
	return (ll.Lng - p.lng0) * p.kx, (ll.Lat - p.lat0) * p.ky
}

// neighbours returns the cells next to u, at u's resolution.
func (p *partitioner) neighbours(u h3.Cell) []h3.Cell {
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

// box is a rectangle in the local projection.
type box struct{ minX, maxX, minY, maxY float64 }

func (b box) has(x, y float64) bool {
	return x >= b.minX && x <= b.maxX && y >= b.minY && y <= b.maxY
}

// boxAround returns the box of the grains' centres grown by margin km on every side.
func (p *partitioner) boxAround(gs []int, margin float64) box {
	b := box{math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)}
	for _, i := range gs {
		g := p.grain[i]
		b.minX, b.maxX = min(b.minX, g.x), max(b.maxX, g.x)
		b.minY, b.maxY = min(b.minY, g.y), max(b.maxY, g.y)
	}
	return box{b.minX - margin, b.maxX + margin, b.minY - margin, b.maxY + margin}
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

func (p *partitioner) isGrain(c h3.Cell) bool {
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
	var terms []h3.Cell
	first := h3.Cell(0)
	for _, c := range p.terms[z] {
		if p.owner[c] != z || slices.Contains(terms, c) {
			continue
		}
		terms = append(terms, c)
		if first == 0 || p.grain[p.grainAt[c]].load[0] > p.grain[p.grainAt[first]].load[0] {
			first = c
		}
	}
	// The tree: the cells of z joined to first already (by an earlier call).
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
			if c.Resolution() >= p.opt.Resolution {
				zs[z].Cells = append(zs[z].Cells, c.String())
				continue
			}
			for _, k := range c.Children(p.opt.Resolution) {
				zs[z].Cells = append(zs[z].Cells, k.String())
			}
		}
	}
	for z := range zs {
		ms := members[z]
		slices.Sort(ms)
		for _, i := range ms {
			zs[z].Sites = append(zs[z].Sites, p.sites[i].ID)
		}
		zs[z].WorkloadMinutes = p.workload(ms)[0]
		slices.Sort(zs[z].Cells)
		zs[z].ID = "z-" + zs[z].Cells[0]
	}
	slices.SortFunc(zs, func(a, b Zone) int { return cmp.Compare(a.ID, b.ID) })
	return zs
}
