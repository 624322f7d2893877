package simulate

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"vigil/scheduler"
)

var (
	frontierOnce   sync.Once
	frontierResult *Result
	frontierErr    error
)

// frontierFloors are the floors of the shared frontier run.
var frontierFloorsTest = []float64{0, 2, 4, 6}

// frontierBase returns the frontier of small(t) on hou over frontierFloorsTest, computed
// once.
func frontierBase(tb testing.TB) *Result {
	tb.Helper()
	frontierOnce.Do(func() {
		sc := small(tb)
		sc.Frontier = frontierFloorsTest
		frontierResult, frontierErr = Run(context.Background(), mustInputs(tb, "hou"), sc)
	})
	if frontierErr != nil {
		tb.Fatalf("Run(hou, small frontier) = %v", frontierErr)
	}
	return frontierResult
}

func inUnit(x float64) bool { return x >= 0 && x <= 1 }

// The frontier has one row per floor asked for, in order, with every figure in its range.
func TestFrontierRows(t *testing.T) {
	r := frontierBase(t)
	if got := frontierFloorsOf(r.Frontier); !slices.Equal(got, frontierFloorsTest) {
		t.Fatalf("frontier floors = %v; want %v", got, frontierFloorsTest)
	}
	if r.Planners.Vigil.Live != nil || r.Plans.Vigil != nil {
		t.Errorf("a frontier run holds a planners' report")
	}
	for _, f := range r.Frontier {
		if f.FloorInEffect < 0 || f.FloorInEffect > f.VisitsPerMaxGap+1e-9 {
			t.Errorf("floor %g: in effect %g; want 0 to the floor asked for", f.VisitsPerMaxGap, f.FloorInEffect)
		}
		if !inUnit(f.Compliance) || f.Worst < 0 || f.Optimum <= 0 || f.Ratio <= 0 || f.PriceOfRandomness < 1-1e-9 {
			t.Errorf("floor %g: compliance %v, worst %v, optimum %v, ratio %v, price %v out of range",
				f.VisitsPerMaxGap, f.Compliance, f.Worst, f.Optimum, f.Ratio, f.PriceOfRandomness)
		}
		if got := slices.Sorted(maps.Keys(f.Live)); !slices.Equal(got, []string{"15", "30", "60"}) {
			t.Errorf("floor %g: live keys %v; want 15, 30, 60", f.VisitsPerMaxGap, got)
		}
		for d, l := range f.Live {
			if !inUnit(l.Interception) || !inUnit(l.WeightedSuccess) || l.Ratio <= 0 {
				t.Errorf("floor %g, D=%s: %+v out of range", f.VisitsPerMaxGap, d, l)
			}
		}
		if f.VisitsPerDay <= 0 || f.VisitsForValue < 0 || f.VisitsForValue > f.VisitsPerDay || !inUnit(f.ValueShare) {
			t.Errorf("floor %g: visits %v a day, %v for value (%v); want 0 ≤ for value ≤ visits", f.VisitsPerMaxGap,
				f.VisitsPerDay, f.VisitsForValue, f.ValueShare)
		}
	}
	// A higher floor asked for never leaves a lower floor in effect, nor more visits for
	// value: the floors take visits the planner would otherwise give by value. Each floor
	// is its own plan, so the visits a day may differ by a few; 2 % of them is the slack.
	for i := 1; i < len(r.Frontier); i++ {
		a, b := r.Frontier[i-1], r.Frontier[i]
		if b.FloorInEffect < a.FloorInEffect-1e-9 {
			t.Errorf("floor in effect %g at %g, below %g at %g", b.FloorInEffect, b.VisitsPerMaxGap, a.FloorInEffect, a.VisitsPerMaxGap)
		}
		if slack := 0.02 * a.VisitsPerDay; b.VisitsForValue > a.VisitsForValue+slack {
			t.Errorf("visits for value %.1f a day at floor %g, more than %.1f at %g", b.VisitsForValue, b.VisitsPerMaxGap, a.VisitsForValue, a.VisitsPerMaxGap)
		}
	}
	if first, last := r.Frontier[0], r.Frontier[len(r.Frontier)-1]; last.FloorInEffect > 0 && last.VisitsForValue >= first.VisitsForValue {
		t.Errorf("visits for value %.1f at floor %g (in effect %g), not below %.1f without a floor",
			last.VisitsForValue, last.VisitsPerMaxGap, last.FloorInEffect, first.VisitsForValue)
	}
	if r.Scenario.Region != "hou" || r.Scenario.Days != 6 {
		t.Errorf("frontier scenario = %+v; want hou, 6 days", r.Scenario)
	}
}

