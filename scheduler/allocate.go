package scheduler

import (
	"fmt"
	"math"
	"sort"
	"sync"

	"vigil/geo"
)

// attackMinutes is the attack length D the water-filling optimises for (DESIGN.md §4.4).
const attackMinutes = 30.0

// meanZoneTravel returns the travel minutes the dispatch spends per visit in a zone for
// traveler t: the mean over the zone's missions of the travel to their TravelNeighbours
// nearest missions of the zone (the unit sent is the one that arrives first, so it comes
// from nearby), at least MinTravelMinutes. Large zones are sampled on a fixed stride
// (travelSampleStride), so the figure stays deterministic and cheap.
func meanZoneTravel(in Inputs, ms []int, t geo.Traveler) float64 {
	if len(ms) < 2 {
		return MinTravelMinutes
	}
	nt := geo.NewNeighbourTravel(missionPoints(in, ms), TravelNeighbours, travelSampleStride(len(ms)))
	return max(MinTravelMinutes, nt.MeanMinutes(t))
}

// travelSampleStride is the stride that samples about 200 of n missions for a travel
// estimate.
func travelSampleStride(n int) int { return max(1, n/200) }

// allocation is the planned visits of one zone's missions for one service day.
type allocation struct {
	Visits   []float64 // per mission of the zone, in zone order
	Minimums []float64
	// Floors is the randomization floor of each mission (FloorVisits at K); a mission
	// planned at it above its minimum is floor-bound.
	Floors   []float64
	Capacity float64 // visits of the zone's mean dwell and travel its units can make
	// Travel is the travel minutes per visit the allocation counted, by mode.
	Travel map[Mode]float64
	// K is the randomization floor in effect, in visits per max gap: the region's, or
	// the largest below it the zone's budget affords (DESIGN.md §3).
	K float64
	// Level is the water level: the worst value × (1 − interception of a D-minute attack
	// right after a departure) over the zone's missions without a post, on the model of
	// the gaps the dispatch draws (realisedInterception); zones with equal levels serve
	// value equally well.
	Level float64
}

// gapCap returns the cap the dispatch draws a mission's gaps under for a target mean
// gap g and max gap maxGap (scheduleNext): the max gap less its slack, and at most a few
// mean gaps.
func gapCap(maxGap int, g float64) float64 {
	return min(float64(maxGap-slackFor(maxGap, 0)), capFor(g))
}

// realisedInterception models the live interception (DESIGN.md §4.3) of a D-minute
// attack at a mission whose gaps (end of a presence to the start of the next) are drawn
// from an exponential of mean g truncated to the cap gapCap: the hazard of the truncated
// law grows, so the attacker's best wait is 0 and the interception is
// (1 − e^(−λD)) ÷ (1 − e^(−λM)) with λ set so the truncated mean is g.
func realisedInterception(g float64, maxGap int, D float64) float64 {
	if g <= 0 {
		return 1
	}
	M := gapCap(maxGap, g)
	if M <= D {
		return 1
	}
	if g > M/2 && g < M {
		// The mirrored law (truncExp): the gap is M less a truncated exponential of mean
		// M − g, whose density grows, so again the best wait is 0.
		l := rateForMean(M-g, M)
		if l == 0 {
			return D / M
		}
		return (math.Exp(-l*(M-D)) - math.Exp(-l*M)) / -math.Expm1(-l*M)
	}
	l := rateForMean(g, M)
	if l == 0 {
		return D / M
	}
	return math.Expm1(-l*D) / math.Expm1(-l*M)
}

// interceptTable tabulates realisedInterception over mean gaps on a geometric grid for
// one max gap, so the water-filling can invert it quickly.
type interceptTable struct {
	gaps []float64 // increasing
	ic   []float64 // non-increasing
}

// interceptTables caches newInterceptTable by max gap and D: the tables are pure
// functions of the two, and the zoning's rebalance allocates the same few profiles
// thousands of times. Tables are never modified once made.
var interceptTables struct {
	sync.Mutex
	m map[interceptKey]interceptTable
}

type interceptKey struct {
	maxGap int
	D      float64
}

// maxInterceptTables bounds the cache, since profiles can come from outside.
const maxInterceptTables = 1024

// interceptTableFor returns newInterceptTable(maxGap, D), cached.
func interceptTableFor(maxGap int, D float64) interceptTable {
	k := interceptKey{maxGap, D}
	interceptTables.Lock()
	t, ok := interceptTables.m[k]
	interceptTables.Unlock()
	if ok {
		return t
	}
	t = newInterceptTable(maxGap, D)
	interceptTables.Lock()
	if interceptTables.m == nil {
		interceptTables.m = map[interceptKey]interceptTable{}
	}
	if len(interceptTables.m) < maxInterceptTables {
		interceptTables.m[k] = t
	}
	interceptTables.Unlock()
	return t
}

func newInterceptTable(maxGap int, D float64) interceptTable {
	var t interceptTable
	for g := minMeanGap; g <= float64(maxGap); g *= 1.03 {
		t.gaps = append(t.gaps, g)
		t.ic = append(t.ic, realisedInterception(g, maxGap, D))
	}
	return t
}

