package scheduler

import (
	"errors"
	"fmt"
	"math"
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
	// VisitsPerMaxGap is the region's randomization policy (DESIGN.md §3); FloorVisits is
	// its floors (FloorVisits) summed over missions, per service day like MinimumVisits.
	VisitsPerMaxGap float64
	FloorVisits     float64
	// FloorAfforded is the largest floor up to the policy's that the units' time affords
	// on the check's region-wide model, and ValueVisits the visits a day left above the
	// floors at it for the water-filling by value.
	FloorAfforded, ValueVisits float64
	// CapacityVisits is how many visits of the minimums' mix the units can make in a
	// 24-hour day at Utilisation.
	CapacityVisits float64
	// TravelMinutes is the per-visit travel estimate (EstimateTravelMinutes).
	TravelMinutes float64
	// UnitHoursNeeded is the unit-hours per service day the minimum visits take (dwell
	// plus travel); UnitHoursAvailable is what the units give at Utilisation.
	UnitHoursNeeded, UnitHoursAvailable float64
	// OfficersNeeded is what the forward rotation needs (positions × its cycle); a force
	// with fewer is rostered by the engine where the rules allow it (RosterByEngine).
	OfficersNeeded, Officers int
	// RosterByEngine marks a force below OfficersNeeded whose roster the engine found.
	RosterByEngine bool
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
	return fmt.Sprintf("%s: %d missions, %d posts; visits a day: minimum %.0f, floor %.0f, capacity %.0f (%.2f×); floor %g visits per max gap affordable of %g, %.0f visits a day left for value; travel %.1f min a visit; unit-hours a day %.1f needed of %.1f; officers %d needed of %d",
		h.Region, h.Missions, h.Posts, h.MinimumVisits, h.FloorVisits, h.CapacityVisits, h.Ratio(), h.FloorAfforded, h.VisitsPerMaxGap, h.ValueVisits, h.TravelMinutes,
		h.UnitHoursNeeded, h.UnitHoursAvailable, h.OfficersNeeded, h.Officers) + h.rosterNote()
}

// rosterNote says, where the force is below the forward rotation's count, that the
// roster engine staffs it.
func (h Headroom) rosterNote() string {
	if !h.RosterByEngine {
		return ""
	}
	return " (the forward rotation's count; the roster engine staffs every shift with these)"
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
	return travelPerVisit(in, travel, 1, false)
}

// travelPerVisit is EstimateTravelMinutes over every stride-th mission only
// (geo.NeighbourTravel; the neighbours are still searched among all missions). With
// unitsFirst a mode's sum over the missions is multiplied by its units before it is divided
// by their number: the order of operations of the planner's sampled estimate
// (sampledTravelMinutes), kept so that plans stay the same to the bit.
func travelPerVisit(in Inputs, travel func(Mode) geo.Traveler, stride int, unitsFirst bool) float64 {
	if len(in.Missions) < 2 {
		return MinTravelMinutes
	}
	nt := geo.NewNeighbourTravel(missionPoints(in, nil), TravelNeighbours, stride)
	var total, weight float64
	for _, m := range Modes {
		u := float64(in.Force.Units[m])
		if u <= 0 {
			continue
		}
		sum, n := nt.SumMinutes(travel(m))
		if unitsFirst {
			total += u * sum / float64(n)
		} else {
			total += u * (sum / float64(n))
		}
		weight += u
	}
	est := 0.0
	if weight == 0 {
		est = nt.MeanMinutes(travel(Vehicle))
	} else {
		est = total / weight
	}
	return math.Max(MinTravelMinutes, est)
}

// missionPoints returns the locations of the missions ms (indices into in.Missions), or of
// every mission when ms is nil.
func missionPoints(in Inputs, ms []int) []geo.Point {
	if ms == nil {
		pts := make([]geo.Point, len(in.Missions))
		for i, m := range in.Missions {
			pts[i] = MissionPoint(m)
		}
		return pts
	}
	pts := make([]geo.Point, len(ms))
	for k, i := range ms {
		pts[k] = MissionPoint(in.Missions[i])
	}
	return pts
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
	h.VisitsPerMaxGap = f.Randomization.VisitsPerMaxGap
	var costMinutes float64
	for _, m := range in.Missions {
		if !ValidThreat(m.Threat) {
			return h, fmt.Errorf("%s: mission %s: threat %d is not in %d..%d", h.Region, m.ID, m.Threat, MinThreat, MaxThreat)
		}
		p := f.Profiles[m.Threat]
		h.Posts += m.Posts(f.Profiles)
		minV := MinimumVisitsOf(p)
		h.MinimumVisits += minV
		costMinutes += minV * (MeanDwell(p) + h.TravelMinutes)
	}
	// floorsAt returns the floors' visits and unit minutes a day at floor k.
	floorsAt := func(k float64) (visits, minutes float64) {
		for _, m := range in.Missions {
			p := f.Profiles[m.Threat]
			posted := m.Posts(f.Profiles) > 0
			v := max(FloorVisits(p, k, checkDayMinutes, posted), FloorVisits(p, k, longDayMinutes, posted))
			visits += v
			minutes += v * (MeanDwell(p) + h.TravelMinutes)
		}
		return visits, minutes
	}
	h.FloorVisits, _ = floorsAt(h.VisitsPerMaxGap)
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
	h.FloorAfforded = affordableFloor(h.VisitsPerMaxGap, h.UnitHoursAvailable*60, func(k float64) float64 {
		_, m := floorsAt(k)
		return m
	})
	if fv, _ := floorsAt(h.FloorAfforded); h.CapacityVisits > fv {
		h.ValueVisits = h.CapacityVisits - fv
	}

	var missing []string
	if gap := h.UnitHoursNeeded - h.UnitHoursAvailable; gap > 1e-9 {
		missing = append(missing, fmt.Sprintf("%.1f unit-hours a day missing for the minimum visits (need %.1f, have %.1f)",
			gap, h.UnitHoursNeeded, h.UnitHoursAvailable))
	}
	if gap := h.OfficersNeeded - h.Officers; gap > 0 {
		// Fewer than the forward rotation needs: the roster engine chooses its own
		// patterns (DESIGN.md §2: the rotation must not ask for more officers than the
		// rules need), so only a force it cannot roster is short, and its error names
		// the shift and qualification.
		if _, err := rosterPlanFor(f, nil, h.Posts); err != nil {
			var ie *InfeasibleError
			if errors.As(err, &ie) {
				missing = append(missing, ie.Missing)
			} else {
				missing = append(missing, err.Error())
			}
		} else {
			h.RosterByEngine = true
		}
	}
	if h.Missions == 0 {
		h.Warnings = append(h.Warnings, "no missions")
	} else if len(missing) == 0 && h.FloorAfforded < h.VisitsPerMaxGap {
		h.Warnings = append(h.Warnings, FloorWarning(h.FloorAfforded, h.VisitsPerMaxGap))
	}
	if len(missing) > 0 {
		return h, &InfeasibleError{Region: h.Region, Missing: strings.Join(missing, "; ")}
	}
	return h, nil
}

