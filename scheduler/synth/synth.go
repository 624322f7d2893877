// Package synth generates deterministic synthetic regions for benchmarks: missions in
// clusters around city centres spread over one region, threats drawn with the shipped wfo
// spread, and a force sized by the check's capacity model (CheckRegion) to about the wfo
// headroom. The same n always gives the same Inputs.
package synth

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"vigil/scheduler"
)

// Ratio is the capacity ÷ minimum visits the generated forces are sized to: the shipped
// wfo force's (3.82×).
const Ratio = 3.8

// footPerVehicle is the foot units per vehicle unit: wfo's 4 foot to 26 vehicle units.
const footPerVehicle = 4.0 / 26

// officerMargin is the roster over what the rotation needs: wfo's 243 of 216.
const officerMargin = 1.125

// missionsPerCity is the mean size of a city's cluster; the largest holds about three
// times as many, the smallest about a third.
const missionsPerCity = 400

// Region id, office and layout of the generated regions: city centres cityKm apart
// around a point of the eastern United States.
const (
	regionID  = "syn"
	centreLat = 40.0
	centreLon = -77.0
	cityKm    = 10.0
	tz        = "America/New_York"
)

// threatCDF is the share of missions at threat ≤ 1..5, from the shipped wfo missions
// (81, 52, 22, 14 and 8 of 177).
var threatCDF = [scheduler.MaxThreat]float64{81.0 / 177, 133.0 / 177, 155.0 / 177, 169.0 / 177, 1}

// Inputs returns a region of n missions (n ≥ 1) with its force. Missions cluster around
// max(1, n/400) city centres 10 km apart on a jittered grid (sizes falling off as 1/√rank,
// each city's missions normally spread with a radius growing with √size, about wfo's
// density at the core), ids m-000001… in order.
// The force has vehicle units, and foot units at wfo's 4:26, enough for Ratio × the
// minimums by CheckRegion, and a roster 1.125 × what the rotation needs.
func Inputs(n int) (scheduler.Inputs, error) {
	if n < 1 {
		return scheduler.Inputs{}, fmt.Errorf("synth: %d missions; want at least 1", n)
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return scheduler.Inputs{}, fmt.Errorf("synth: %w", err)
	}
	r := rand.New(rand.NewPCG(0x5eed, uint64(n)))
	cities := max(1, n/missionsPerCity)
	type city struct {
		lat, lon, sigmaKm float64
		size              int
	}
	cs := make([]city, cities)
	weights := make([]float64, cities)
	total := 0.0
	for i := range cs {
		weights[i] = 1 / math.Sqrt(float64(i+1))
		total += weights[i]
	}
	given := 0
	for i := range cs {
		cs[i].size = int(float64(n) * weights[i] / total)
		given += cs[i].size
	}
	for i := 0; given < n; i = (i + 1) % cities {
		cs[i].size++
		given++
	}
	// City centres on a jittered square grid cityKm apart, so the region is one
	// conurbation of dense cores with thinner suburbs between them.
	cols := int(math.Ceil(math.Sqrt(float64(cities))))
	kmLon := 111 * math.Cos(centreLat*math.Pi/180)
	for i := range cs {
		x := (float64(i%cols)-float64(cols-1)/2)*cityKm + (r.Float64()*2-1)*cityKm/5
		y := (float64(i/cols)-float64(cols-1)/2)*cityKm + (r.Float64()*2-1)*cityKm/5
		cs[i].lat = centreLat + y/111
		cs[i].lon = centreLon + x/kmLon
		// wfo: 177 missions within about 3.5 km of their centre.
		cs[i].sigmaKm = 1.8 * math.Sqrt(float64(cs[i].size)/177)
	}
	// The largest cities are not all in one corner.
	r.Shuffle(len(cs), func(a, b int) { cs[a], cs[b] = cs[b], cs[a] })
	in := scheduler.Inputs{
		Office: scheduler.Office{ID: regionID, Name: "Synthetic", Kind: "field office", TZ: tz, Location: loc,
			Lat: centreLat, Lon: centreLon, Coords: "exact"},
		Force:    scheduler.NewRegionForce(regionID),
		Missions: make([]scheduler.Mission, 0, n),
	}
	k := 0
	for ci, c := range cs {
		kmLon := 111 * math.Cos(c.lat*math.Pi/180)
		for j := 0; j < c.size; j++ {
			k++
			th := scheduler.MinThreat
			for x := r.Float64(); th < scheduler.MaxThreat && x >= threatCDF[th-1]; th++ {
			}
			in.Missions = append(in.Missions, scheduler.Mission{
				ID:      fmt.Sprintf("m-%06d", k),
				Name:    fmt.Sprintf("Mission %d of city %d", j+1, ci+1),
				Kind:    scheduler.Kinds[k%len(scheduler.Kinds)],
				Country: "XX",
				City:    fmt.Sprintf("City %d", ci+1),
				Lat:     c.lat + r.NormFloat64()*c.sigmaKm/111,
				Lon:     c.lon + r.NormFloat64()*c.sigmaKm/kmLon,
				Threat:  th,
				Region:  regionID,
			})
		}
	}
	if err := size(&in); err != nil {
		return scheduler.Inputs{}, err
	}
	return in, nil
}

// size gives in the smallest vehicle force (with foot units at footPerVehicle) whose
// headroom reaches Ratio, and its roster.
func size(in *scheduler.Inputs) error {
	f := &in.Force
	set := func(v int) {
		f.Units = map[scheduler.Mode]int{scheduler.Vehicle: v, scheduler.Foot: int(math.Round(float64(v) * footPerVehicle))}
	}
	// Headroom is about linear in the units for a fixed mode mix: scale to it, then step.
	v := 1
	set(v)
	h, _ := scheduler.CheckRegion(*in, scheduler.TravelModel(*f))
	for range 3 {
		v = max(1, int(float64(v)*Ratio/h.Ratio())-1)
		set(v)
		h, _ = scheduler.CheckRegion(*in, scheduler.TravelModel(*f))
	}
	for ; h.Ratio() < Ratio; h, _ = scheduler.CheckRegion(*in, scheduler.TravelModel(*f)) {
		v++
		set(v)
	}
	f.Officers = int(math.Ceil(float64(h.OfficersNeeded) * officerMargin))
	if _, err := scheduler.CheckRegion(*in, scheduler.TravelModel(*f)); err != nil {
		return fmt.Errorf("synth: %d missions: %w", len(in.Missions), err)
	}
	return nil
}
