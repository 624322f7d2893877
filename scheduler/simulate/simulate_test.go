package simulate

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"vigil/fixtures"
	"vigil/scheduler"
)

// mustInputs returns the shipped inputs of a region.
func mustInputs(tb testing.TB, region string) scheduler.Inputs {
	tb.Helper()
	ds, err := fixtures.Default()
	if err != nil {
		tb.Fatalf("fixtures.Default() = %v", err)
	}
	in, err := ds.Inputs(region)
	if err != nil {
		tb.Fatalf("Inputs(%q) = %v", region, err)
	}
	return in
}

func mustDate(tb testing.TB, s string) scheduler.Date {
	tb.Helper()
	d, err := scheduler.ParseDate(s)
	if err != nil {
		tb.Fatalf("ParseDate(%q) = %v", s, err)
	}
	return d
}

// small is a fast scenario on hou: 6 days, 3 of them training.
func small(tb testing.TB) Scenario {
	return Scenario{From: mustDate(tb, "2026-11-27"), Days: 6, Train: 3, Incidents: 20}
}

func mustRun(tb testing.TB, in scheduler.Inputs, sc Scenario) *Result {
	tb.Helper()
	r, err := Run(context.Background(), in, sc)
	if err != nil {
		tb.Fatalf("Run(%s, %+v) = %v", in.Office.ID, sc, err)
	}
	return r
}

var (
	baseOnce   sync.Once
	baseResult *Result
	baseErr    error
)

// base returns the result of small(t) on hou, computed once for the tests that only read it.
func base(tb testing.TB) *Result {
	tb.Helper()
	baseOnce.Do(func() {
		baseResult, baseErr = Run(context.Background(), mustInputs(tb, "hou"), small(tb))
	})
	if baseErr != nil {
		tb.Fatalf("Run(hou, small) = %v", baseErr)
	}
	return baseResult
}

func visitsAt(p *scheduler.Plan, mission string) int {
	n := 0
	for _, d := range p.ServiceDays {
		for _, r := range d.Routes {
			for _, v := range r.Visits {
				if v.Mission == mission {
					n++
				}
			}
		}
	}
	return n
}

func TestMoreUnitsMoreVisitsAndInterception(t *testing.T) {
	in := mustInputs(t, "hou")
	base := base(t)
	sc := small(t)
	sc.Units = map[scheduler.Mode]int{scheduler.Vehicle: in.Force.Units[scheduler.Vehicle] * 2}
	more := mustRun(t, in, sc)
	if got, want := more.Scenario.Units["vehicle"], 2*in.Force.Units[scheduler.Vehicle]; got != want {
		t.Errorf("Scenario.Units[vehicle] = %d; want %d", got, want)
	}
	if more.Scenario.VisitsPerDay <= base.Scenario.VisitsPerDay {
		t.Errorf("visits a day with twice the vehicles = %.1f; want more than %.1f", more.Scenario.VisitsPerDay, base.Scenario.VisitsPerDay)
	}
	for _, d := range []string{"15", "30", "60"} {
		if m, b := more.Planners.Vigil.Live[d].Interception, base.Planners.Vigil.Live[d].Interception; m < b {
			t.Errorf("live D=%s interception with twice the vehicles = %.3f; want at least %.3f", d, m, b)
		}
	}
	if more.Scenario.Officers < more.Scenario.OfficersGiven {
		t.Errorf("officers %d below the force's %d", more.Scenario.Officers, more.Scenario.OfficersGiven)
	}
	if in.Force.Units[scheduler.Vehicle] == sc.Units[scheduler.Vehicle] {
		t.Errorf("Run changed the caller's inputs: units %v", in.Force.Units)
	}
}

func TestRaisedThreatMoreVisits(t *testing.T) {
	in := mustInputs(t, "hou")
	// The lowest-threat mission, raised to level 4.
	low := slices.MinFunc(in.Missions, func(a, b scheduler.Mission) int { return a.Threat - b.Threat })
	if low.Threat >= 4 {
		t.Fatalf("hou's lowest threat is %d; the test needs one below 4", low.Threat)
	}
	base := base(t)
	sc := small(t)
	sc.Threat = map[string]int{low.ID: 4}
	raised := mustRun(t, in, sc)
	b, r := visitsAt(base.Plans.Vigil, low.ID), visitsAt(raised.Plans.Vigil, low.ID)
	floor := in.Force.Profiles[4].VisitsPerDay * sc.Days
	if r <= b || r < floor {
		t.Errorf("visits at %s raised from threat %d to 4 = %d; want more than %d (and at least %d)", low.ID, low.Threat, r, b, floor)
	}
	if got := raised.Scenario.Threat[low.ID]; got != 4 {
		t.Errorf("Scenario.Threat[%s] = %d; want 4", low.ID, got)
	}
	for _, m := range in.Missions {
		if m.ID == low.ID && m.Threat == 4 {
			t.Errorf("Run changed the caller's mission %s", m.ID)
		}
	}
}

