package scheduler

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"vigil/geo"
)

// Headroom is what a region's force can afford against its missions (DESIGN.md §3).
type Headroom struct {
	Region          string
	Missions, Posts int
	// MinimumVisits is the profile minimums summed over missions, per service day: the
	// larger of the 24-hour and the 25-hour (DST) day, so a force that passes also meets
	// the max gaps of the long day.
	MinimumVisits float64
	// FloorVisits is the randomization floors summed over missions (about 2× minimums).
	FloorVisits float64
	// CapacityVisits is how many visits of the minimums' mix the units can make in a
	// 24-hour day at Utilisation.
	CapacityVisits float64
	// TravelMinutes is the per-visit travel estimate (EstimateTravelMinutes).
	TravelMinutes float64
	// UnitHoursNeeded is the unit-hours per service day the minimum visits take (dwell
	// plus travel); UnitHoursAvailable is what the units give at Utilisation.
	UnitHoursNeeded, UnitHoursAvailable float64
	OfficersNeeded, Officers            int
	// Warnings never fail a check; they do not name the region, e.g. "thin headroom:
	// capacity 1.6× minimums, below the 2× randomization floor".
	Warnings []string
}

// Ratio returns capacity ÷ minimum visits (0 when there are no missions).
func (h Headroom) Ratio() float64 {
	if h.MinimumVisits == 0 {
		return 0
	}
	return h.CapacityVisits / h.MinimumVisits
}

// String summarises the headroom on one line.
func (h Headroom) String() string {
	return fmt.Sprintf("%s: %d missions, %d posts; visits a day: minimum %.0f, floor %.0f, capacity %.0f (%.2f×); travel %.1f min a visit; unit-hours a day %.1f needed of %.1f; officers %d needed of %d",
		h.Region, h.Missions, h.Posts, h.MinimumVisits, h.FloorVisits, h.CapacityVisits, h.Ratio(), h.TravelMinutes,
		h.UnitHoursNeeded, h.UnitHoursAvailable, h.OfficersNeeded, h.Officers)
}

// TravelModel returns the §2 travel model of a force: great-circle distance × its
// circuity ÷ its speed for the mode.
func TravelModel(f RegionForce) func(Mode) geo.Traveler {
	return func(m Mode) geo.Traveler {
		return geo.Crow{Circuity: f.Circuity, SpeedKmh: f.SpeedsKmh[m]}
	}
}

// MissionPoint returns the mission's location as a geo.Point.
func MissionPoint(m Mission) geo.Point { return geo.Point{Lat: m.Lat, Lon: m.Lon} }

