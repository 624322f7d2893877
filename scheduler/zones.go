package scheduler

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"vigil/geo"
)

// walkMinutes is the walk between two missions that still counts as walkable when foot
// units are placed: zones with the most mission pairs this close get the foot units.
const walkMinutes = 15

// zoneTeam is how many units of the partitioned mode a zone gets at least, where the force
// has them: a zone worked by several units can send another unit soon after one leaves,
// so short gaps (which intercept attacks) are not lost to one unit's queue, and a late
// visit can be absorbed (pooling); the zones are correspondingly larger. Each zone has its
// own water level (allocate), and a unit more or less moves it by about 1 ÷ its units, so
// large teams keep the levels of the zones close: the worst zone decides the minimax
// measure (DESIGN.md §4.4).
const zoneTeam = 8

// zoneHeadroom is the capacity over the minimums that rebalance gives every zone it can
// before it balances water levels: random dispatch needs room to meet every max gap.
const zoneHeadroom = 1.5

// zoneUnit is one unit working a zone in every shift of a service day.
type zoneUnit struct {
	ID   string
	Mode Mode
	// Home is the index (into Inputs.Missions) of the mission where the unit stands at the
	// start of every service day and to which it can return before the day ends, so that
	// independently planned days join without a unit being in two places.
	Home int
}

// zoning is a region's zones with their missions (indices into Inputs.Missions, by id)
// and units.
type zoning struct {
	Zones    []geo.Zone
	Missions [][]int
	Units    [][]zoneUnit
	ZoneOf   []int // mission index → zone index
	// Travel is each zone's meanZoneTravel by the modes of its units, computed once with
	// the zoning: the allocation of every day of the zone starts from it.
	Travel []map[Mode]float64
}

// Zones partitions a region's missions into patrol zones (DESIGN.md §2) and says how many
// units work each per shift. geo.Partition balances the zones per unit on two loads at
// once, the profile minimums (which WorkloadMinutes reports) and the visits the force will
// make (the region's allocation: floors, then the spare water-filled by value), in teams
// of about zoneTeam vehicle units, so most zones are worked by several units; the vehicle
// units are then shared in proportion to the teams and moved one at a time while that
// gives a short zone room for its minimums or lowers the highest water level, and keeps
// the minimum workload per unit within zoneSpread of the mean (rebalance). Foot units go where walking works: to the zones with the most mission pairs
// within a 15-minute walk, one per zone in that order (wrapping round when there are more
// foot units than such zones), each based at the mission with the most such neighbours.
// With no vehicle units, the foot units are partitioned instead. WorkloadMinutes is
// reported for the profile minimums (on-site minutes plus travel to the nearest mission).
func Zones(in Inputs) ([]geo.Zone, error) {
	z, err := makeZoning(in)
	if err != nil {
		return nil, err
	}
	return z.Zones, nil
}

func makeZoning(in Inputs) (*zoning, error) {
	f := in.Force
	region := regionOf(in)
	if len(in.Missions) == 0 {
		return nil, fmt.Errorf("%s: no missions to plan", region)
	}
	vehicles, foot := f.Units[Vehicle], f.Units[Foot]
	if vehicles+foot == 0 {
		return nil, &InfeasibleError{Region: region, Missing: "no units on duty: every zone needs at least one unit per shift"}
	}
	travel := TravelModel(f)
	partMode := Vehicle
	partUnits := vehicles
	if vehicles == 0 {
		partMode, partUnits = Foot, foot
	}
	zn, err := partitionMissions(in, travel, partMode, partUnits)
	if err != nil {
		return nil, err
	}
	zones := zn.Zones
	share := shareUnits(zones, partUnits)
	// Foot units first: the vehicle units are then balanced around them.
	footUnits := make([][]zoneUnit, len(zones))
	if vehicles > 0 && foot > 0 {
		footUnits = placeFoot(in, zn.Missions, foot, travel(Foot))
	}
	work := make([]float64, len(zones))
	for zi, ms := range zn.Missions {
		work[zi] = minimumWorkload(in, ms, partMode)
	}
	zn.Travel = rebalance(in, zn.Missions, share, footUnits, partMode, travel, work)
	if zn.Travel == nil {
		zn.Travel = make([]map[Mode]float64, len(zones))
	}
	n := 0
	for zi := range zones {
		ms := zn.Missions[zi]
		k := share[zi]
		for j := 0; j < k; j++ {
			n++
			zn.Units[zi] = append(zn.Units[zi], zoneUnit{ID: UnitID(region, partMode, n), Mode: partMode, Home: ms[j*len(ms)/k]})
		}
		zn.Units[zi] = append(zn.Units[zi], footUnits[zi]...)
		zones[zi].Units = len(zn.Units[zi])
		if zn.Travel[zi] == nil {
			zn.Travel[zi] = map[Mode]float64{}
		}
		for _, u := range zn.Units[zi] {
			if _, ok := zn.Travel[zi][u.Mode]; !ok {
				zn.Travel[zi][u.Mode] = meanZoneTravel(in, ms, travel(u.Mode))
			}
		}
	}
	for zi := range zones {
		zones[zi].WorkloadMinutes = work[zi]
	}
	return zn, nil
}

