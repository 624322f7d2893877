package families_test

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"vigil/scheduler"
	"vigil/scheduler/families"
)

// TestFamiliesTargets plans every family on three keys, 28 training + 14 test days (the
// full 56-day run is `go run ./tools/families`). Hard rules on every key: the planner
// plans every force the check accepts (families are sized by the check), with compliance
// 1. The §4 figures are judged on the mean of the three keys (one key's 14 test days
// swing a ratio by ±0.05): issue 14's targets (historical and live ratios ≥ 0.90 at
// D = 15/30/60, minimax ≤ 1.20) for the families that meet them, and for the others the
// bars of knownShortfall, below the targets, so that they cannot get worse unnoticed.
func TestFamiliesTargets(t *testing.T) {
	if len(families.All()) < 6 {
		t.Fatalf("%d families; want at least 6", len(families.All()))
	}
	for _, f := range families.All() {
		t.Run(f.Name, func(t *testing.T) {
			t.Parallel()
			in, err := f.Inputs()
			if err != nil {
				t.Fatal(err)
			}
			bar, short := knownShortfall[f.Name]
			if !short {
				bar = targets
			}
			checkMeans(t, in, f.From, bar, short, true)
		})
	}
}

// checkMeans plans in from the date on the three keys, 28 training + 14 test days, and
// checks the hard rules on each key (the plan is made, compliance 1) and the §4 figures'
// means over the keys against bar, where the adversaries apply (families.Applies; with
// mustApply they must).
func checkMeans(t *testing.T, in scheduler.Inputs, from scheduler.Date, bar bars, short, mustApply bool) {
	t.Helper()
	var mean scheduler.Report
	mean.Live = map[string]scheduler.LiveReport{}
	applies := true
	for _, key := range families.Keys {
		p, err := scheduler.PlanDays(in, scheduler.PlanOptions{Key: []byte(key), From: from, Days: families.Train + families.TestDays})
		if err != nil {
			t.Fatalf("key %s: PlanDays error: %v", key, err)
		}
		rep, err := scheduler.Measure(p, scheduler.MeasureOptions{Train: families.Train, Rand: rand.New(rand.NewPCG(1, 2))})
		if err != nil {
			t.Fatalf("key %s: Measure error: %v", key, err)
		}
		a := families.Applies(p, families.Train)
		t.Logf("key %s: compliance %.4f historical %.3f live %.3f/%.3f/%.3f minimax %.3f weighted30 %.3f; adversaries apply: %v %s",
			key[len(key)-1:], rep.Compliance, rep.Historical.Ratio, rep.Live["15"].Ratio, rep.Live["30"].Ratio, rep.Live["60"].Ratio,
			rep.Minimax.Ratio, rep.Live["30"].WeightedSuccess, a.Adversaries, a.Why)
		if rep.Compliance != families.TargetCompliance {
			t.Errorf("key %s: compliance %.4f; want %v", key, rep.Compliance, families.TargetCompliance)
		}
		if !a.Adversaries {
			if mustApply {
				t.Fatalf("key %s: adversary measures do not apply (%s); this input is built to be measured", key, a.Why)
			}
			applies = false
		}
		n := float64(len(families.Keys))
		mean.Historical.Ratio += rep.Historical.Ratio / n
		mean.Minimax.Ratio += rep.Minimax.Ratio / n
		for k, l := range rep.Live {
			m := mean.Live[k]
			m.Ratio += l.Ratio / n
			mean.Live[k] = m
		}
	}
	if !applies {
		return // compliance only: too few missions or departures for a ratio to mean anything
	}
	t.Logf("mean of %d keys: historical %.3f live %.3f/%.3f/%.3f minimax %.3f (bars %+v, known shortfall %v)",
		len(families.Keys), mean.Historical.Ratio, mean.Live["15"].Ratio, mean.Live["30"].Ratio, mean.Live["60"].Ratio, mean.Minimax.Ratio, bar, short)
	if mean.Historical.Ratio < bar.historical {
		t.Errorf("historical ratio %.3f; want ≥ %.2f", mean.Historical.Ratio, bar.historical)
	}
	for _, d := range scheduler.DefaultLiveD() {
		if r := mean.Live[fmt.Sprint(d)].Ratio; r < bar.live {
			t.Errorf("live ratio at D = %d: %.3f; want ≥ %.2f", d, r, bar.live)
		}
	}
	if mean.Minimax.Ratio > bar.minimax {
		t.Errorf("minimax ratio %.3f; want ≤ %.2f", mean.Minimax.Ratio, bar.minimax)
	}
}

// bars are the figures a family's three-key mean must reach.
type bars struct{ historical, live, minimax float64 }

// targets are issue 14's targets for the families.
var targets = bars{historical: families.TargetRatio, live: families.TargetRatio, minimax: families.TargetMinimax}

// knownShortfall holds the families that do not meet the targets yet, each with the bars
// it is held to: about 0.05 below its measured three-key mean (42 days), so a change that
// makes it worse fails. They are issue 14's open part (BENCHMARKS.md, "Input families"):
//   - sparse-suburbs: 12 units across ~40 km, trips of 30–150 min; every unit must reach
//     its handover mission by the day's end, so the day's first and last half hours stay
//     thinner than the rest (historical), and a unit cannot double back within 15 minutes
//     (live);
//   - sparse-few: the day's first half hour thin with 5 units (the trips out of the
//     handovers);
//   - light-threat: the minimax ratio is one level-4 mission among 80 against an optimum
//     that moves by a tenth with 1 % of the plan's visits (nearly all of them are held at
//     the randomization floor, so the spare the optimum re-spends is small): 1.34 on
//     these keys since firstDue (dispatch.go), 1.14 over forty other keys (1.13 before).
var knownShortfall = map[string]bars{
	"sparse-suburbs": {historical: 0.70, live: 0.70, minimax: 1.30},
	"sparse-few":     {historical: 0.65, live: targets.live, minimax: targets.minimax},
	"light-threat":   {historical: targets.historical, live: targets.live, minimax: 1.40},
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
