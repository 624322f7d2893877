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
	planUtilisation = 0.70
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
	// Level is the water level: the worst value × e^(−λ·D) over the zone's missions
	// without a post (§4.4); zones with equal levels serve value equally well.
	Level float64
}

// allocate sizes a zone's day (DESIGN.md §3): the capacity of its units in visits, every
// mission's minimum, then the randomization floors (only the minimum where a staffed post
// covers the mission), lowered evenly towards the minimums when capacity is short, then
// the spare water-filled by value. It returns an *InfeasibleError when the capacity does
// not cover the minimums.
func allocate(in Inputs, zoneID string, ms []int, units []zoneUnit, prof func(mi int) Profile, dayMinutes float64, travel func(Mode) geo.Traveler) (allocation, error) {
	travelOf := map[Mode]float64{}
	for _, u := range units {
		if _, ok := travelOf[u.Mode]; !ok {
			travelOf[u.Mode] = meanZoneTravel(in, ms, travel(u.Mode))
		}
	}
	return allocateWith(in, zoneID, ms, units, prof, dayMinutes, travelOf)
}

// allocateWith is allocate with the zone's mean travel per mode given.
func allocateWith(in Inputs, zoneID string, ms []int, units []zoneUnit, prof func(mi int) Profile, dayMinutes float64, travelOf map[Mode]float64) (allocation, error) {
	var a allocation
	meanDwell := 0.0
	for _, mi := range ms {
		meanDwell += MeanDwell(prof(mi))
	}
	meanDwell /= float64(max(len(ms), 1))
	for _, u := range units {
		a.Capacity += dayMinutes * planUtilisation / (meanDwell + travelOf[u.Mode])
	}
	n := len(ms)
	values := make([]float64, n)
	floors := make([]float64, n)
	a.Minimums = make([]float64, n)
	var sumMin, sumFloor float64
	for i, mi := range ms {
		p := prof(mi)
		a.Minimums[i] = MinimumVisits(p, dayMinutes)
		floors[i] = a.Minimums[i]
		// A staffed post covers its mission: it gets only its minimum visits.
		if in.Missions[mi].Posts(in.Force.Profiles) == 0 {
			values[i] = p.Value
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
		a.Visits = append([]float64(nil), a.Minimums...)
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
	a.Visits, a.Level = WaterFill(values, floors, a.Capacity, attackMinutes, dayMinutes)
	return a, nil
}

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
	a, err := allocate(in, "", all, units, prof, checkDayMinutes, fixed)
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

// sampledTravelMinutes estimates the travel per visit like EstimateTravelMinutes (mean
// travel to the TravelNeighbours nearest missions, by the units' modes) from at most 200
// missions taken on a fixed stride, so large regions cost O(200·n), not O(n² log n).
func sampledTravelMinutes(in Inputs, travel func(Mode) geo.Traveler) float64 {
	n := len(in.Missions)
	if n < 2 {
		return MinTravelMinutes
	}
	step := max(1, n/200)
	var total, weight float64
	for _, mode := range Modes {
		u := float64(in.Force.Units[mode])
		if u == 0 {
			continue
		}
		t := travel(mode)
		var sum float64
		cnt := 0
		for i := 0; i < n; i += step {
			a := MissionPoint(in.Missions[i])
			var best [TravelNeighbours]float64
			for k := range best {
				best[k] = math.Inf(1)
			}
			for j, m := range in.Missions {
				if j == i {
					continue
				}
				d := geo.Haversine(a, MissionPoint(m))
				for k := range best {
					if d < best[k] {
						copy(best[k+1:], best[k:len(best)-1])
						best[k] = d
						break
					}
				}
			}
			var s float64
			k := 0
			for _, d := range best {
				if !math.IsInf(d, 1) {
					s += float64(t.Minutes(a, geo.Point{Lat: a.Lat + d/geo.EarthRadiusM*180/math.Pi, Lon: a.Lon}))
					k++
				}
			}
			if k > 0 {
				sum += s / float64(k)
				cnt++
			}
		}
		if cnt > 0 {
			total += u * sum / float64(cnt)
			weight += u
		}
	}
	if weight == 0 {
		return MinTravelMinutes
	}
	return max(MinTravelMinutes, total/weight)
}