func marshal(tb testing.TB, r *Result) []byte {
	tb.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		tb.Fatalf("json.Marshal(result) = %v", err)
	}
	return b
}

func TestSeedReproducible(t *testing.T) {
	in := mustInputs(t, "hou")
	first := base(t)
	a := marshal(t, first)
	b := marshal(t, mustRun(t, in, small(t)))
	if !bytes.Equal(a, b) {
		t.Errorf("two runs with the same seed differ:\n%s\n%s", a, b)
	}
	sc := small(t)
	sc.Seed = []byte{0x01, 0x02}
	other := mustRun(t, in, sc)
	pa, _ := json.Marshal(first.Plans.Vigil.ServiceDays)
	pb, _ := json.Marshal(other.Plans.Vigil.ServiceDays)
	if bytes.Equal(pa, pb) {
		t.Errorf("seeds %s and 0102 planned the same days", DefaultSeed)
	}
	if other.Scenario.Seed != "0102" {
		t.Errorf("Scenario.Seed = %q; want 0102", other.Scenario.Seed)
	}
}

func TestSeedIsNotTheLiveKey(t *testing.T) {
	seed, err := ParseSeed(strings.Repeat("ab", 32))
	if err != nil {
		t.Fatalf("ParseSeed = %v", err)
	}
	if bytes.Equal(PlanKey(seed), scheduler.PlanKey(seed)) {
		t.Errorf("PlanKey(seed) equals the live plan key of the same bytes")
	}
}

