package scheduler

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// synthInputs returns a region of n missions scattered within about radiusKm of central
// Washington, threats drawn with a DC-like spread, with the given units on duty.
func synthInputs(tb testing.TB, seed uint64, n int, radiusKm float64, vehicles, foot int, tz string) Inputs {
	tb.Helper()
	loc, err := time.LoadLocation(tz)
	if err != nil {
		tb.Fatal(err)
	}
	r := rand.New(rand.NewPCG(seed, 7))
	f := NewRegionForce("wfo")
	f.Units = map[Mode]int{Vehicle: vehicles, Foot: foot}
	in := Inputs{Office: Office{ID: "wfo", Name: "Washington", TZ: tz, Location: loc, Lat: 38.9, Lon: -77.04}, Force: f}
	for i := 0; i < n; i++ {
		th := 1 + r.IntN(3)
		switch x := r.Float64(); {
		case x < 0.08:
			th = 5
		case x < 0.25:
			th = 4
		}
		dLat := (r.Float64()*2 - 1) * radiusKm / 111
		dLon := (r.Float64()*2 - 1) * radiusKm / 86
		in.Missions = append(in.Missions, Mission{
			ID: fmt.Sprintf("m-%04d", i), Name: fmt.Sprintf("Mission %d", i), Kind: "embassy",
			Lat: 38.9 + dLat, Lon: -77.04 + dLon, Threat: th, Region: "wfo",
		})
	}
	posts := 0
	sumMin := 0.0
	for _, m := range in.Missions {
		posts += m.Posts(f.Profiles)
		sumMin += MinimumVisits(f.Profiles[m.Threat], 1440)
	}
	if vehicles < 0 {
		// Size the force at -vehicles/10 × the minimums' unit time (≈ dwell plus travel).
		vehicles = int(math.Ceil(sumMin * float64(-vehicles) / 10 * 22 / (1440 * planUtilisation)))
		in.Force.Units[Vehicle] = vehicles
	}
	in.Force.Officers = Positions(in.Force, posts)*RotationDays(len(f.Shifts)) + 5
	return in
}

var testKey = []byte("0123456789abcdef0123456789abcdef")

func mustPlan(tb testing.TB, in Inputs, key []byte, from Date, days int) *Plan {
	tb.Helper()
	p, err := PlanDays(in, PlanOptions{Key: key, From: from, Days: days})
	if err != nil {
		tb.Fatalf("PlanDays(%s, %d days) error: %v", from, days, err)
	}
	return p
}

func TestPlanSmoke(t *testing.T) {
	in := synthInputs(t, 1, 40, 3, 6, 1, "America/New_York")
	p := mustPlan(t, in, testKey, Date{2026, 11, 27}, 2)
	visits := 0
	for _, sd := range p.ServiceDays {
		for _, r := range sd.Routes {
			visits += len(r.Visits)
		}
	}
	t.Logf("zones %d, visits %d", len(p.Zones), visits)
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(p); err != nil {
		t.Fatal(err)
	}
	_ = errors.New
}
