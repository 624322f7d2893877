package scheduler

import "math"

// The capacity model (DESIGN.md §3): what a unit's shift gives, what a mission needs, and
// the floors the force check and the planner put under randomization. Each figure has one
// definition here; where the check and the planner differ, both are here, side by side,
// with what each is a property of.

// Utilisation and planUtilisation are both shares of a unit's time on shift spent on visits
// and the travel between them; the check and the planner deliberately use different ones.
const (
	// Utilisation is a property of the force: the share of a unit's time on shift that can
	// go to visits and travel at all; the rest is briefings, meals, refuelling and
	// incidents. The force check, force sizing and the planner's last resort for a thin
	// zone (allocateWith) count capacity at it.
	Utilisation = 0.85
	// planUtilisation is a property of the planner's allocation: the share of a unit's
	// shift it plans for visits and travel; the rest absorbs waiting for due times and the
	// random dispatch. Measured on wfo over eight keys (vigil simulate, 56 days): at 0.70
	// and below the value-2 missions were visited too seldom to beat shuffled tours
	// against 60-minute live attacks; above 0.77 the minimax optimum falls below 1.6,
	// where one value-2 mission whose few long-wait attacks all succeed (value × 1 = 2)
	// already passes the 1.25 ratio.
	planUtilisation = 0.76
)

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

// Planner's randomization floor (missionFloor).
const (
	// floorFactor is a property of the planner's floor: the least randomization floor in
	// minimum visits, since at the minimum the max gap leaves only a regular schedule.
	floorFactor = 1.5
	// gapFloorDivisor is a property of the planner's floor: a mission gets enough visits
	// for a mean gap of max_gap ÷ gapFloorDivisor, so its renewal gaps, redrawn below the
	// cap, stay near memoryless (interception ≥ 0.9 × the memoryless reference needs
	// λ·cap ≳ 3). 4 rather than 3.5 moves visits from the high-value missions, whose
	// minimax values had room, to the value-1 and value-2 missions, which the 60-minute
	// live attack finds thinnest (measured over eight keys on wfo).
	gapFloorDivisor = 4.0
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

// RandomizationFloor is the force check's randomization floor, a property of the headroom
// report (Headroom.FloorVisits): the visits per service day a mission should get before
// any spare is water-filled by value, about twice the profile minimum, so that gaps can
// be near memoryless under the max gap (DESIGN.md §3). The planner allocates against its
// own, finer floor (missionFloor).
func RandomizationFloor(p Profile, dayMinutes float64) float64 {
	return 2 * MinimumVisits(p, dayMinutes)
}

// missionFloor is the planner's randomization floor, a property of the allocation
// (allocateWith): at least floorFactor × the mission's minimum visits for a service day of
// dayMinutes, and enough visits for a mean gap of max_gap ÷ gapFloorDivisor, so its gaps,
// drawn again below the cap, stay near memoryless (DESIGN.md §3).
func missionFloor(p Profile, dayMinutes float64) float64 {
	byGap := math.Ceil(dayMinutes / (float64(p.MaxGapMinutes)/gapFloorDivisor + MeanDwell(p)))
	return max(floorFactor*MinimumVisits(p, dayMinutes), byGap)
}
