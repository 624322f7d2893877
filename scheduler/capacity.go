package scheduler

import "math"

// The capacity model (DESIGN.md §3): what a unit's shift gives, what a mission needs, and
// the floors the force check and the planner put under randomization. Each figure has one
// definition here; where the check and the planner differ, both are here, side by side,
// with what each is a property of.

// Utilisation is a property of the force: the share of a unit's time on shift that can go
// to visits and travel at all; the rest is briefings, meals, refuelling and incidents. The
// force check and force sizing count capacity at it, and it is the most the planner's
// allocation asks of a unit: the planner plans at the largest share up to it that the
// zone's dispatch actually delivers (planday.go, dispatchWithRetries), not at a constant.
const Utilisation = 0.85

// DefaultVisitsPerMaxGap is the randomization floor a region gets when its force YAML
// does not set randomization.visits_per_max_gap (DESIGN.md §3): every mission without a
// post is planned at least this many visits per max gap. It is a property of the gap
// model: the dispatch draws a mission's gaps from an exponential redrawn below the cap,
// and with a mean gap of max_gap ÷ 3 or less the cap cuts off under 5 % of that law, so
// gaps stay close to memoryless; the README gives the measured trade-off.
const DefaultVisitsPerMaxGap = 3.0

// Travel estimate (EstimateTravelMinutes, meanZoneTravel).
const (
	// MinTravelMinutes is a property of the travel model: the floor of the per-visit travel
	// estimate.
	MinTravelMinutes = 2.0
	// TravelNeighbours is a property of the travel estimate: how many nearest neighbours
	// of each mission it averages over.
	TravelNeighbours = 3
)

// Service-day lengths the capacity model rates against.
const (
	// checkDayMinutes is the ordinary 24-hour service day the check rates everything
	// against.
	checkDayMinutes = 24 * 60
	// longDayMinutes is the 25-hour service day of an autumn DST change.
	longDayMinutes = 25 * 60
)

// MinimumVisits returns the visits a service day of dayMinutes needs under profile p:
// visits_per_day, or more where the max gap demands it (a 25-hour day, DESIGN.md §3).
// The first presence starts within half the max gap of the day's start and the last ends
// within half the max gap of its end, so n visits of the shortest dwell cover at most
// g/2 + n·dwell + (n−1)·g + g/2 = n·(g + dwell) minutes of the day.
func MinimumVisits(p Profile, dayMinutes float64) float64 {
	g := float64(p.MaxGapMinutes)
	dwell := float64(p.DwellMinutes[0])
	n := math.Ceil(dayMinutes/(g+dwell) - 1e-9)
	return max(float64(p.VisitsPerDay), n)
}

// FloorVisits is the randomization floor (DESIGN.md §3), the one definition the planner's
// allocation and the force check share: the visits a service day of dayMinutes gives a
// mission under profile p and the region's floor of k visits per max gap, i.e. its profile
// minimum and, without a staffed post, at least k ÷ max gap visits a minute (the rate
// §4.4 measures the floor at; the mean gap is then below max gap ÷ k). k = 0 turns the
// floor off; a posted mission gets its minimum only.
func FloorVisits(p Profile, k, dayMinutes float64, posted bool) float64 {
	m := MinimumVisits(p, dayMinutes)
	if posted || k <= 0 || p.MaxGapMinutes <= 0 {
		return m
	}
	return max(m, k*dayMinutes/float64(p.MaxGapMinutes))
}

// affordableFloor returns the largest floor k' ≤ k whose floors cost no more than budget,
// where cost(k') is the floors' cost at k' (non-decreasing in k'); 0 when even the
// minimums (cost(0)) pass it. The floor is found to a hundredth of a visit per max gap.
func affordableFloor(k, budget float64, cost func(k float64) float64) float64 {
	if k <= 0 || cost(k) <= budget {
		return max(k, 0)
	}
	lo, hi := 0.0, k
	for hi-lo > 0.5/floorSteps {
		mid := (lo + hi) / 2
		if cost(mid) <= budget {
			lo = mid
		} else {
			hi = mid
		}
	}
	return math.Floor(lo*floorSteps) / floorSteps
}

// floorSteps is the resolution a lowered floor is reported at: hundredths of a visit per
// max gap.
const floorSteps = 100