// gapFor returns the longest mean gap whose interception is at least want (minMeanGap
// when none is), interpolating the grid.
func (t interceptTable) gapFor(want float64) float64 {
	n := len(t.gaps)
	// k is the first grid point with ic < want.
	k := sort.Search(n, func(i int) bool { return t.ic[i] < want })
	switch {
	case k == 0:
		return t.gaps[0]
	case k == n:
		return t.gaps[n-1]
	}
	a, b := t.ic[k-1], t.ic[k]
	if a <= b {
		return t.gaps[k-1]
	}
	return t.gaps[k-1] + (t.gaps[k]-t.gaps[k-1])*(a-want)/(a-b)
}

// minMeanGap is the shortest mean gap the allocation plans for a mission (minutes).
const minMeanGap = 8.0

// realisedFill spends a budget of minutes over missions so as to minimise the worst
// value × (1 − realisedInterception) (DESIGN.md §4.4 on the model of the gaps the dispatch
// draws): each mission gets the fewest visits, at least its floor, that bring it to the
// water level w, a visit costing its cost minutes, and w is bisected so the budget is
// spent. Missions of value 0 keep their floors. It returns the visits and w; when the
// floors alone pass the budget, the floors and the worst at them.
func realisedFill(values, floors, dwell, cost []float64, maxGaps []int, budget, dayMinutes, D float64) ([]float64, float64) {
	n := len(values)
	out := make([]float64, n)
	tables := map[int]interceptTable{}
	for i, v := range values {
		if v > 0 {
			if _, ok := tables[maxGaps[i]]; !ok {
				tables[maxGaps[i]] = interceptTableFor(maxGaps[i], D)
			}
		}
	}
	icAt := func(i int, visits float64) float64 {
		return realisedInterception((dayMinutes-visits*dwell[i])/visits, maxGaps[i], D)
	}
	fill := func(w float64) float64 {
		total := 0.0
		for i, v := range values {
			x := floors[i]
			if v > w {
				g := tables[maxGaps[i]].gapFor(1 - w/v)
				x = max(x, dayMinutes/(g+dwell[i]))
			}
			out[i] = x
			total += x * cost[i]
		}
		return total
	}
	worst := func() float64 {
		w := 0.0
		for i, v := range values {
			if v > 0 {
				w = max(w, v*(1-icAt(i, out[i])))
			}
		}
		return w
	}
	hi := 0.0
	for _, v := range values {
		hi = max(hi, v)
	}
	if n == 0 || hi == 0 {
		copy(out, floors)
		return out, 0
	}
	if fill(hi) >= budget {
		copy(out, floors)
		return out, worst()
	}
	lo := 0.0
	for it := 0; it < 50; it++ {
		mid := (lo + hi) / 2
		if fill(mid) > budget {
			lo = mid
		} else {
			hi = mid
		}
	}
	fill(hi)
	return out, worst()
}

// allocate sizes a zone's day (DESIGN.md §3): the capacity of its units in visits at
// the share util of their time, every mission's minimum, then the randomization floors of
// the region's policy (FloorVisits; only the minimum where a staffed post covers the
// mission), the floor lowered for the zone to the largest it affords when capacity is
// short, then the spare water-filled by value. It returns an *InfeasibleError when the
// units' time at Utilisation does not cover the minimums.
//
// The travel per visit is meanZoneTravel's estimate for each mode of the units (the one
// the zoning balances on), unless measured is set: the travel per visit a dispatch of the
// zone realised, by mode (planDay's realised-capacity check).
func allocate(in Inputs, zoneID string, ms []int, units []zoneUnit, prof func(mi int) Profile, dayMinutes, util float64, travel func(Mode) geo.Traveler, measured map[Mode]float64) (allocation, error) {
	travelOf := map[Mode]float64{}
	for _, u := range units {
		if _, ok := travelOf[u.Mode]; ok {
			continue
		}
		if t, ok := measured[u.Mode]; ok {
			travelOf[u.Mode] = max(t, MinTravelMinutes)
		} else {
			travelOf[u.Mode] = meanZoneTravel(in, ms, travel(u.Mode))
		}
	}
	a, err := allocateWith(in, zoneID, ms, units, prof, dayMinutes, util, travelOf)
	a.Travel = travelOf
	return a, err
}

// zoneCosts is what allocateWith works out per mission of a zone.
type zoneCosts struct {
	values, dwell, cost []float64
	gaps                []int
	posted              []bool
	meanCost            float64 // mean dwell plus mean travel per visit
}

func newZoneCosts(in Inputs, ms []int, units []zoneUnit, prof func(mi int) Profile, travelOf map[Mode]float64) zoneCosts {
	n := len(ms)
	c := zoneCosts{values: make([]float64, n), dwell: make([]float64, n), cost: make([]float64, n), gaps: make([]int, n), posted: make([]bool, n)}
	travelSum := 0.0
	for _, u := range units {
		travelSum += travelOf[u.Mode]
	}
	meanTravel := travelSum / float64(max(len(units), 1))
	meanDwell := 0.0
	for i, mi := range ms {
		p := prof(mi)
		c.dwell[i] = MeanDwell(p)
		meanDwell += c.dwell[i]
		c.cost[i] = c.dwell[i] + meanTravel
		c.gaps[i] = p.MaxGapMinutes
		c.posted[i] = in.Missions[mi].Posts(in.Force.Profiles) > 0
		if !c.posted[i] {
			c.values[i] = p.Value
		}
	}
	c.meanCost = meanDwell/float64(max(n, 1)) + meanTravel
	return c
}