// On one plan, the visits above the floors never grow with the floor, and at a floor
// above every mission's visits none are left.
func TestVisitsAboveFloorsNonIncreasing(t *testing.T) {
	p := base(t).Plans.Vigil
	visits, prev := visitsAboveFloors(p, 0)
	if visits <= 0 || prev <= 0 || prev > visits {
		t.Fatalf("visitsAboveFloors(0) = %v, %v; want 0 < above ≤ visits", visits, prev)
	}
	for k := 0.5; k <= MaxFloor; k += 0.5 {
		v, above := visitsAboveFloors(p, k)
		if v != visits || above > prev+1e-9 {
			t.Errorf("visitsAboveFloors(%g) = %v, %v; want %v visits and at most %v above", k, v, above, visits, prev)
		}
		prev = above
	}
	if _, above := visitsAboveFloors(p, 1000); above != 0 {
		t.Errorf("visitsAboveFloors(1000) = %v above; want 0", above)
	}
}

// A frontier run's JSON holds the schema, the scenario and a frontier array, no planners.
func TestFrontierJSONShape(t *testing.T) {
	b, err := json.Marshal(frontierBase(t))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if got := slices.Sorted(maps.Keys(doc)); !slices.Equal(got, []string{"frontier", "scenario", "schema"}) {
		t.Fatalf("frontier JSON keys = %v; want frontier, scenario, schema", got)
	}
	var rows []map[string]json.RawMessage
	if err := json.Unmarshal(doc["frontier"], &rows); err != nil || len(rows) != len(frontierFloorsTest) {
		t.Fatalf("frontier = %d rows, %v; want %d", len(rows), err, len(frontierFloorsTest))
	}
	want := []string{"below_floor", "compliance", "floor_in_effect", "live", "optimum", "price_of_randomness", "ratio",
		"value_share", "visits_for_value", "visits_per_day", "visits_per_max_gap", "worst"}
	if got := slices.Sorted(maps.Keys(rows[0])); !reflect.DeepEqual(got, want) {
		t.Errorf("frontier row keys = %v; want %v", got, want)
	}
	var live map[string]map[string]float64
	if err := json.Unmarshal(rows[0]["live"], &live); err != nil || len(live["30"]) != 3 {
		t.Errorf("frontier live = %v, %v; want interception, ratio, weighted_success by D", live, err)
	}
	// The four planners' JSON has no frontier.
	b, _ = json.Marshal(base(t))
	if bytes.Contains(b, []byte(`"frontier"`)) || !bytes.Contains(b, []byte(`"planners"`)) {
		t.Errorf("a report's JSON has a frontier or lacks planners")
	}
}

func TestWriteFrontierText(t *testing.T) {
	r := frontierBase(t)
	var b bytes.Buffer
	if err := WriteFrontierText(&b, r); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"Frontier of region hou", "in effect", "worst D=30", "live ratio 15/30/60",
		"weighted success 15/30/60", "for value/day", "From 0 to 6 visits per max gap"} {
		if !strings.Contains(out, want) {
			t.Errorf("WriteFrontierText lacks %q:\n%s", want, out)
		}
	}
	lines := strings.Split(out, "\n")
	i := slices.IndexFunc(lines, func(l string) bool { return strings.Contains(l, "in effect") })
	for j, k := range []string{"0.0", "2.0", "4.0", "6.0"} {
		if f := strings.Fields(lines[i+1+j]); len(f) == 0 || f[0] != k {
			t.Errorf("table row %d = %q; want floor %s first", j, lines[i+1+j], k)
		}
	}
}