// EstimateTravelMinutes estimates the travel time that goes with each visit in a region:
// for every mission, the mean travel time to its TravelNeighbours nearest missions, averaged
// over missions, then over the modes weighted by the units of each mode on duty (vehicle
// only when the force has no units), with a floor of MinTravelMinutes. Force sizing, the
// check and the planner's zone workloads all use it, so they agree.
func EstimateTravelMinutes(in Inputs, travel func(Mode) geo.Traveler) float64 {
	n := len(in.Missions)
	if n < 2 {
		return MinTravelMinutes
	}
	// Nearest neighbours by great-circle distance, ties by index (missions are sorted by id).
	neighbours := nearestMissions(in.Missions, TravelNeighbours)
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

// MinimumVisitsOf returns a mission's minimum visits for the check: the larger of the
// 24-hour and the 25-hour service day.
func MinimumVisitsOf(p Profile) float64 {
	return max(MinimumVisits(p, checkDayMinutes), MinimumVisits(p, longDayMinutes))
}

// MeanDwell returns the mean of a profile's dwell range in minutes.
func MeanDwell(p Profile) float64 {
	return float64(p.DwellMinutes[0]+p.DwellMinutes[1]) / 2
}

// UnitMinutesPerDay returns the minutes one unit on duty in every shift gives to visits and
// travel in a 24-hour day (1440 × Utilisation).
func UnitMinutesPerDay() float64 { return checkDayMinutes * Utilisation }

// CheckRegion measures a region's force against its missions (DESIGN.md §3). It returns the
// headroom always, and with it an error wrapping ErrInfeasible (an *InfeasibleError) when the
// units cannot make the minimum visits or the roster is too small for the units and posts.
// Thin headroom is only a warning.
func CheckRegion(in Inputs, travel func(Mode) geo.Traveler) (Headroom, error) {
	f := in.Force
	h := Headroom{Region: f.Region, Missions: len(in.Missions), Officers: f.Officers}
	if h.Region == "" {
		h.Region = in.Office.ID
	}
	if travel == nil {
		travel = TravelModel(f)
	}
	h.TravelMinutes = EstimateTravelMinutes(in, travel)
	var costMinutes float64
	for _, m := range in.Missions {
		if m.Threat < 1 || m.Threat > 5 {
			return h, fmt.Errorf("%s: mission %s: threat %d is not in 1..5", h.Region, m.ID, m.Threat)
		}
		p := f.Profiles[m.Threat]
		h.Posts += m.Posts(f.Profiles)
		minV := MinimumVisitsOf(p)
		h.MinimumVisits += minV
		h.FloorVisits += max(RandomizationFloor(p, checkDayMinutes), RandomizationFloor(p, longDayMinutes))
		costMinutes += minV * (MeanDwell(p) + h.TravelMinutes)
	}
	units := 0
	for _, m := range Modes {
		units += f.Units[m]
	}
	h.UnitHoursNeeded = costMinutes / 60
	h.UnitHoursAvailable = float64(units) * UnitMinutesPerDay() / 60
	if h.MinimumVisits > 0 {
		h.CapacityVisits = h.UnitHoursAvailable * 60 / (costMinutes / h.MinimumVisits)
	}
	h.OfficersNeeded = OfficersNeeded(f, h.Posts)

	var missing []string
	if gap := h.UnitHoursNeeded - h.UnitHoursAvailable; gap > 1e-9 {
		missing = append(missing, fmt.Sprintf("%.1f unit-hours a day missing for the minimum visits (need %.1f, have %.1f)",
			gap, h.UnitHoursNeeded, h.UnitHoursAvailable))
	}
	if gap := h.OfficersNeeded - h.Officers; gap > 0 {
		missing = append(missing, fmt.Sprintf("%d officers missing for %d positions (need %d, have %d)",
			gap, Positions(f, h.Posts), h.OfficersNeeded, h.Officers))
	}
	if h.Missions == 0 {
		h.Warnings = append(h.Warnings, "no missions")
	} else if len(missing) == 0 {
		switch r := h.Ratio(); {
		case r < 2:
			h.Warnings = append(h.Warnings, fmt.Sprintf("thin headroom: capacity %.1f× minimums, below the 2× randomization floor", r))
		case r < 2.5:
			h.Warnings = append(h.Warnings, fmt.Sprintf("modest headroom: capacity %.1f× minimums; all targets need about 2.5–3×", r))
		}
	}
	if len(missing) > 0 {
		return h, &InfeasibleError{Region: h.Region, Missing: strings.Join(missing, "; ")}
	}
	return h, nil
}

// ContactWarning returns the one-line warning for a region whose missions lack liaison
// contacts (DESIGN.md §2: fewer than two is flagged), or "" when none are missing.
func ContactWarning(region string, missing int) string {
	switch {
	case missing <= 0:
		return ""
	case missing == 1:
		return fmt.Sprintf("%s: 1 mission has fewer than two liaison contacts", region)
	default:
		return fmt.Sprintf("%s: %d missions have fewer than two liaison contacts", region, missing)
	}
}

// nearestMissions returns, for every mission, the indices of its k nearest other missions
// by great-circle distance (Haversine from the mission), nearest first, ties by index.
// It sweeps the missions in latitude order and stops once the latitude difference alone
// exceeds the k-th distance found, since no great circle is shorter than its meridian
// arc: O(n·m) for m missions in the band of a neighbour's distance instead of the
// O(n² log n) of sorting every distance, with the same result.
func nearestMissions(ms []Mission, k int) [][]int {
	n := len(ms)
	out := make([][]int, n)
	for _, m := range ms {
		if math.IsNaN(m.Lat) || math.IsInf(m.Lat, 0) || math.IsNaN(m.Lon) || math.IsInf(m.Lon, 0) {
			return nearestMissionsBrute(ms, k)
		}
	}
	k = min(k, n-1)
	byLat := make([]int, n)
	for i := range byLat {
		byLat[i] = i
	}
	sort.Slice(byLat, func(a, b int) bool {
		if ms[byLat[a]].Lat != ms[byLat[b]].Lat {
			return ms[byLat[a]].Lat < ms[byLat[b]].Lat
		}
		return byLat[a] < byLat[b]
	})
	type cand struct {
		d float64
		j int
	}
	const rad = math.Pi / 180
	best := make([]cand, 0, k+1)
	flat := make([]int, n*k)
	for pos, i := range byLat {
		a := MissionPoint(ms[i])
		best = best[:0]
		consider := func(j int) {
			d := geo.Haversine(a, MissionPoint(ms[j]))
			if len(best) == k && (d > best[k-1].d || d == best[k-1].d && j > best[k-1].j) {
				return
			}
			at := len(best)
			for at > 0 && (d < best[at-1].d || d == best[at-1].d && j < best[at-1].j) {
				at--
			}
			best = append(best, cand{})
			copy(best[at+1:], best[at:])
			best[at] = cand{d, j}
			if len(best) > k {
				best = best[:k]
			}
		}
		// far reports whether every mission at latitude lat or beyond is farther than the
		// k-th nearest so far (with a margin for rounding, so ties are still considered).
		far := func(lat float64) bool {
			if len(best) < k {
				return false
			}
			return geo.EarthRadiusM*math.Abs(lat-a.Lat)*rad*(1-1e-9)-1e-6 > best[k-1].d
		}
		lo, hi := pos-1, pos+1
		for lo >= 0 || hi < n {
			if hi < n {
				if far(ms[byLat[hi]].Lat) {
					hi = n
				} else {
					consider(byLat[hi])
					hi++
				}
			}
			if lo >= 0 {
				if far(ms[byLat[lo]].Lat) {
					lo = -1
				} else {
					consider(byLat[lo])
					lo--
				}
			}
		}
		nb := flat[i*k : i*k+k : i*k+k]
		for x, c := range best {
			nb[x] = c.j
		}
		out[i] = nb
	}
	return out
}

// nearestMissionsBrute is nearestMissions by sorting every distance, for coordinates the
// latitude sweep cannot order.
func nearestMissionsBrute(ms []Mission, k int) [][]int {
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

// CheckPlan checks what CheckRegion's region-wide model cannot see: it plans service day d
// of the region with a fixed, public trial key (nothing secret is involved, and the plan is
// thrown away), so every zone the planner cuts must afford its own minimum visits with its
// own units, at its own travel, through the dispatch that keeps the max gaps. It returns the
// planner's *InfeasibleError naming the zone and what is missing, or nil. Other days of the
// live plan draw differently, so a force this passes can still fall short on some day; one
// that fails it cannot be planned.
func CheckPlan(in Inputs, d Date) error {
	if len(in.Missions) == 0 {
		return nil
	}
	_, err := PlanServiceDay(in, checkTrialKey, d, nil)
	return err
}

// checkTrialKey is CheckPlan's plan key: fixed and public, used for nothing else.
var checkTrialKey = []byte("vigil check: trial plan, not a secret")
