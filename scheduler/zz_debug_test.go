package scheduler

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

func bigDebugInputs(tb testing.TB, n, vehicles int) Inputs {
	loc, _ := time.LoadLocation("America/New_York")
	r := rand.New(rand.NewPCG(5000, 400))
	f := NewRegionForce("big")
	f.Units = map[Mode]int{Vehicle: vehicles, Foot: 0}
	in := Inputs{Office: Office{ID: "big", TZ: "America/New_York", Location: loc}, Force: f}
	for i := 0; i < n; i++ {
		th := 1 + r.IntN(2)
		if r.Float64() < 0.05 {
			th = 3
		}
		in.Missions = append(in.Missions, Mission{
			ID: fmt.Sprintf("m-%05d", i), Name: "m", Kind: "mission", Region: "big", Threat: th,
			Lat: 40.7 + (r.Float64()-0.5)*0.55, Lon: -74.0 + (r.Float64()-0.5)*0.7,
		})
	}
	in.Force.Officers = Positions(in.Force, 0) * RotationDays(3)
	return in
}

func TestZZBig(t *testing.T) {
	in := bigDebugInputs(t, 5000, 400)
	zn, err := makeZoning(in)
	if err != nil {
		t.Fatal(err)
	}
	travel := TravelModel(in.Force)
	for zi, z := range zn.Zones {
		ms := zn.Missions[zi]
		prof := func(mi int) Profile { return in.Force.Profiles[in.Missions[mi].Threat] }
		al, err := allocate(in, z.ID, ms, zn.Units[zi], prof, 1440, travel)
		sv, smin := 0.0, 0.0
		for i := range ms {
			sv += al.Visits[i]
			smin += al.Minimums[i]
		}
		tr := meanZoneTravel(in, ms, travel(Vehicle))
		t.Logf("zone %s: %d missions %d units; visits %.0f min %.0f cap %.0f travel %.1f level %.3f err %v", z.ID, len(ms), len(zn.Units[zi]), sv, smin, al.Capacity, tr, al.Level, err)
	}
}
