// Package families generates deterministic regions of several kinds (families) to test the
// planner on inputs it was not tuned on (issue 14): a dense city core, sparse suburbs, a
// sparse region of a few units, one-unit regions, heavy and light threat spreads, 8- and
// 12-hour shifts and weeks across the US daylight-saving changes. Each family's force is
// sized by the check's capacity model (scheduler.CheckRegion), never by a planner figure.
package families

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"vigil/scheduler"
)

// Headroom is the capacity ÷ minimum visits a family's force is sized to by CheckRegion:
// the shipped force file's rule ("each region can afford about 3× its missions' minimum
// visits", fixtures/force.yaml), so the families are forces a user would write.
const Headroom = 3.0

// officerMargin is the roster over what the rotation needs (CheckRegion), so officers
// never bind: a fifth, for leave and sickness.
const officerMargin = 1.2

// Family is one kind of region with its service dates.
type Family struct {
	Name string
	// What is a line for the table.
	What string
	// Missions, their spread (km, normal σ around one centre) and threat shares at
	// threats 1–5.
	Missions int
	SigmaKm  float64
	Threats  [scheduler.MaxThreat]float64
	// Units fixed (Vehicle > 0) or sized to Headroom (zero); FootShare is foot units per
	// vehicle unit when sized.
	Vehicles  int
	FootShare float64
	// Shifts as "HH:MM" starts; nil for the default three 8-hour shifts.
	Shifts []string
	// From is the first service date.
	From scheduler.Date
	// Floor, when set, is the randomization policy (visits per max gap) the force plans
	// with; nil keeps the force's default. The force is sized before it is applied.
	Floor *float64
}

// Threat spreads (shares at threats 1–5).
var (
	// wfoSpread is the shipped wfo missions' (81, 52, 22, 14, 8 of 177): a common spread,
	// not a tuning.
	wfoSpread = [scheduler.MaxThreat]float64{81.0 / 177, 52.0 / 177, 22.0 / 177, 14.0 / 177, 8.0 / 177}
	// heavySpread: most missions at threats 3–4, as the DC case (up to 30 % L4).
	heavySpread = [scheduler.MaxThreat]float64{0.15, 0.15, 0.30, 0.30, 0.10}
	// lightSpread: almost all missions at threats 1–2.
	lightSpread = [scheduler.MaxThreat]float64{0.70, 0.22, 0.06, 0.02, 0}
)

// Dates: an ordinary run, and runs whose test days hold the US spring-forward
// (2027-03-14) and fall-back (2026-11-01) days.
var (
	plainFrom  = scheduler.Date{Year: 2026, Month: 9, Day: 7}
	springFrom = scheduler.Date{Year: 2027, Month: 2, Day: 10}
	fallFrom   = scheduler.Date{Year: 2026, Month: 9, Day: 28}
)

// All returns the families, in table order.
func All() []Family {
	return []Family{
		{Name: "dense-core", What: "150 missions within ~2 km, wfo threat spread", Missions: 150, SigmaKm: 1.5, Threats: wfoSpread, FootShare: 0.15, From: plainFrom},
		{Name: "sparse-suburbs", What: "40 missions over ~20 km, vehicles only", Missions: 40, SigmaKm: 10, Threats: wfoSpread, From: plainFrom},
		{Name: "sparse-few", What: "20 missions over ~8 km, sized units (3–5)", Missions: 20, SigmaKm: 4, Threats: wfoSpread, From: plainFrom},
		{Name: "one-unit", What: "6 missions, 1 vehicle", Missions: 6, SigmaKm: 3, Threats: wfoSpread, Vehicles: 1, From: plainFrom},
		{Name: "heavy-threat", What: "80 missions, 60 % at threats 3–4", Missions: 80, SigmaKm: 3, Threats: heavySpread, FootShare: 0.15, From: plainFrom},
		{Name: "light-threat", What: "80 missions, 92 % at threats 1–2", Missions: 80, SigmaKm: 3, Threats: lightSpread, FootShare: 0.15, From: plainFrom},
		{Name: "shifts-12h", What: "60 missions, 06:00/18:00 shifts", Missions: 60, SigmaKm: 3, Threats: wfoSpread, Shifts: []string{"06:00", "18:00"}, From: plainFrom},
		{Name: "shifts-8h", What: "60 missions, 06:00/14:00/22:00 shifts", Missions: 60, SigmaKm: 3, Threats: wfoSpread, Shifts: []string{"06:00", "14:00", "22:00"}, From: plainFrom},
		{Name: "dst-spring", What: "60 missions, test days across 2027-03-14", Missions: 60, SigmaKm: 3, Threats: wfoSpread, From: springFrom},
		{Name: "dst-fall", What: "60 missions, test days across 2026-11-01", Missions: 60, SigmaKm: 3, Threats: wfoSpread, From: fallFrom},
	}
}