func TestParseSeed(t *testing.T) {
	tests := []struct {
		in   string
		want []byte
		ok   bool
	}{
		{"", []byte{0x5e, 0xed}, true},
		{"00ff", []byte{0x00, 0xff}, true},
		{" 0A ", []byte{0x0a}, true},
		{"abc", nil, false},
		{"zz", nil, false},
		{strings.Repeat("0", 130), nil, false},
	}
	for _, tt := range tests {
		got, err := ParseSeed(tt.in)
		if (err == nil) != tt.ok || (tt.ok && !bytes.Equal(got, tt.want)) {
			t.Errorf("ParseSeed(%q) = %x, %v; want %x, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

// keysOf returns the sorted keys of a JSON object.
func keysOf(tb testing.TB, raw json.RawMessage) []string {
	tb.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		tb.Fatalf("not a JSON object: %s", raw)
	}
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func TestJSONShape(t *testing.T) {
	sc := small(t)
	sc.Attack = 45
	var calls [][2]int
	sc.Progress = func(done, total int) { calls = append(calls, [2]int{done, total}) }
	b := marshal(t, mustRun(t, mustInputs(t, "hou"), sc))
	if len(calls) != sc.Days+4 {
		t.Errorf("progress called %d times; want %d", len(calls), sc.Days+4)
	}
	for i, c := range calls {
		if c != [2]int{i + 1, sc.Days + 4} {
			t.Errorf("progress call %d = %v; want %v", i, c, [2]int{i + 1, sc.Days + 4})
		}
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(b, &top); err != nil {
		t.Fatal(err)
	}
	if got := string(top["schema"]); got != `"vigil.simulation/v1"` {
		t.Errorf("schema = %s; want \"vigil.simulation/v1\"", got)
	}
	if got, want := keysOf(t, b), []string{"planners", "scenario", "schema"}; !reflect.DeepEqual(got, want) {
		t.Errorf("top-level keys = %v; want %v", got, want)
	}
	planners := top["planners"]
	if got, want := keysOf(t, planners), []string{"fixed", "rounds", "shuffled", "vigil"}; !reflect.DeepEqual(got, want) {
		t.Errorf("planners keys = %v; want %v", got, want)
	}
	var ps map[string]json.RawMessage
	json.Unmarshal(planners, &ps)
	for name, raw := range ps {
		var rep map[string]json.RawMessage
		json.Unmarshal(raw, &rep)
		checks := []struct {
			what string
			raw  json.RawMessage
			want []string
		}{
			{"report", raw, []string{"compliance", "efficiency", "historical", "live", "minimax", "posts", "response"}},
			{"historical", rep["historical"], []string{"interception", "random_window", "ratio"}},
			{"live", rep["live"], []string{"15", "30", "45", "60"}},
			{"minimax", rep["minimax"], []string{"below_floor", "optimum", "optimum_without_floor", "price_of_randomness", "ratio", "visits_per_max_gap", "worst"}},
		}
		for _, c := range checks {
			if got := keysOf(t, c.raw); !reflect.DeepEqual(got, c.want) {
				t.Errorf("%s %s keys = %v; want %v", name, c.what, got, c.want)
			}
		}
		var live map[string]json.RawMessage
		json.Unmarshal(rep["live"], &live)
		for d, l := range live {
			want := []string{"interception", "memoryless_reference", "ratio", "weighted_success"}
			if got := keysOf(t, l); !reflect.DeepEqual(got, want) {
				t.Errorf("%s live %s keys = %v; want %v", name, d, got, want)
			}
		}
	}
}

func TestRunErrors(t *testing.T) {
	in := mustInputs(t, "hou")
	tests := []struct {
		name string
		edit func(*Scenario)
		want string
	}{
		{"no test days", func(s *Scenario) { s.Days = 3 }, "more than the 3 training days"},
		{"unknown mission", func(s *Scenario) { s.Threat = map[string]int{"emb-nowhere": 3} }, `mission "emb-nowhere" is not in region hou`},
		{"bad level", func(s *Scenario) { s.Threat = map[string]int{in.Missions[0].ID: 6} }, "want a level from 1 to 5"},
		{"unknown mode", func(s *Scenario) { s.Units = map[scheduler.Mode]int{"horse": 2} }, `unknown mode "horse"`},
		{"negative units", func(s *Scenario) { s.Units = map[scheduler.Mode]int{scheduler.Vehicle: -1} }, "want 0 to 999"},
		{"short attack", func(s *Scenario) { s.Attack = 2 }, "attack 2 minutes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := small(t)
			tt.edit(&sc)
			_, err := Run(context.Background(), in, sc)
			var se *ScenarioError
			if !errors.As(err, &se) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Run(%+v) = %v; want a *ScenarioError containing %q", sc, err, tt.want)
			}
		})
	}
}

func TestRunCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	sc := small(t)
	sc.Progress = func(done, total int) {
		if done == 2 {
			cancel()
		}
	}
	r, err := Run(ctx, mustInputs(t, "hou"), sc)
	if !errors.Is(err, context.Canceled) || r != nil {
		t.Errorf("Run cancelled after 2 days = %v, %v; want nil, context.Canceled", r, err)
	}
}

func TestWriteText(t *testing.T) {
	r := base(t)
	var b bytes.Buffer
	if err := WriteText(&b, r); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"vigil", "fixed", "shuffled", "compliance", "historical D=30: interception",
		"live D=15: interception", "live D=60: interception", "memoryless reference", "weighted success",
		"minimax D=30: worst", "km per visit", "response: p50 minutes", "longest block run", "Vigil intercepts",
		"rounds", "Value-weighted attack success, Vigil against rounds", "live D=15: ", "against rounds'"} {
		if !strings.Contains(out, want) {
			t.Errorf("WriteText output lacks %q:\n%s", want, out)
		}
	}
	if last := strings.TrimSpace(out[strings.LastIndex(strings.TrimSpace(out), "\n"):]); !strings.Contains(last, "compliance") || !strings.HasSuffix(last, ".") {
		t.Errorf("last line = %q; want one sentence on interception and compliance", last)
	}
}

func TestSummary(t *testing.T) {
	rep := func(live, hist, comp float64) scheduler.Report {
		return scheduler.Report{Compliance: comp, Historical: scheduler.HistoricalReport{Interception: hist},
			Live: map[string]scheduler.LiveReport{"30": {Interception: live}}}
	}
	tests := []struct {
		v, f, s scheduler.Report
		want    []string
	}{
		{rep(0.42, 0.3, 1), rep(0.2, 0.1, 1), rep(0.21, 0.3, 1),
			[]string{"42.0% of live 30-minute attacks", "2.1× the fixed roster's 20.0%", "2.0× shuffled tours' 21.0%", "the same as shuffled tours' 30.0%", "at equal compliance (100.0%)"}},
		{rep(0.376, 0.327, 1), rep(0.089, 0, 1), rep(0.333, 0.314, 0.88),
			[]string{"1.1× shuffled tours' 33.3%", "1.3 points above shuffled tours' 31.4%", "at equal or better compliance"}},
		{rep(0.30, 0.31, 1), rep(0.1, 0.1, 1), rep(0.1, 0.32, 1),
			[]string{"1.0 points below shuffled tours' 32.0%"}},
		{rep(0.3, 0.2, 1), rep(0, 0, 0.9), rep(0.1, 0.1, 1),
			[]string{"where the fixed roster intercepts none", "at equal or better compliance (100.0% against 90.0% and 100.0%)"}},
		{rep(0.3, 0.2, 0.8), rep(0.1, 0.1, 0.9), rep(0.1, 0, 1),
			[]string{"where shuffled tours intercept none", "but at lower compliance"}},
		// A base under 0.05 % prints as 0.0%: a ratio to it would read "9165.4×".
		{rep(0.366, 0.3, 1), rep(0.00004, 0.0004, 1), rep(0.3, 0.3, 1),
			[]string{"36.6 points above the fixed roster's 0.0%", "30.0 points above the fixed roster's 0.0%"}},
	}
	for _, tt := range tests {
		r := &Result{Scenario: ScenarioInfo{AttackMinutes: 30}, Planners: Planners{Vigil: tt.v, Fixed: tt.f, Shuffled: tt.s}}
		got := Summary(r)
		if strings.Contains(got, "×") && strings.Contains(got, "× the fixed roster's 0.0%") {
			t.Errorf("Summary = %q; a ratio to 0.0%%", got)
		}
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("Summary(%+v) = %q; want it to contain %q", r.Planners, got, w)
			}
		}
	}
}

