package scheduler

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// synthInputs returns a region of n missions scattered within about radiusKm of central
// Washington, threats drawn with a DC-like spread, in time zone tz. A negative vehicles
// sizes the force at −vehicles/10 × the minimum visits' unit time (dwell plus ~10 min of
// travel), e.g. −28 for about 2.8×.
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
		vehicles = int(math.Ceil(sumMin * float64(-vehicles) / 10 * 22 / (1440 * 0.82)))
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

func mustJSON(tb testing.TB, v any) []byte {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// TestPlanProperties plans random mission sets with many keys, over DST days in New York
// and days in Honolulu, and checks the hard rules, determinism and day independence.
func TestPlanProperties(t *testing.T) {
	tests := []struct {
		tz   string
		from Date
	}{
		{"America/New_York", Date{2026, 10, 30}}, // 2026-10-31 is a 25-hour service day
		{"America/New_York", Date{2027, 3, 12}},  // 2027-03-13 is a 23-hour service day
		{"Pacific/Honolulu", Date{2026, 10, 30}},
	}
	seeds := 24
	if testing.Short() {
		seeds = 8
	}
	for s := 0; s < seeds; s++ {
		tt := tests[s%len(tests)]
		seed := uint64(100 + s)
		in := synthInputs(t, seed, 12+s*3, 1.5+float64(s%4), -22-s%10, s%3, tt.tz)
		key := []byte(fmt.Sprintf("property-key-%d", s))
		t.Run(fmt.Sprintf("%d-%s-%s", s, tt.tz, tt.from), func(t *testing.T) {
			p := mustPlan(t, in, key, tt.from, 3)
			if vs := Verify(in, p); len(vs) > 0 {
				t.Fatalf("Verify = %v; want none", vs)
			}
			b := mustJSON(t, p)
			if again := mustJSON(t, mustPlan(t, in, key, tt.from, 3)); !bytes.Equal(b, again) {
				t.Errorf("PlanDays is not deterministic: two runs differ")
			}
			if bytes.Contains(b, []byte("null")) {
				t.Errorf("plan JSON holds a null")
			}
			one := mustPlan(t, in, key, tt.from.AddDays(1), 1)
			if got, want := mustJSON(t, one.ServiceDays[0]), mustJSON(t, p.ServiceDays[1]); !bytes.Equal(got, want) {
				t.Errorf("PlanDays(From=%s, Days=1) differs from day 2 of PlanDays(From=%s, Days=3)", tt.from.AddDays(1), tt.from)
			}
			if len(p.Missions) != len(in.Missions) {
				t.Errorf("plan lists %d missions; want %d", len(p.Missions), len(in.Missions))
			}
			for _, sd := range p.ServiceDays {
				d, _ := ParseDate(sd.Date)
				S, E := ServiceDayBounds(d, in.Force.Shifts, in.Office.Location)
				if !sd.Start.Equal(S) || !sd.End.Equal(E) {
					t.Errorf("day %s runs %s–%s; want %s–%s", sd.Date, sd.Start, sd.End, S, E)
				}
				for i := 1; i < len(sd.Routes); i++ {
					a, b := sd.Routes[i-1], sd.Routes[i]
					if b.Start.Before(a.Start) || (b.Start.Equal(a.Start) && b.Unit < a.Unit) {
						t.Fatalf("routes not ordered by start then unit at %d", i)
					}
				}
			}
			other := mustPlan(t, in, []byte("another key"), tt.from, 1)
			if bytes.Equal(mustJSON(t, other.ServiceDays[0].Routes), mustJSON(t, p.ServiceDays[0].Routes)) {
				t.Errorf("two keys gave the same routes")
			}
		})
	}
}

// TestPlanPropertiesNearCapacity plans random mission sets whose forces are only 1.5–2.0
// × the unit time of the minimum visits (synthInputs' −15 … −20), with many keys, over the
// DST days in New York and days in Honolulu: every plan keeps the hard rules (Verify),
// and none is refused, since such a force covers its minimums.
func TestPlanPropertiesNearCapacity(t *testing.T) {
	tests := []struct {
		tz   string
		from Date
	}{
		{"America/New_York", Date{2026, 10, 31}}, // 25 hours
		{"America/New_York", Date{2027, 3, 13}},  // 23 hours
		{"Pacific/Honolulu", Date{2026, 10, 31}},
	}
	seeds := 18
	if testing.Short() {
		seeds = 6
	}
	for s := 0; s < seeds; s++ {
		tt := tests[s%len(tests)]
		size := -15 - s%6 // 1.5× … 2.0× the minimums' unit time
		in := synthInputs(t, uint64(300+s), 20+s*4, 1.5+float64(s%3), size, s%2, tt.tz)
		key := []byte(fmt.Sprintf("capacity-key-%d", s))
		t.Run(fmt.Sprintf("%d-%s-%s-%.1fx", s, tt.tz, tt.from, float64(-size)/10), func(t *testing.T) {
			p := mustPlan(t, in, key, tt.from.AddDays(-1), 2)
			if vs := Verify(in, p); len(vs) > 0 {
				t.Fatalf("Verify = %v; want none", vs)
			}
		})
	}
}

// TestDSTDayLengths checks that the 25- and 23-hour service days are planned whole.
func TestDSTDayLengths(t *testing.T) {
	in := synthInputs(t, 7, 30, 2, -28, 1, "America/New_York")
	tests := []struct {
		d     Date
		hours float64
	}{
		{Date{2026, 10, 31}, 25},
		{Date{2027, 3, 13}, 23},
		{Date{2026, 11, 27}, 24},
	}
	for _, tt := range tests {
		p := mustPlan(t, in, testKey, tt.d, 1)
		sd := p.ServiceDays[0]
		if h := sd.End.Sub(sd.Start).Hours(); h != tt.hours {
			t.Errorf("PlanDays(%s) day of %v h; want %v", tt.d, h, tt.hours)
		}
		var last time.Time
		for _, r := range sd.Routes {
			if r.Shift == "night" && r.End.After(last) {
				last = r.End
			}
		}
		if !last.Equal(sd.End) {
			t.Errorf("PlanDays(%s) night routes end %s; want %s", tt.d, last, sd.End)
		}
	}
}

// TestReplan checks that a re-plan keeps the past, honours the new max gap from the
// change, takes units out of service, and equals PlanServiceDay with the same changes.
func TestReplan(t *testing.T) {
	for s := 0; s < 6; s++ {
		in := synthInputs(t, uint64(300+s), 30+5*s, 2, -28, 1, "America/New_York")
		d := Date{2026, 11, 27}
		key := []byte(fmt.Sprintf("replan-%d", s))
		base, err := PlanServiceDay(in, key, d, nil)
		if err != nil {
			t.Fatalf("PlanServiceDay error: %v", err)
		}
		low := ""
		for _, m := range in.Missions {
			if m.Threat == 1 {
				low = m.ID
				break
			}
		}
		t1 := base.Start.Add(6*time.Hour + 7*time.Minute)
		until := t1.Add(5 * time.Hour)
		t2 := t1.Add(2*time.Hour + 30*time.Minute)
		t3 := t2.Add(3 * time.Hour)
		changes := []Change{
			{At: t1, Mission: low, Threat: 5, Until: &until},
			{At: t2, Unit: UnitID("wfo", Vehicle, 1)},
			{At: t3, Mission: in.Missions[len(in.Missions)-1].ID, Threat: 4},
		}
		sd := base
		for i := range changes {
			prev := sd
			sd, err = Replan(in, key, prev, changes[:i+1])
			if err != nil {
				t.Fatalf("seed %d: Replan(change %d) error: %v", s, i+1, err)
			}
			if sd.Revision != prev.Revision+1 {
				t.Errorf("Replan revision = %d; want %d", sd.Revision, prev.Revision+1)
			}
			if sd.Version == prev.Version {
				t.Errorf("Replan version unchanged: %s", sd.Version)
			}
			at := changes[i].At
			if got, want := visitsBefore(sd, at), visitsBefore(prev, at); got != want {
				t.Errorf("seed %d change %d: visits before %s changed:\n got %s\nwant %s", s, i+1, at.Format("15:04"), got, want)
			}
			if vs := verifyDay(in, sd, changes[:i+1]); len(vs) > 0 {
				t.Errorf("seed %d change %d: verifyDay = %v; want none", s, i+1, vs)
			}
		}
		for _, r := range sd.Routes {
			if r.Unit != UnitID("wfo", Vehicle, 1) {
				continue
			}
			for _, v := range r.Visits {
				if !v.Arrive.Before(t2) {
					t.Errorf("unit out of service at %s has a visit at %s", t2.Format("15:04"), v.Arrive.Format("15:04"))
				}
			}
		}
		// The raised mission's next presence comes within the new max gap (120) of t1.
		first := time.Time{}
		for _, r := range sd.Routes {
			for _, v := range r.Visits {
				if v.Mission == low && !v.Arrive.Before(t1) && (first.IsZero() || v.Arrive.Before(first)) {
					first = v.Arrive
				}
			}
		}
		if first.IsZero() || first.Sub(t1) > 120*time.Minute {
			t.Errorf("raised mission %s next visit at %v; want within 120 min of %s", low, first, t1.Format("15:04"))
		}
		folded, err := PlanServiceDay(in, key, d, changes)
		if err != nil {
			t.Fatalf("PlanServiceDay(changes) error: %v", err)
		}
		if !bytes.Equal(mustJSON(t, folded), mustJSON(t, sd)) {
			t.Errorf("PlanServiceDay(changes) differs from the chain of re-plans")
		}
	}
}

// visitsBefore lists every visit that starts before t, with its unit, as text.
func visitsBefore(sd ServiceDay, t time.Time) string {
	var b strings.Builder
	for _, r := range sd.Routes {
		for _, v := range r.Visits {
			if v.Arrive.Before(t) {
				fmt.Fprintf(&b, "%s %s %s-%s;", r.Unit, v.Mission, v.Arrive.Format("15:04"), v.Depart.Format("15:04"))
			}
		}
	}
	return b.String()
}

// replanBase is the day the re-plan error tests change: a synthetic region of 20 missions
// and 5 units, its plan for 2026-11-27, and a change time three hours into it.
func replanBase(t *testing.T) (Inputs, ServiceDay, time.Time) {
	t.Helper()
	in := synthInputs(t, 5, 20, 2, -28, 0, "America/New_York")
	d := Date{2026, 11, 27}
	base, err := PlanServiceDay(in, testKey, d, nil)
	if err != nil {
		t.Fatal(err)
	}
	return in, base, base.Start.Add(3 * time.Hour)
}

func TestReplanErrors(t *testing.T) {
	in, base, at := replanBase(t)
	tests := []struct {
		name    string
		changes []Change
	}{
		{"no change", nil},
		{"unknown mission", []Change{{At: at, Mission: "nope", Threat: 3}}},
		{"bad threat", []Change{{At: at, Mission: in.Missions[0].ID, Threat: 9}}},
		{"unknown unit", []Change{{At: at, Unit: "wfo-v99"}}},
		{"out of order", []Change{{At: at, Unit: "wfo-v01"}, {At: at.Add(-time.Hour), Unit: "wfo-v02"}}},
	}
	for _, tt := range tests {
		if _, err := Replan(in, testKey, base, tt.changes); err == nil {
			t.Errorf("Replan(%s) error = nil; want an error", tt.name)
		}
	}
}

// TestAllUnitsOut checks that a zone left without units is taken over by the nearest
// zone's units, or that the re-plan is an InfeasibleError when no unit is left at all.
func TestAllUnitsOut(t *testing.T) {
	in := synthInputs(t, 9, 40, 3, 9, 0, "America/New_York")
	d := Date{2026, 11, 27}
	base, err := PlanServiceDay(in, testKey, d, nil)
	if err != nil {
		t.Fatal(err)
	}
	at := base.Start.Add(20 * time.Hour)
	var changes []Change
	for n := 1; n <= 9; n++ {
		changes = append(changes, Change{At: at, Unit: UnitID("wfo", Vehicle, n)})
	}
	_, err = PlanServiceDay(in, testKey, d, changes)
	var ie *InfeasibleError
	if !errors.As(err, &ie) {
		t.Errorf("PlanServiceDay(all units out) error = %v; want an InfeasibleError", err)
	}
}

func TestInfeasibleForce(t *testing.T) {
	in := synthInputs(t, 3, 60, 3, 1, 0, "America/New_York")
	_, err := PlanDays(in, PlanOptions{Key: testKey, From: Date{2026, 11, 27}, Days: 1})
	var ie *InfeasibleError
	if !errors.As(err, &ie) || !errors.Is(err, ErrInfeasible) {
		t.Fatalf("PlanDays(1 unit, 60 missions) error = %v; want an InfeasibleError", err)
	}
	if !strings.Contains(ie.Missing, "unit-hours") {
		t.Errorf("InfeasibleError = %q; want it to name the unit-hours missing", ie.Missing)
	}
}

func TestInputsVersion(t *testing.T) {
	in := synthInputs(t, 4, 10, 2, 3, 0, "America/New_York")
	d := Date{2026, 11, 27}
	at := time.Date(2026, 11, 27, 12, 0, 0, 0, in.Office.Location)
	v0 := InputsVersion(in, d, nil)
	if !strings.HasPrefix(v0, "sha256:") || len(v0) != len("sha256:")+64 {
		t.Fatalf("InputsVersion = %q; want sha256:<64 hex>", v0)
	}
	c1 := []Change{{At: at, Mission: in.Missions[0].ID, Threat: 4}}
	c2 := []Change{{At: at.Add(time.Minute), Mission: in.Missions[0].ID, Threat: 4}}
	more := in
	more.Force.Units = map[Mode]int{Vehicle: 4, Foot: 0}
	tests := []struct {
		name string
		v    string
	}{
		{"next date", InputsVersion(in, d.AddDays(1), nil)},
		{"a change", InputsVersion(in, d, c1)},
		{"a change a minute later", InputsVersion(in, d, c2)},
		{"another force", InputsVersion(more, d, nil)},
	}
	seen := map[string]string{v0: "base"}
	for _, tt := range tests {
		if prev, ok := seen[tt.v]; ok {
			t.Errorf("InputsVersion(%s) = InputsVersion(%s)", tt.name, prev)
		}
		seen[tt.v] = tt.name
	}
	if InputsVersion(in, d, c1) != InputsVersion(in, d, []Change{{At: at.UTC(), Mission: in.Missions[0].ID, Threat: 4}}) {
		t.Errorf("InputsVersion depends on the location of a change's time")
	}
}

func TestZonesUnits(t *testing.T) {
	in := synthInputs(t, 11, 80, 4, 12, 3, "America/New_York")
	zones, err := Zones(in)
	if err != nil {
		t.Fatal(err)
	}
	units, sites := 0, 0
	for _, z := range zones {
		if z.Units < 1 {
			t.Errorf("zone %s has %d units; want ≥ 1", z.ID, z.Units)
		}
		if z.ID != "z-"+z.Cells[0] {
			t.Errorf("zone id %s; want z-%s", z.ID, z.Cells[0])
		}
		units += z.Units
		sites += len(z.Sites)
	}
	if units != 15 || sites != 80 {
		t.Errorf("Zones: %d units, %d missions; want 15, 80", units, sites)
	}
}

// TestVerifyCatches checks that Verify finds broken rules in a doctored plan.
func TestVerifyCatches(t *testing.T) {
	in := synthInputs(t, 12, 15, 2, -28, 0, "America/New_York")
	tests := []struct {
		rule   string
		doctor func(sd *ServiceDay)
	}{
		{"max gap", func(sd *ServiceDay) {
			// Drop every visit of the first mission in the evening shift.
			m := in.Missions[0].ID
			for i := range sd.Routes {
				if sd.Routes[i].Shift == "evening" {
					var keep []Visit
					for _, v := range sd.Routes[i].Visits {
						if v.Mission != m {
							keep = append(keep, v)
						}
					}
					sd.Routes[i].Visits = keep
				}
			}
		}},
		{"travel", func(sd *ServiceDay) {
			for i := range sd.Routes {
				if vs := sd.Routes[i].Visits; len(vs) > 2 {
					for j := range vs {
						if j > 0 && vs[j].Mission != vs[j-1].Mission {
							d := vs[j].Depart.Sub(vs[j].Arrive)
							vs[j].Arrive = vs[j-1].Depart
							vs[j].Depart = vs[j].Arrive.Add(d)
							return
						}
					}
				}
			}
		}},
		{"post staffing", func(sd *ServiceDay) {
			sd.Posts[0].Blocks = sd.Posts[0].Blocks[1:]
		}},
	}
	for _, tt := range tests {
		p := mustPlan(t, in, testKey, Date{2026, 11, 27}, 1)
		tt.doctor(&p.ServiceDays[0])
		found := false
		for _, v := range Verify(in, p) {
			found = found || v.Rule == tt.rule
		}
		if !found {
			t.Errorf("Verify(plan with broken %s) found no %q violation", tt.rule, tt.rule)
		}
	}
}

// TestGolden compares a small plan with testdata/plan_small.golden.json (-update rewrites it).
func TestGolden(t *testing.T) {
	in := synthInputs(t, 42, 6, 1, 2, 0, "America/New_York")
	p := mustPlan(t, in, testKey, Date{2026, 11, 27}, 1)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(p); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "plan_small.golden.json")
	if *update {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run TestGolden -update)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("plan differs from %s; run go test -run TestGolden -update and review the diff", path)
	}
}