// FloorWarning is the warning for a region whose force affords only floor k of its
// policy's randomization floor want (DESIGN.md §3: the floor is lowered, never refused).
func FloorWarning(k, want float64) string {
	return fmt.Sprintf("randomization floor lowered to %g visits per max gap (policy %g): the force cannot afford more", k, want)
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

// CheckPlan checks what CheckRegion's region-wide model cannot see: it plans service day d
// of the region with a fixed, public trial key (nothing secret is involved, and the plan is
// thrown away), so every zone the planner cuts must afford its own minimum visits with its
// own units, at its own travel, through the dispatch that keeps the max gaps. It returns the
// planner's *InfeasibleError naming the zone and what is missing, or nil. Other days of the
// live plan draw differently, so the trial plans without the last resort (trialPlan), which
// live plans keep for a zone whose every retry fails: a force this passes has that margin
// on the days the trial does not draw.
func CheckPlan(in Inputs, d Date) error {
	_, err := CheckPlanFloor(in, d)
	return err
}

// CheckPlanFloor is CheckPlan that also returns the randomization floor the region's plans
// declare (regionFloor: its policy, or the largest its zones afford), so the check reports
// the floor the planner keeps, not only the region-wide model's.
func CheckPlanFloor(in Inputs, d Date) (float64, error) {
	k := in.Force.Randomization.VisitsPerMaxGap
	if len(in.Missions) == 0 {
		return k, nil
	}
	if in.Office.Location == nil {
		return 0, fmt.Errorf("check: region %s has no time zone", regionOf(in))
	}
	zs, err := newZonings(in)
	if err != nil {
		return 0, err
	}
	sd, err := planDayAs(trialPlan, in, checkTrialKey, d, zs, nil, nil)
	if err != nil {
		return 0, err
	}
	if vs := verifyDay(in, sd, nil); len(vs) > 0 {
		return 0, violationsError(regionOf(in), vs)
	}
	return regionFloor(in, zs.base), nil
}

// checkTrialKey is CheckPlan's plan key: fixed and public, used for nothing else.
var checkTrialKey = []byte("vigil check: trial plan, not a secret")

// maxTrialUnits bounds UnitsNeeded's search: more units than this in one region is a
// force to rethink, not to top up (the force file allows 1000 per mode).
const maxTrialUnits = 1000

// UnitsNeeded finds, by trying, how many more units of one mode (vehicle, or foot for a
// force of foot units only) the region needs for its minimum visits and max gaps: the
// fewest n for which the force with n more units passes CheckRegion's unit-hours and
// CheckPlan's trial plan of day d, with officers assumed sufficient (their shortfall is
// reported on its own). It returns the mode and n, 0 when the force already plans, or an
// error when even maxTrialUnits more do not.
func UnitsNeeded(in Inputs, d Date) (Mode, int, error) {
	mode := Vehicle
	if in.Force.Units[Vehicle] == 0 && in.Force.Units[Foot] > 0 {
		mode = Foot
	}
	plans := func(extra int) bool {
		t := in
		t.Force.Units = map[Mode]int{}
		for m, n := range in.Force.Units {
			t.Force.Units[m] = n
		}
		t.Force.Units[mode] += extra
		if !unitsAfford(t) {
			return false
		}
		posts := 0
		for _, m := range t.Missions {
			posts += m.Posts(t.Force.Profiles)
		}
		t.Force.Officers = max(t.Force.Officers, OfficersNeeded(t.Force, posts))
		return CheckPlan(t, d) == nil
	}
	if plans(0) {
		return mode, 0, nil
	}
	hi := 1
	for !plans(hi) {
		if hi >= maxTrialUnits {
			return mode, 0, &InfeasibleError{Region: regionOf(in), Missing: fmt.Sprintf("even %d more %s units do not plan", maxTrialUnits, mode)}
		}
		hi = min(2*hi, maxTrialUnits)
	}
	lo := hi / 2 // plans(lo) failed (or lo is 0, tried first)
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if plans(mid) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return mode, hi, nil
}

// unitsAfford reports whether in's units afford the minimum visits on CheckRegion's model
// (whatever its officers).
func unitsAfford(in Inputs) bool {
	h, _ := CheckRegion(in, nil)
	return h.UnitHoursNeeded <= h.UnitHoursAvailable+1e-9
}