// The summary compares Vigil's value-weighted attack success with rounds', in points and
// per cent (lower is better).
func TestSummaryAgainstRounds(t *testing.T) {
	rep := func(success float64) scheduler.Report {
		return scheduler.Report{Compliance: 1, Live: map[string]scheduler.LiveReport{"30": {Interception: 0.3, WeightedSuccess: success}}}
	}
	r := &Result{Scenario: ScenarioInfo{AttackMinutes: 30}, Planners: Planners{Vigil: rep(0.518), Fixed: rep(0.7), Shuffled: rep(0.6), Rounds: rep(0.686)}}
	if got, want := Summary(r), "value-weighted attack success 51.8% against rounds' 68.6%, 16.8 points lower (24 % below rounds)"; !strings.Contains(got, want) {
		t.Errorf("Summary = %q; want it to contain %q", got, want)
	}
	tests := []struct {
		a, b float64
		want string
	}{
		{0.518, 0.686, "16.8 points lower (24 % below rounds)"},
		{0.7, 0.5, "20.0 points higher (40 % above rounds)"},
		{0.3, 0.3002, "the same as rounds"},
		{0.2, 0.0003, "20.0 points higher"}, // no per cent of a base printed as 0.0%
	}
	for _, tt := range tests {
		if got := successVersus(tt.a, tt.b, "rounds"); got != tt.want {
			t.Errorf("successVersus(%v, %v) = %q; want %q", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestVersusInPointsWhenBaseRoundsToZero(t *testing.T) {
	tests := []struct {
		a, b float64
		want string
	}{
		{0.916540, 0.0001, "91.6 points above the fixed roster's 0.0%"},
		{0.0002, 0.0004, "the same as the fixed roster's 0.0%"},
		{0.3, 0.0005, "600.0× the fixed roster's 0.1%"}, // prints as 0.1%: a ratio to it is said
		{0.3, 0, "where the fixed roster intercepts none"},
	}
	for _, tt := range tests {
		if got := versus(tt.a, tt.b, fixedNames); got != tt.want {
			t.Errorf("versus(%v, %v) = %q; want %q", tt.a, tt.b, got, tt.want)
		}
	}
}

// mustParseXML fails unless b is well-formed XML with an <svg> root.
func mustParseXML(t *testing.T, name string, b []byte) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(b))
	root := ""
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s is not well-formed XML: %v", name, err)
		}
		if se, ok := tok.(xml.StartElement); ok && root == "" {
			root = se.Name.Local
			if se.Name.Space != "http://www.w3.org/2000/svg" {
				t.Errorf("%s root namespace = %q; want the SVG namespace", name, se.Name.Space)
			}
		}
	}
	if root != "svg" {
		t.Errorf("%s root element = %q; want svg", name, root)
	}
}

