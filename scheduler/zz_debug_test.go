package scheduler

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"encoding/json"
	"os"
	"vigil/geo"
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
		al, err := allocate(in, z.ID, ms, zn.Units[zi], prof, 1440, travel, nil)
		sv, smin := 0.0, 0.0
		for i := range ms {
			sv += al.Visits[i]
			smin += al.Minimums[i]
		}
		tr := meanZoneTravel(in, ms, travel(Vehicle))
		t.Logf("zone %s: %d missions %d units; visits %.0f min %.0f cap %.0f travel %.1f level %.3f err %v", z.ID, len(ms), len(zn.Units[zi]), sv, smin, al.Capacity, tr, al.Level, err)
	}
}

func zoneRun(t *testing.T, in Inputs, zn *zoning, zi int, attempt int, d Date) {
	loc := in.Office.Location
	f := in.Force
	S, E := ServiceDayBounds(d, f.Shifts, loc)
	wins := ShiftWindows(d, f.Shifts, loc)
	dayMin := int(E.Sub(S) / time.Minute)
	version := InputsVersion(in, d, nil)
	travel := TravelModel(f)
	points := make([]geo.Point, len(in.Missions))
	for i, m := range in.Missions {
		points[i] = MissionPoint(m)
	}
	trs := map[Mode]geo.Traveler{}
	for _, m := range Modes {
		trs[m] = travel(m)
	}
	tt := func(mode Mode, a, b int) int {
		if a == b {
			return 0
		}
		return trs[mode].Minutes(points[a], points[b])
	}
	shiftEnd := make([]int, len(wins))
	for k, w := range wins {
		shiftEnd[k] = int(w.End.Sub(S) / time.Minute)
	}
	th := newThreats(in, S, dayMin, nil)
	res, _, err := dispatchGroup(in, []byte("bench"), d, version, zn.Zones[zi].ID, wins, shiftEnd, dayMin, 0, zn.Missions[zi], zn.Units[zi], map[string]bool{}, map[string][]visitRec{}, th, tt, travel, nil, attempt)
	nv, trSum, dw := 0, 0, 0
	for _, u := range res {
		prev := u.zu.Home
		for _, v := range u.visits {
			trSum += tt(u.zu.Mode, prev, v.Mission)
			dw += v.Depart - v.Arrive
			prev = v.Mission
			nv++
		}
	}
	t.Logf("zone %s attempt %d: visits %d travel/visit %.1f dwell/visit %.1f busy %.2f err %v", zn.Zones[zi].ID, attempt, nv, float64(trSum)/float64(nv), float64(dw)/float64(nv), float64(trSum+dw)/float64(dayMin*len(res)), err)
}

func TestZZBigZone(t *testing.T) {
	in := bigDebugInputs(t, 5000, 400)
	zn, _ := makeZoning(in)
	for zi, z := range zn.Zones {
		if z.ID == "z-882a102803fffff" || zi == 0 {
			for a := 0; a < 4; a++ {
				zoneRun(t, in, zn, zi, a, Date{2026, 11, 2})
			}
		}
	}
}

func TestZZWfoZone(t *testing.T) {
	in := loadWFO(t)
	zn, _ := makeZoning(in)
	travel := TravelModel(in.Force)
	for zi, z := range zn.Zones {
		ms := zn.Missions[zi]
		prof := func(mi int) Profile { return in.Force.Profiles[in.Missions[mi].Threat] }
		al, err := allocate(in, z.ID, ms, zn.Units[zi], prof, 1440, travel, nil)
		sv, smin := 0.0, 0.0
		for i := range ms {
			sv += al.Visits[i]
			smin += al.Minimums[i]
		}
		t.Logf("zone %s: %d missions %d units; visits %.0f min %.0f cap %.0f travel %.1f level %.3f err %v", z.ID, len(ms), len(zn.Units[zi]), sv, smin, al.Capacity, meanZoneTravel(in, ms, travel(Vehicle)), al.Level, err)
		zoneRun(t, in, zn, zi, 0, Date{2026, 11, 27})
	}
}

func loadWFO(t testing.TB) Inputs {
	b, err := os.ReadFile("/tmp/wfo_inputs.json")
	if err != nil {
		t.Fatal(err)
	}
	var in Inputs
	if err := json.Unmarshal(b, &in); err != nil {
		t.Fatal(err)
	}
	in.Office.Location, _ = time.LoadLocation(in.Office.TZ)
	return in
}

func pairMean(in Inputs, ms []int, w []float64, t geo.Traveler) float64 {
	var s, ws float64
	for i := range ms {
		for j := range ms {
			if i == j {
				continue
			}
			x := w[i] * w[j]
			s += x * float64(t.Minutes(MissionPoint(in.Missions[ms[i]]), MissionPoint(in.Missions[ms[j]])))
			ws += x
		}
	}
	return s / ws
}

func TestZZPair(t *testing.T) {
	for _, name := range []string{"wfo", "big"} {
		var in Inputs
		if name == "wfo" {
			in = loadWFO(t)
		} else {
			in = bigDebugInputs(t, 5000, 400)
		}
		zn, _ := makeZoning(in)
		travel := TravelModel(in.Force)
		for zi, z := range zn.Zones {
			if name == "big" && zi > 3 && z.ID != "z-882a102803fffff" {
				continue
			}
			ms := zn.Missions[zi]
			prof := func(mi int) Profile { return in.Force.Profiles[in.Missions[mi].Threat] }
			al, _ := allocate(in, z.ID, ms, zn.Units[zi], prof, 1440, travel, nil)
			t.Logf("%s zone %s units %d pairmean %.1f", name, z.ID, len(zn.Units[zi]), pairMean(in, ms, al.Visits, travel(Vehicle)))
			zoneRun(t, in, zn, zi, 1, Date{2026, 11, 27})
		}
	}
}
