package geo

import (
	"cmp"
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
	err   error

	zcells  []h3.Cell       // adaptive zoning cells that hold sites
	grain   []*grain        // sites' cells at MaxResolution, sorted
	groups  [][]int         // grain indices of each zone
	units   []int           // units of each zone
	regions [][][]halfPlane // the parts of the plane each zone was cut from
	pinned  map[int]bool    // grains refine must leave where they are

	projection // the local plane (plane.go)
	hexGrid    // the cells at the fill resolution (cells.go)
	cutScratch // bisection's sorted coordinates (partition.go)
	paths      // contiguity's cell owners and search state (connect.go)
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
