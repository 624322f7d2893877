package scheduler

import (
	"math"
	"sort"
	"testing"

	"vigil/geo"
)

// The travel estimates as they were before geo's one k-nearest search (geo.KNearest,
// geo.NeighbourTravel, geo.Nearest) replaced the searches of their own (issue 13), the old
// latitude sweep by its brute-force reference: the new ones must give the same bits, which
// the plan hash depends on.

// oldEstimateTravelMinutes is the old EstimateTravelMinutes.
func oldEstimateTravelMinutes(in Inputs, travel func(Mode) geo.Traveler) float64 {
	n := len(in.Missions)
	if n < 2 {
		return MinTravelMinutes
	}
	// Nearest neighbours by great-circle distance, ties by index (missions are sorted by id).
	neighbours := oldNearestMissionsBrute(in.Missions, TravelNeighbours)
	meanFor := func(t geo.Traveler) float64 {
		var sum float64
		for i, nb := range neighbours {
			var s float64
			for _, j := range nb {
				s += float64(t.Minutes(MissionPoint(in.Missions[i]), MissionPoint(in.Missions[j])))
			}
			sum += s / float64(len(nb))
		}
		return sum / float64(n)
	}
	var total, weight float64
	for _, m := range Modes {
		if u := in.Force.Units[m]; u > 0 {
			total += float64(u) * meanFor(travel(m))
			weight += float64(u)
		}
	}
	est := 0.0
	if weight == 0 {
		est = meanFor(travel(Vehicle))
	} else {
		est = total / weight
	}
	return math.Max(MinTravelMinutes, est)
}

// oldNearestMissionsBrute is the old k nearest missions by sorting every distance (the
// reference the old latitude sweep was tested against).
func oldNearestMissionsBrute(ms []Mission, k int) [][]int {
	n := len(ms)
	neighbours := make([][]int, n)
	idx := make([]int, 0, n)
	dist := make([]float64, n)
	for i, a := range ms {
		idx = idx[:0]
		for j, b := range ms {
			if i != j {
				idx = append(idx, j)
				dist[j] = geo.Haversine(MissionPoint(a), MissionPoint(b))
			}
		}
		sort.SliceStable(idx, func(x, y int) bool { return dist[idx[x]] < dist[idx[y]] })
		neighbours[i] = append([]int(nil), idx[:min(k, len(idx))]...)
	}
	return neighbours
}

// oldMeanZoneTravel is the old meanZoneTravel: the k shortest travel times, by insertion.
func oldMeanZoneTravel(in Inputs, ms []int, t geo.Traveler) float64 {
	n := len(ms)
	if n < 2 {
		return MinTravelMinutes
	}
	step := max(1, n/200)
	var sum float64
	cnt := 0
	for i := 0; i < n; i += step {
		a := MissionPoint(in.Missions[ms[i]])
		var best [TravelNeighbours]float64
		for k := range best {
			best[k] = math.Inf(1)
		}
		for j := 0; j < n; j++ {
			if j == i {
				continue
			}
			d := float64(t.Minutes(a, MissionPoint(in.Missions[ms[j]])))
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
				s += d
				k++
			}
		}
		sum += s / float64(k)
		cnt++
	}
	return max(MinTravelMinutes, sum/float64(cnt))
}

// oldSampledTravelMinutes is the old sampledTravelMinutes: the k nearest distances by
// insertion, timed to a point that far north.
func oldSampledTravelMinutes(in Inputs, travel func(Mode) geo.Traveler) float64 {
	n := len(in.Missions)
	if n < 2 {
		return MinTravelMinutes
	}
	step := max(1, n/200)
	// The sampled missions' nearest distances do not depend on the mode: found once.
	var nearest [][TravelNeighbours]float64
	var total, weight float64
	for _, mode := range Modes {
		u := float64(in.Force.Units[mode])
		if u == 0 {
			continue
		}
		if nearest == nil {
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
				nearest = append(nearest, best)
			}
		}
		t := travel(mode)
		var sum float64
		cnt := 0
		for x, i := 0, 0; i < n; x, i = x+1, i+step {
			a := MissionPoint(in.Missions[i])
			var s float64
			k := 0
			for _, d := range nearest[x] {
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

// oldMinimumWorkload is the old minimumWorkload, with the travel computed by hand.
func oldMinimumWorkload(in Inputs, ms []int, mode Mode) float64 {
	f := in.Force
	w := 0.0
	for _, a := range ms {
		p := f.Profiles[in.Missions[a].Threat]
		v := MinimumVisits(p, checkDayMinutes)
		near := -1.0
		for _, b := range ms {
			if a != b {
				if d := geo.Haversine(MissionPoint(in.Missions[a]), MissionPoint(in.Missions[b])); near < 0 || d < near {
					near = d
				}
			}
		}
		tr := 1.0
		if near >= 0 {
			tr = max(1, near*f.Circuity/(f.SpeedsKmh[mode]*1000/60))
		}
		w += v*MeanDwell(p) + v*tr
	}
	return w
}

// TestTravelEstimatesOldVsNew holds the travel estimates to the old ones on scattered
// regions of 2 to 1,300 missions (sampled on a stride above 400), with and without foot
// units.
func TestTravelEstimatesOldVsNew(t *testing.T) {
	var sets []Inputs
	for seed := uint64(1); seed <= 12; seed++ {
		for _, n := range []int{2, 3, 7, 40, 64, 150, 450} {
			sets = append(sets, synthInputs(t, seed, n, 2+float64(seed), 10, int(seed%3), "America/New_York"))
		}
	}
	sets = append(sets, synthInputs(t, 99, 1300, 12, 40, 4, "America/New_York"))
	for x, in := range sets {
		travel := TravelModel(in.Force)
		if got, want := EstimateTravelMinutes(in, travel), oldEstimateTravelMinutes(in, travel); got != want {
			t.Errorf("set %d: EstimateTravelMinutes = %v; old %v", x, got, want)
		}
		if got, want := sampledTravelMinutes(in, travel), oldSampledTravelMinutes(in, travel); got != want {
			t.Errorf("set %d: sampledTravelMinutes = %v; old %v", x, got, want)
		}
		ms := make([]int, 0, len(in.Missions))
		for i := range in.Missions {
			if i%3 != 1 {
				ms = append(ms, i)
			}
		}
		for _, m := range Modes {
			if got, want := meanZoneTravel(in, ms, travel(m)), oldMeanZoneTravel(in, ms, travel(m)); got != want {
				t.Errorf("set %d %v: meanZoneTravel = %v; old %v", x, m, got, want)
			}
			if got, want := minimumWorkload(in, ms, m), oldMinimumWorkload(in, ms, m); got != want {
				t.Errorf("set %d %v: minimumWorkload = %v; old %v", x, m, got, want)
			}
		}
	}
}