// partitionMissions cuts the region's missions into zones with geo.Partition, in teams of
// about zoneTeam units of mode partMode, and returns the zoning without units yet.
func partitionMissions(in Inputs, travel func(Mode) geo.Traveler, partMode Mode, partUnits int) (*zoning, error) {
	f := in.Force
	region := regionOf(in)
	sites := make([]geo.Site, len(in.Missions))
	index := make(map[string]int, len(in.Missions))
	for i, m := range in.Missions {
		if !ValidThreat(m.Threat) {
			return nil, fmt.Errorf("%s: mission %s: threat %d is not in %d..%d", region, m.ID, m.Threat, MinThreat, MaxThreat)
		}
		index[m.ID] = i
	}
	// Zones are balanced on two loads at once: the profile minimums (what WorkloadMinutes
	// reports) and the visits the force will make (floors, then the spare water-filled by
	// value), so a zone of high-value missions gets the units its visits need and no zone's
	// minimum workload per unit strays far from the mean.
	planned := plannedVisits(in, travel)
	for i, m := range in.Missions {
		p := f.Profiles[m.Threat]
		v, pv := MinimumVisits(p, checkDayMinutes), planned[i]
		sites[i] = geo.Site{ID: m.ID, Point: MissionPoint(m), Visits: v, Minutes: v * MeanDwell(p), PlannedVisits: pv, PlannedMinutes: pv * MeanDwell(p)}
	}
	res := f.H3Resolution
	if res == 0 {
		res = DefaultH3Resolution
	}
	teams := max(1, partUnits/zoneTeam)
	zones, err := geo.Partition(sites, geo.ZoneOptions{
		Resolution:    res,
		MaxResolution: MaxH3Resolution,
		Units:         teams,
		UnitMinutes:   UnitMinutesPerDay() * float64(partUnits) / float64(teams),
		Travel:        travel(partMode),
	})
	if errors.Is(err, geo.ErrNoSites) {
		return nil, fmt.Errorf("%s: no missions to plan", region)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: zones: %w", region, err)
	}
	sort.Slice(zones, func(a, b int) bool { return zones[a].ID < zones[b].ID })
	zn := &zoning{Zones: zones, Missions: make([][]int, len(zones)), Units: make([][]zoneUnit, len(zones)), ZoneOf: make([]int, len(in.Missions))}
	for i := range zn.ZoneOf {
		zn.ZoneOf[i] = -1
	}
	for zi, z := range zones {
		for _, id := range z.Sites {
			mi, ok := index[id]
			if !ok {
				return nil, fmt.Errorf("%s: zone %s holds unknown mission %s", region, z.ID, id)
			}
			zn.Missions[zi] = append(zn.Missions[zi], mi)
			zn.ZoneOf[mi] = zi
		}
		sort.Ints(zn.Missions[zi])
	}
	for mi, zi := range zn.ZoneOf {
		if zi < 0 {
			return nil, fmt.Errorf("%s: mission %s is in no zone", region, in.Missions[mi].ID)
		}
	}
	return zn, nil
}

