package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
)

func TestSimulateUsage(t *testing.T) {
	base := []string{"simulate", "--region", "hou", "--date", "2026-11-27"}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"simulate"}, "--region is required"},
		{append(base, "--days", "28"), "--days 28: want more than --train 28"},
		{append(base, "--days", "6", "--train", "0"), "--train 0"},
		{append(base, "--days", "6", "--train", "3", "--format", "csv"), `--format "csv"`},
		{append(base, "--days", "6", "--train", "3", "--seed", "xyz"), "--seed"},
		{append(base, "--days", "6", "--train", "3", "--units", "horse=2"), `--units: unknown mode "horse"`},
		{append(base, "--days", "6", "--train", "3", "--units", "vehicle"), `--units: "vehicle" is not name=number`},
		{append(base, "--days", "6", "--train", "3", "--threat", "emb-nowhere=3"), `mission "emb-nowhere" is not in region hou`},
		{append(base, "--days", "6", "--train", "3", "--threat", "cg-france-hou=9"), "want a threat level from 1 to 5"},
		{append(base, "--days", "6", "--train", "3", "--attack", "1"), "--attack 1"},
		{append(base, "--days", "6", "--train", "3", "--incidents", "-1"), "--incidents -1"},
		{append(base, "--days", "6", "--train", "3", "--floors", "1,x"), `--floors: "x" is not a number`},
		{append(base, "--days", "6", "--train", "3", "--frontier", "--floors", "1,20"), "--frontier: floor 20"},
		{[]string{"simulate", "--region", "hou", "--bogus"}, "bogus"},
	}
	for _, tt := range tests {
		code, out, errs := runCLI(t, nil, tt.args...)
		if code != 2 || !strings.Contains(errs, tt.want) {
			t.Errorf("vigil %v = %d, stdout %q, stderr %q; want 2 and %q", tt.args, code, out, errs, tt.want)
		}
	}
}

func TestSimulateJSONAndCharts(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "charts")
	args := []string{"simulate", "--region", "hou", "--date", "2026-11-27", "--days", "6", "--train", "3",
		"--incidents", "20", "--units", "vehicle=4", "--format", "json", "--charts", dir}
	// VIGIL_KEY must play no part in a simulation.
	code, out, errs := runCLI(t, map[string]string{"VIGIL_KEY": testKey}, args...)
	if code != 0 {
		t.Fatalf("vigil %v = %d; stderr %s", args, code, errs)
	}
	var doc struct {
		Schema   string                     `json:"schema"`
		Planners map[string]json.RawMessage `json:"planners"`
		Scenario struct {
			Units map[string]int `json:"units"`
			Seed  string         `json:"seed"`
		} `json:"scenario"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, out)
	}
	var names []string
	for k := range doc.Planners {
		names = append(names, k)
	}
	sort.Strings(names)
	if doc.Schema != "vigil.simulation/v1" || !reflect.DeepEqual(names, []string{"fixed", "rounds", "shuffled", "vigil"}) {
		t.Errorf("simulate JSON schema %q, planners %v; want vigil.simulation/v1 and fixed, rounds, shuffled, vigil", doc.Schema, names)
	}
	if doc.Scenario.Units["vehicle"] != 4 || doc.Scenario.Seed != "5eed" {
		t.Errorf("scenario units %v, seed %q; want vehicle 4 and the default seed 5eed", doc.Scenario.Units, doc.Scenario.Seed)
	}
	for _, n := range []string{"interception.svg", "gaps.svg", "hours.svg", "zones.svg"} {
		p := filepath.Join(dir, n)
		if _, err := os.Stat(p); err != nil {
			t.Errorf("chart %s not written: %v", n, err)
		}
		if !strings.Contains(errs, p) {
			t.Errorf("stderr %q does not name chart %s", errs, p)
		}
	}

	// The same run without the key gives the same report.
	code, again, _ := runCLI(t, nil, args[:len(args)-2]...)
	if code != 0 || again != out {
		t.Errorf("simulate without VIGIL_KEY = %d and a different report; want the same", code)
	}
}

func TestSimulateText(t *testing.T) {
	code, out, errs := runCLI(t, nil, "simulate", "--region", "hou", "--date", "2026-11-27", "--days", "5", "--train", "2", "--incidents", "0")
	if code != 0 {
		t.Fatalf("vigil simulate = %d; stderr %s", code, errs)
	}
	for _, want := range []string{"vigil", "fixed", "shuffled", "compliance", "live D=30: interception", "Vigil intercepts"} {
		if !strings.Contains(out, want) {
			t.Errorf("simulate text lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "response:") {
		t.Errorf("simulate --incidents 0 printed response times:\n%s", out)
	}
}

func TestSimulateFrontier(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "charts")
	args := []string{"simulate", "--region", "hou", "--date", "2026-11-27", "--days", "5", "--train", "2",
		"--floors", "3,0", "--format", "json", "--charts", dir}
	code, out, errs := runCLI(t, nil, args...)
	if code != 0 {
		t.Fatalf("vigil %v = %d; stderr %s", args, code, errs)
	}
	var doc struct {
		Schema   string                     `json:"schema"`
		Planners map[string]json.RawMessage `json:"planners"`
		Frontier []struct {
			Floor float64 `json:"visits_per_max_gap"`
			Worst float64 `json:"worst"`
			Live  map[string]struct {
				Ratio           float64 `json:"ratio"`
				WeightedSuccess float64 `json:"weighted_success"`
			} `json:"live"`
			ForValue float64 `json:"visits_for_value"`
		} `json:"frontier"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, out)
	}
	if doc.Schema != "vigil.simulation/v1" || doc.Planners != nil || len(doc.Frontier) != 2 ||
		doc.Frontier[0].Floor != 0 || doc.Frontier[1].Floor != 3 {
		t.Fatalf("simulate --floors 3,0 JSON = %s; want a frontier of floors 0 and 3, no planners", out)
	}
	for _, f := range doc.Frontier {
		if f.Worst <= 0 || f.Live["30"].Ratio <= 0 || f.Live["60"].WeightedSuccess <= 0 || f.ForValue <= 0 {
			t.Errorf("frontier row %+v: want positive worst, ratios, success and visits for value", f)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "frontier.svg")); err != nil {
		t.Errorf("frontier.svg not written: %v", err)
	}
	for _, want := range []string{"frontier: floor 0 done (1 of 2)", "frontier: floor 3 done (2 of 2)", "frontier.svg"} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr %q lacks %q", errs, want)
		}
	}

	code, out, errs = runCLI(t, nil, "simulate", "--region", "hou", "--date", "2026-11-27", "--days", "5", "--train", "2", "--frontier", "--floors", "0,1")
	if code != 0 || !strings.Contains(out, "live ratio 15/30/60") || !strings.Contains(out, "From 0 to 1 visits per max gap") {
		t.Errorf("simulate --frontier text = %d:\n%s\nstderr %s", code, out, errs)
	}
}

func TestSimulateInterrupted(t *testing.T) {
	var out, errb bytes.Buffer
	e := &env{getenv: func(string) string { return "" }, stdout: &out, stderr: &errb,
		clock: clockwork.NewFakeClockAt(time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC))}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // as if Ctrl-C came at once
	code := exitCode(run(ctx, []string{"simulate", "--region", "hou", "--days", "6", "--train", "3"}, e), &errb)
	if code != 1 || !strings.Contains(errb.String(), "interrupted") || out.Len() != 0 {
		t.Errorf("interrupted simulate = %d, stdout %q, stderr %q; want 1, nothing, \"interrupted\"", code, out.String(), errb.String())
	}
}