func TestFrontierChart(t *testing.T) {
	b, err := FrontierChart(frontierBase(t))
	if err != nil {
		t.Fatal(err)
	}
	mustParseXML(t, FrontierChartName, b)
	for _, want := range []string{"Worst mission", "Value-weighted attack success", "memoryless reference", "success D=30", "visits for value"} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("frontier.svg lacks %q", want)
		}
	}
	if _, err := FrontierChart(base(t)); err == nil {
		t.Errorf("FrontierChart of a report without a frontier = nil error")
	}
}

func TestFrontierScenario(t *testing.T) {
	shifts := []scheduler.Shift{{Name: "day", Start: scheduler.Clock{Hour: 6}}}
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	n := func(v int) *int { return &v }
	seven := []float64{6, 5, 4, 3, 2, 1, 0}
	tests := []struct {
		name    string
		d       Draft
		lim     Limits
		wantErr string
	}{
		{"page: 14 days × 7 floors", Draft{Days: n(14), Train: n(7), Frontier: seven}, PageLimits, ""},
		{"page: 15 days × 7 floors", Draft{Days: n(15), Train: n(7), Frontier: seven}, PageLimits, "15 days × 7 floors is 105"},
		{"service: none offered", Draft{Days: n(14), Train: n(7), Frontier: []float64{1}}, ServiceLimits, "frontier: not offered"},
		{"command: twice", Draft{Frontier: []float64{1, 2, 1}}, CommandLimits, "--frontier: floor 1 given twice"},
		{"command: too high", Draft{Frontier: []float64{0, 13}}, CommandLimits, "floor 13: want 0 to 12"},
		{"command: negative", Draft{Frontier: []float64{-1}}, CommandLimits, "floor -1"},
		{"command: too many", Draft{Frontier: []float64{0, .5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5, 6, 6.5, 7}}, CommandLimits, "15 floors; want at most 14"},
	}
	for _, tt := range tests {
		sc, err := ParseScenario(tt.d, tt.lim, shifts, time.UTC, now)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: ParseScenario = %v; want an error with %q", tt.name, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !slices.Equal(sc.Frontier, []float64{0, 1, 2, 3, 4, 5, 6}) {
			t.Errorf("%s: ParseScenario = %v, %v; want floors 0 to 6 in order", tt.name, sc.Frontier, err)
		}
	}
}

func TestParseFloors(t *testing.T) {
	if got, err := ParseFloors(""); err != nil || !slices.Equal(got, DefaultFrontier) {
		t.Errorf(`ParseFloors("") = %v, %v; want %v`, got, err, DefaultFrontier)
	}
	if got, err := ParseFloors("3, 1.5 0"); err != nil || !slices.Equal(got, []float64{3, 1.5, 0}) {
		t.Errorf(`ParseFloors("3, 1.5 0") = %v, %v`, got, err)
	}
	if _, err := ParseFloors("1,two"); err == nil || !strings.Contains(err.Error(), `"two"`) {
		t.Errorf(`ParseFloors("1,two") = %v; want an error naming "two"`, err)
	}
}

// A scenario's floor goes through Apply's checks.
func TestApplyFloor(t *testing.T) {
	in := mustInputs(t, "hou")
	bad := 13.0
	if _, err := (Scenario{Floor: &bad}).Apply(in); err == nil || !strings.Contains(err.Error(), "floor 13") {
		t.Errorf("Apply(floor 13) = %v; want an error naming floor 13", err)
	}
}