// Region id, time zone and centre of the generated regions.
const (
	tz        = "America/New_York"
	centreLat = 40.0
	centreLon = -77.0
)

// Inputs generates the family's region: the same family always gives the same Inputs.
func (f Family) Inputs() (scheduler.Inputs, error) {
	if f.Missions < 1 {
		return scheduler.Inputs{}, fmt.Errorf("families: %q has %d missions; want at least 1", f.Name, f.Missions)
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return scheduler.Inputs{}, fmt.Errorf("families: %w", err)
	}
	id := f.Name
	in := scheduler.Inputs{
		Office: scheduler.Office{ID: id, Name: "Family " + f.Name, Kind: "field office", TZ: tz, Location: loc,
			Lat: centreLat, Lon: centreLon, Coords: "exact"},
		Force:    scheduler.NewRegionForce(id),
		Missions: make([]scheduler.Mission, 0, f.Missions),
	}
	if f.Shifts != nil {
		in.Force.Shifts = nil
		for i, s := range f.Shifts {
			c, err := scheduler.ParseClock(s)
			if err != nil {
				return scheduler.Inputs{}, fmt.Errorf("families: %s: %w", f.Name, err)
			}
			in.Force.Shifts = append(in.Force.Shifts, scheduler.Shift{Name: fmt.Sprintf("s%d", i+1), Start: c})
		}
	}
	r := rand.New(rand.NewPCG(0xfa417, uint64(len(f.Name))*1_000_003+uint64(f.Missions)))
	kmLon := 111 * math.Cos(centreLat*math.Pi/180)
	// Threats by the largest remainder of the shares, then shuffled: the spread is exact.
	threats := spread(f.Missions, f.Threats)
	r.Shuffle(len(threats), func(a, b int) { threats[a], threats[b] = threats[b], threats[a] })
	for k := 0; k < f.Missions; k++ {
		in.Missions = append(in.Missions, scheduler.Mission{
			ID: fmt.Sprintf("m-%04d", k+1), Name: fmt.Sprintf("Mission %d", k+1),
			Kind: scheduler.Kinds[k%len(scheduler.Kinds)], Country: "XX", City: "City",
			Lat:    centreLat + r.NormFloat64()*f.SigmaKm/111,
			Lon:    centreLon + r.NormFloat64()*f.SigmaKm/kmLon,
			Threat: threats[k], Region: id,
		})
	}
	if err := f.size(&in); err != nil {
		return scheduler.Inputs{}, err
	}
	if f.Floor != nil {
		in.Force.Randomization.VisitsPerMaxGap = *f.Floor
	}
	return in, nil
}

// spread returns n threats with the given shares, by largest remainder.
func spread(n int, shares [scheduler.MaxThreat]float64) []int {
	out := make([]int, 0, n)
	var rem [scheduler.MaxThreat]float64
	for i, s := range shares {
		k := int(s * float64(n))
		rem[i] = s*float64(n) - float64(k)
		for range k {
			out = append(out, scheduler.MinThreat+i)
		}
	}
	for len(out) < n {
		best := 0
		for i := range rem {
			if rem[i] > rem[best] {
				best = i
			}
		}
		rem[best] = -1
		out = append(out, scheduler.MinThreat+best)
	}
	return out
}

// size gives the force its units (the smallest vehicle count whose headroom reaches
// Headroom, with foot units at FootShare, unless fixed) and a roster.
func (f Family) size(in *scheduler.Inputs) error {
	fo := &in.Force
	set := func(v int) {
		fo.Units = map[scheduler.Mode]int{scheduler.Vehicle: v, scheduler.Foot: int(math.Round(float64(v) * f.FootShare))}
	}
	fo.Officers = 1 << 20 // sized below, once the units are known
	check := func() scheduler.Headroom {
		h, _ := scheduler.CheckRegion(*in, scheduler.TravelModel(*fo))
		return h
	}
	if f.Vehicles > 0 {
		set(f.Vehicles)
	} else {
		v := 1
		for set(v); check().Ratio() < Headroom; set(v) {
			v++
		}
	}
	fo.Officers = int(math.Ceil(float64(check().OfficersNeeded) * officerMargin))
	if _, err := scheduler.CheckRegion(*in, scheduler.TravelModel(*fo)); err != nil {
		return fmt.Errorf("families: %s: %w", f.Name, err)
	}
	return nil
}