// shareUnits shares the units of the partitioned mode in proportion to the zones' teams
// (largest remainder, ties to the lower zone index), at least one a zone.
func shareUnits(zones []geo.Zone, partUnits int) []int {
	share := make([]int, len(zones))
	rem := make([]float64, len(zones))
	given := 0
	totalTeams := 0
	for _, z := range zones {
		totalTeams += max(z.Units, 1)
	}
	for zi, z := range zones {
		x := float64(max(z.Units, 1)) * float64(partUnits) / float64(totalTeams)
		share[zi] = max(1, int(x))
		rem[zi] = x - float64(int(x))
		given += share[zi]
	}
	order := make([]int, len(zones))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return rem[order[a]] > rem[order[b]] })
	for i := 0; given < partUnits; i++ {
		share[order[i%len(order)]]++
		given++
	}
	return share
}

// placeFoot places foot units where walking works: to the zones (missions: each zone's
// missions) with the most mission pairs within walkMinutes by walk, one per zone in that
// order (wrapping round when there are more foot units than such zones), each based at the
// mission with the most such neighbours.
func placeFoot(in Inputs, missions [][]int, foot int, walk geo.Traveler) [][]zoneUnit {
	region := regionOf(in)
	footUnits := make([][]zoneUnit, len(missions))
	type cand struct {
		zone, pairs, home int
	}
	var cands []cand
	for zi, ms := range missions {
		c := cand{zone: zi, home: ms[0]}
		best := -1
		for _, a := range ms {
			near := 0
			for _, b := range ms {
				if a != b && walk.Minutes(MissionPoint(in.Missions[a]), MissionPoint(in.Missions[b])) <= walkMinutes {
					near++
				}
			}
			c.pairs += near
			if near > best {
				best, c.home = near, a
			}
		}
		cands = append(cands, c)
	}
	sort.SliceStable(cands, func(a, b int) bool { return cands[a].pairs > cands[b].pairs })
	k := 0
	for k < len(cands) && cands[k].pairs > 0 {
		k++
	}
	k = max(k, 1)
	for j := 0; j < foot; j++ {
		c := cands[j%k]
		footUnits[c.zone] = append(footUnits[c.zone], zoneUnit{ID: UnitID(region, Foot, j+1), Mode: Foot, Home: c.home})
	}
	return footUnits
}

// minimumWorkload is the workload Zone.WorkloadMinutes reports (DESIGN.md §5): the profile
// minimums' on-site minutes plus each visit's travel (by mode) to the nearest other
// mission of the zone, at least a minute.
func minimumWorkload(in Inputs, ms []int, mode Mode) float64 {
	f := in.Force
	t := TravelModel(f)(mode)
	pts := missionPoints(in, ms)
	near := geo.Nearest(pts)
	w := 0.0
	for k, a := range ms {
		p := f.Profiles[in.Missions[a].Threat]
		v := MinimumVisits(p, checkDayMinutes)
		tr := 1.0
		if near[k] >= 0 {
			tr = max(1, geo.FractionalMinutes(t, pts[k], pts[near[k]]))
		}
		w += v*MeanDwell(p) + v*tr
	}
	return w
}

// footShare is how much of a vehicle unit a foot unit counts for where zones' workloads
// per unit are compared: a foot unit works the same minutes but covers the zone's
// walkable core only, at a fifth of the speed.
const footShare = 0.5

// zoneSpread bounds how far rebalance lets a zone's minimum workload per unit (foot units
// counted as footShare of a vehicle unit) stray from the mean over zones, relative.
const zoneSpread = 0.2

// spread returns the largest relative deviation from the mean of the zones' minimum
// workloads work per unit, with share units of the moved mode and fixed units.
func spread(work []float64, share []int, fixed [][]zoneUnit, mode Mode) float64 {
	per := make([]float64, len(work))
	mean := 0.0
	for zi := range work {
		u := float64(share[zi])
		for _, fu := range fixed[zi] {
			if fu.Mode == mode {
				u++
			} else {
				u += footShare
			}
		}
		per[zi] = work[zi] / u
		mean += per[zi] / float64(len(work))
	}
	worst := 0.0
	for _, w := range per {
		worst = max(worst, math.Abs(w/mean-1))
	}
	return worst
}