// allocateWith is allocate with the zone's mean travel per mode given.
func allocateWith(in Inputs, zoneID string, ms []int, units []zoneUnit, prof func(mi int) Profile, dayMinutes, util float64, travelOf map[Mode]float64) (allocation, error) {
	var a allocation
	n := len(ms)
	c := newZoneCosts(in, ms, units, prof, travelOf)
	budget := float64(len(units)) * dayMinutes * util
	a.Capacity = budget / c.meanCost
	a.Minimums = make([]float64, n)
	sumMin := 0.0
	for i, mi := range ms {
		a.Minimums[i] = MinimumVisits(prof(mi), dayMinutes)
		sumMin += a.Minimums[i] * c.cost[i]
	}
	if sumMin > budget+1e-9 {
		// The minimums do not fit the share of the units' time asked. They are hard
		// rules, so the zone plans just the minimums with its units as busy as the force
		// allows (Utilisation): a thin plan, with no room for randomization, rather than
		// none. Only what even that cannot cover is missing.
		a.Visits = append([]float64(nil), a.Minimums...)
		full := float64(len(units)) * dayMinutes * Utilisation
		if sumMin <= full+1e-9 {
			a.Capacity = full / c.meanCost
			return a, nil
		}
		missing := (sumMin - full) / Utilisation / 60
		return a, &InfeasibleError{Region: regionOf(in), Missing: fmt.Sprintf(
			"zone %s: %.1f unit-hours a day missing for the minimum visits of its %d missions (%.0f visits, capacity %.0f with %d units)",
			zoneID, missing, n, sumMin/c.meanCost, full/c.meanCost, len(units))}
	}
	floorsAt := func(k float64, out []float64) float64 {
		total := 0.0
		for i, mi := range ms {
			out[i] = FloorVisits(prof(mi), k*floorAim, dayMinutes, c.posted[i])
			total += out[i] * c.cost[i]
		}
		return total
	}
	floors := make([]float64, n)
	a.K = affordableFloor(in.Force.Randomization.VisitsPerMaxGap, budget, func(k float64) float64 { return floorsAt(k, floors) })
	floorsAt(a.K, floors)
	a.Floors = floors
	a.Visits, a.Level = realisedFill(c.values, floors, c.dwell, c.cost, c.gaps, budget, dayMinutes, attackMinutes)
	return a, nil
}

// floorAim is the share of its randomization floor a mission is planned: a run's visits
// fall a few percent either side of what the dispatch plans (whole visits, whole shifts,
// a day's draws), and §4.4 asks every mission for floorShare of the floor over the run, so
// the floor is planned a little above it (at 1 ÷ floorShare).
const floorAim = 1 / floorShare

// plannedVisits returns the visits per 24-hour day the whole region's units would give
// each mission (one allocation over all missions with the region's travel estimate). The
// zoning balances these, so units go where the value is, not only the minimums.
func plannedVisits(in Inputs, travel func(Mode) geo.Traveler) []float64 {
	all := make([]int, len(in.Missions))
	for i := range all {
		all[i] = i
	}
	var units []zoneUnit
	for _, m := range Modes {
		for n := 0; n < in.Force.Units[m]; n++ {
			units = append(units, zoneUnit{Mode: m})
		}
	}
	tr := sampledTravelMinutes(in, travel)
	fixed := func(Mode) geo.Traveler { return fixedTravel(tr) }
	prof := func(mi int) Profile { return in.Force.Profiles[in.Missions[mi].Threat] }
	a, err := allocate(in, "", all, units, prof, checkDayMinutes, Utilisation, fixed, map[Mode]float64{Vehicle: math.Ceil(tr), Foot: math.Ceil(tr)})
	if err != nil {
		// Too small a force: balance the minimums; the zones' allocations report it.
		out := make([]float64, len(in.Missions))
		for i := range out {
			out[i] = MinimumVisits(prof(i), checkDayMinutes)
		}
		return out
	}
	return a.Visits
}

// fixedTravel is a traveler with the same time between any two points.
type fixedTravel float64

func (f fixedTravel) Metres(a, b geo.Point) float64 { return 0 }
func (f fixedTravel) Minutes(a, b geo.Point) int    { return int(math.Ceil(float64(f))) }

// sampledTravelMinutes estimates the travel per visit like EstimateTravelMinutes from
// about 200 missions taken on a fixed stride (travelSampleStride).
func sampledTravelMinutes(in Inputs, travel func(Mode) geo.Traveler) float64 {
	return travelPerVisit(in, travel, travelSampleStride(len(in.Missions)), true)
}
