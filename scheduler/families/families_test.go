package families_test

import (
	"reflect"
	"strings"
	"testing"

	"vigil/scheduler"
	"vigil/scheduler/families"
)

// TestFamiliesTargets plans every family on three keys, 28 training + 14 test days (the
// full 56-day run is `go run ./tools/families`), and asserts issue 14's targets on the
// measures that apply (families.Applies): compliance 1, historical and live ratios ≥ 0.90
// at D = 15/30/60, minimax ≤ 1.20; and that the planner accepts every force the check
// accepts.
func TestFamiliesTargets(t *testing.T) {
	if len(families.All()) < 6 {
		t.Fatalf("%d families; want at least 6", len(families.All()))
	}
	for _, f := range families.All() {
		for _, key := range families.Keys {
			t.Run(f.Name+"/"+key[len(key)-1:], func(t *testing.T) {
				t.Parallel()
				r, err := families.Run(f, key, families.Train+families.TestDays)
				if err != nil {
					t.Fatalf("Run error: %v", err)
				}
				rep := r.Report
				t.Logf("compliance %.4f historical %.3f live %.3f/%.3f/%.3f minimax %.3f weighted30 %.3f applies %v %s",
					rep.Compliance, rep.Historical.Ratio, rep.Live["15"].Ratio, rep.Live["30"].Ratio, rep.Live["60"].Ratio,
					rep.Minimax.Ratio, rep.Live["30"].WeightedSuccess, r.Applies.Adversaries, r.Applies.Why)
				if !r.Applies.Adversaries && f.Missions >= 6 {
					t.Errorf("adversary measures do not apply (%s); a family of %d missions is built to be measured", r.Applies.Why, f.Missions)
				}
				for _, m := range r.Misses() {
					t.Error(m)
				}
			})
		}
	}
}

// TestInputsDeterministic checks that a family gives the same inputs every time, with
// the missions and threat spread asked for, and a force the check accepts at the stated
// headroom (or the fixed units).
func TestInputsDeterministic(t *testing.T) {
	for _, f := range families.All() {
		in, err := f.Inputs()
		if err != nil {
			t.Fatalf("%s: Inputs error: %v", f.Name, err)
		}
		again, _ := f.Inputs()
		if !reflect.DeepEqual(in.Missions, again.Missions) || !reflect.DeepEqual(in.Force, again.Force) {
			t.Errorf("%s: Inputs is not deterministic", f.Name)
		}
		if len(in.Missions) != f.Missions {
			t.Errorf("%s: %d missions; want %d", f.Name, len(in.Missions), f.Missions)
		}
		h, err := scheduler.CheckRegion(in, scheduler.TravelModel(in.Force))
		if err != nil {
			t.Errorf("%s: CheckRegion error: %v", f.Name, err)
		}
		if f.Vehicles == 0 && h.Ratio() < families.Headroom {
			t.Errorf("%s: headroom %.2f×; want ≥ %v×", f.Name, h.Ratio(), families.Headroom)
		}
		if f.Vehicles > 0 && in.Force.Units[scheduler.Vehicle] != f.Vehicles {
			t.Errorf("%s: %d vehicles; want %d", f.Name, in.Force.Units[scheduler.Vehicle], f.Vehicles)
		}
	}
}

// TestAppliesRule checks the rule for which measures apply: a region of two missions
// is judged on compliance only; one of six, with each visited often, on every measure;
// and a run without test days on none.
func TestAppliesRule(t *testing.T) {
	plan := func(f families.Family, days int) *scheduler.Plan {
		t.Helper()
		in, err := f.Inputs()
		if err != nil {
			t.Fatalf("%s: Inputs error: %v", f.Name, err)
		}
		p, err := scheduler.PlanDays(in, scheduler.PlanOptions{Key: []byte("rule"), From: f.From, Days: days})
		if err != nil {
			t.Fatalf("%s: PlanDays error: %v", f.Name, err)
		}
		return p
	}
	base := families.All()[3] // one-unit
	two := base
	two.Name, two.Missions, two.Threats = "two", 2, [scheduler.MaxThreat]float64{1, 0, 0, 0, 0}
	if a := families.Applies(plan(two, 30), 28); a.Adversaries || !strings.Contains(a.Why, "2 missions without a post") {
		t.Errorf("two missions: Applies = %+v; want no adversaries, for the 2 missions", a)
	}
	if a := families.Applies(plan(base, 32), 28); !a.Adversaries {
		t.Errorf("one-unit, 6 missions, 4 test days: Applies = %+v; want the adversaries", a)
	}
	if a := families.Applies(plan(base, 29), 28); a.Adversaries || !strings.Contains(a.Why, "test-day departures") {
		t.Errorf("one test day: Applies = %+v; want no adversaries, for too few departures", a)
	}
	if a := families.Applies(plan(base, 28), 28); a.Adversaries || a.Why != "no test days" {
		t.Errorf("no test days: Applies = %+v; want none", a)
	}
}

// TestInputsNoMissions checks that a family without missions is an error, not a force
// sized forever.
func TestInputsNoMissions(t *testing.T) {
	if _, err := (families.Family{Name: "empty"}).Inputs(); err == nil {
		t.Errorf("Inputs of a family without missions: error = nil; want an error")
	}
}