// regionOf returns the region id of the inputs.
func regionOf(in Inputs) string {
	if in.Office.ID != "" {
		return in.Office.ID
	}
	return in.Force.Region
}

// rebalance moves units of mode between zones, one at a time, while that lowers the
// highest water level of any zone (allocate's Level): the worst-served high-value mission
// decides the minimax measure (§4.4), and the partition balanced estimated workloads,
// not values. Units in fixed (the foot units placed per zone) count towards their zone's
// level but do not move. Every zone keeps at least one unit of mode. A move must also keep
// the zones' minimum workloads per unit (work, the reported WorkloadMinutes) within
// zoneSpread of their mean, or bring them closer. It returns each zone's meanZoneTravel by
// the modes it counted (nil with fewer than two zones).
func rebalance(in Inputs, missions [][]int, share []int, fixed [][]zoneUnit, mode Mode, travel func(Mode) geo.Traveler, work []float64) []map[Mode]float64 {
	if len(share) < 2 {
		return nil
	}
	prof := func(mi int) Profile { return in.Force.Profiles[in.Missions[mi].Threat] }
	var levelOf func(zi, units int) float64
	travelOf := make([]map[Mode]float64, len(share))
	for zi := range share {
		travelOf[zi] = map[Mode]float64{mode: meanZoneTravel(in, missions[zi], travel(mode))}
		for _, u := range fixed[zi] {
			if _, ok := travelOf[zi][u.Mode]; !ok {
				travelOf[zi][u.Mode] = meanZoneTravel(in, missions[zi], travel(u.Mode))
			}
		}
	}
	// level is a pure function of the zone and its units here, and each move changes
	// two zones only, so it is memoised: O(zones) allocations instead of O(zones²).
	type zoneUnits struct{ zi, units int }
	levels := map[zoneUnits]float64{}
	level := func(zi, units int) float64 {
		if l, ok := levels[zoneUnits{zi, units}]; ok {
			return l
		}
		l := levelOf(zi, units)
		levels[zoneUnits{zi, units}] = l
		return l
	}
	levelOf = func(zi, units int) float64 {
		us := make([]zoneUnit, units, units+len(fixed[zi]))
		for i := range us {
			us[i].Mode = mode
		}
		us = append(us, fixed[zi]...)
		a, err := allocateWith(in, "", missions[zi], us, prof, checkDayMinutes, Utilisation, travelOf[zi])
		sumMin := 0.0
		for _, m := range a.Minimums {
			sumMin += m
		}
		// A zone short of room for its minimums with dispatch headroom comes first.
		short := max(0, zoneHeadroom*sumMin/max(a.Capacity, 1e-9)-1)
		if err != nil {
			short = max(short, 1)
		}
		return a.Level + 1000*short
	}
	cur := make([]float64, len(share))
	for zi := range share {
		cur[zi] = level(zi, share[zi])
	}
	for iter := 0; iter < 4*len(share); iter++ {
		worst := 0
		for zi := range cur {
			if cur[zi] > cur[worst] {
				worst = zi
			}
		}
		gain := level(worst, share[worst]+1)
		donor, donorLevel := -1, math.Inf(1)
		before := spread(work, share, fixed, mode)
		for zi := range share {
			if zi == worst || share[zi] < 2 {
				continue
			}
			share[worst]++
			share[zi]--
			after := spread(work, share, fixed, mode)
			share[worst]--
			share[zi]++
			if after > max(zoneSpread, before)+1e-9 {
				continue
			}
			if l := level(zi, share[zi]-1); l < donorLevel {
				donor, donorLevel = zi, l
			}
		}
		if donor < 0 || max(gain, donorLevel) >= cur[worst]-1e-9 {
			return travelOf
		}
		share[worst]++
		share[donor]--
		cur[worst], cur[donor] = gain, donorLevel
	}
	return travelOf
}