func TestWriteCharts(t *testing.T) {
	r := base(t)
	dir := filepath.Join(t.TempDir(), "charts")
	paths, err := WriteCharts(dir, r)
	if err != nil {
		t.Fatalf("WriteCharts = %v", err)
	}
	var names []string
	for _, p := range paths {
		names = append(names, filepath.Base(p))
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		mustParseXML(t, p, b)
	}
	if want := []string{"interception.svg", "gaps.svg", "hours.svg", "zones.svg"}; !reflect.DeepEqual(names, want) {
		t.Errorf("WriteCharts wrote %v; want %v", names, want)
	}
	zones, _ := os.ReadFile(filepath.Join(dir, "zones.svg"))
	if n := strings.Count(string(zones), "<path "); n != len(r.Plans.Vigil.Zones) {
		t.Errorf("zones.svg has %d zone shapes; want %d", n, len(r.Plans.Vigil.Zones))
	}
	if n := strings.Count(string(zones), "<circle "); n != len(r.Inputs.Missions) {
		t.Errorf("zones.svg has %d mission dots; want %d", n, len(r.Inputs.Missions))
	}
}

func TestSVGEscapes(t *testing.T) {
	p := newPlot(`a <b> & "c"`, "x < y", "y & z", 1, ticks(1, 2), pctLabel)
	b, err := render(p, []series{{name: `<vigil> & "co"`, colour: rgb("#000000"), width: 1}}, false)
	if err != nil {
		t.Fatalf("render = %v", err)
	}
	mustParseXML(t, "escaped", b)
}

func TestRamp(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{{-1, "#d73027"}, {0, "#d73027"}, {0.5, "#fee08b"}, {1, "#1a9850"}, {2, "#1a9850"}}
	for _, tt := range tests {
		if got := ramp(tt.in); got != tt.want {
			t.Errorf("ramp(%v) = %s; want %s", tt.in, got, tt.want)
		}
	}
}

// BenchmarkSimulateWFO365 simulates a year of wfo: 365 planned days, both baselines and
// every measure for the three planners (target: at most 60 s an iteration).
func BenchmarkSimulateWFO365(b *testing.B) {
	in := mustInputs(b, "wfo")
	sc := Scenario{From: mustDate(b, "2026-01-01"), Days: 365, Incidents: DefaultIncidents}
	for b.Loop() {
		if _, err := Run(context.Background(), in, sc); err != nil {
			b.Fatal(err)
		}
	}
}

// TestRoundsPlanner checks that the rounds baseline is measured like the others: the same
// routes and visit totals as Vigil's plan, every zone mission walked, and a report.
func TestRoundsPlanner(t *testing.T) {
	r := base(t)
	v, ro := r.Plans.Vigil, r.Plans.Rounds
	if ro == nil {
		t.Fatal("Plans.Rounds = nil; want the rounds baseline")
	}
	for k, d := range v.ServiceDays {
		if len(ro.ServiceDays[k].Routes) != len(d.Routes) {
			t.Fatalf("day %d: rounds has %d routes; want %d", k, len(ro.ServiceDays[k].Routes), len(d.Routes))
		}
		for i, rt := range d.Routes {
			got := ro.ServiceDays[k].Routes[i]
			if got.Unit != rt.Unit || got.Shift != rt.Shift || len(got.Visits) != len(rt.Visits) {
				t.Errorf("day %d route %d: rounds %s/%s with %d visits; want %s/%s with %d", k, i, got.Unit, got.Shift, len(got.Visits), rt.Unit, rt.Shift, len(rt.Visits))
			}
		}
	}
	// Rounds spread the visits over every mission of a zone, weighted or not.
	for _, m := range v.Missions {
		if visitsAt(ro, m.ID) == 0 {
			t.Errorf("rounds never visit %s; want every zone mission walked", m.ID)
		}
	}
	rep := r.Planners.Rounds
	if rep.Compliance <= 0 || rep.Compliance > 1 || len(rep.Live) != len(r.Scenario.LiveMinutes) || rep.Minimax.Worst <= 0 {
		t.Errorf("Planners.Rounds = %+v; want a measured report", rep)
	}
}
