package scheduler

import (
	"fmt"
	"math"

	"vigil/geo"
)

// Allocation tuning (DESIGN.md §3 "Unpredictability costs visits", §4.4).
const (
	// planUtilisation is the share of a unit's shift the allocation plans for visits and
	// travel; the rest absorbs waiting for due times and the random dispatch.
	planUtilisation = 0.82
	// gapFloorDivisor sets the randomization floor from the max gap: a mission gets
	// enough visits for a mean gap of max_gap ÷ gapFloorDivisor, so its renewal gaps,
	// redrawn below the cap, stay near memoryless (interception ≥ 0.9 × the memoryless
	// reference needs λ·cap ≳ 3).
	gapFloorDivisor = 3.0
	// attackMinutes is the attack length D the water-filling optimises for (§4.4).
	attackMinutes = 30.0
)

// missionFloor returns the randomization floor of a mission for a service day of
// dayMinutes: the larger of RandomizationFloor and the visits that give a mean gap of
// max_gap ÷ gapFloorDivisor.
func missionFloor(p Profile, dayMinutes float64) float64 {
	byGap := math.Ceil(dayMinutes / (float64(p.MaxGapMinutes)/gapFloorDivisor + MeanDwell(p)))
	return max(RandomizationFloor(p, dayMinutes), byGap)
}

// meanZoneTravel returns the mean travel minutes between two distinct missions of a zone
// for traveler t (random order is what dispatch sees), at least MinTravelMinutes. Large
// zones are sampled on a fixed stride, so the figure stays deterministic.
func meanZoneTravel(in Inputs, ms []int, t geo.Traveler) float64 {
	n := len(ms)
	if n < 2 {
		return MinTravelMinutes
	}
	step := 1
	for (n/step)*(n/step) > 40000 {
		step++
	}
	var sum, cnt float64
	for i := 0; i < n; i += step {
		for j := 0; j < n; j += step {
			if i != j {
				sum += float64(t.Minutes(MissionPoint(in.Missions[ms[i]]), MissionPoint(in.Missions[ms[j]])))
				cnt++
			}
		}
	}
	if cnt == 0 {
		return MinTravelMinutes
	}
	return max(MinTravelMinutes, sum/cnt)
}

// allocation is the planned visits of one zone's missions for one service day.
type allocation struct {
	Visits   []float64 // per mission of the zone, in zone order
	Minimums []float64
	Capacity float64
}

// allocate sizes a zone's day (DESIGN.md §3): the capacity of its units in visits, every
// mission's minimum, then the randomization floors (only the minimum where a staffed post
// covers the mission), lowered evenly towards the minimums when capacity is short, then
// the spare water-filled by value. It returns an *InfeasibleError when the capacity does
// not cover the minimums.
func allocate(in Inputs, zoneID string, ms []int, units []zoneUnit, prof func(mi int) Profile, dayMinutes float64, travel func(Mode) geo.Traveler) (allocation, error) {
	var a allocation
	meanDwell := 0.0
	for _, mi := range ms {
		meanDwell += MeanDwell(prof(mi))
	}
	meanDwell /= float64(max(len(ms), 1))
	travelOf := map[Mode]float64{}
	for _, u := range units {
		tr, ok := travelOf[u.Mode]
		if !ok {
			tr = meanZoneTravel(in, ms, travel(u.Mode))
			travelOf[u.Mode] = tr
		}
		a.Capacity += dayMinutes * planUtilisation / (meanDwell + tr)
	}
	n := len(ms)
	values := make([]float64, n)
	floors := make([]float64, n)
	a.Minimums = make([]float64, n)
	var sumMin, sumFloor float64
	for i, mi := range ms {
		p := prof(mi)
		values[i] = p.Value
		a.Minimums[i] = MinimumVisits(p, dayMinutes)
		floors[i] = a.Minimums[i]
		if in.Missions[mi].Posts(in.Force.Profiles) == 0 {
			floors[i] = missionFloor(p, dayMinutes)
		}
		sumMin += a.Minimums[i]
		sumFloor += floors[i]
	}
	if sumMin > a.Capacity+1e-9 {
		per := meanDwell
		if len(units) > 0 {
			per += travelOf[units[0].Mode]
		}
		missing := (sumMin - a.Capacity) * per / planUtilisation / 60
		return a, &InfeasibleError{Region: regionOf(in), Missing: fmt.Sprintf(
			"zone %s: %.1f unit-hours a day missing for the minimum visits of its %d missions (%.0f visits, capacity %.0f with %d units)",
			zoneID, missing, n, sumMin, a.Capacity, len(units))}
	}
	if sumFloor > a.Capacity {
		beta := (a.Capacity - sumMin) / (sumFloor - sumMin)
		for i := range floors {
			floors[i] = a.Minimums[i] + beta*(floors[i]-a.Minimums[i])
		}
	}
	a.Visits, _ = WaterFill(values, floors, a.Capacity, attackMinutes, dayMinutes)
	return a, nil
}
