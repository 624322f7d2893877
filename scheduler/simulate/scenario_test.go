package simulate

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"vigil/scheduler"
)

func TestParsePairs(t *testing.T) {
	tests := []struct {
		in      string
		want    map[string]int
		wantErr string
	}{
		{"", nil, ""},
		{"vehicle=10,foot=2", map[string]int{"vehicle": 10, "foot": 2}, ""},
		{" emb-fr = 5\nemb-de=4 emb-it=3", map[string]int{"emb-fr": 5, "emb-de": 4, "emb-it": 3}, ""},
		{"vehicle", nil, `"vehicle" is not name=number`},
		{"vehicle=x", nil, "not a whole number"},
		{"a=1,a=2", nil, "a given twice"},
	}
	for _, tt := range tests {
		got, err := ParsePairs(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParsePairs(%q) = %v, %v; want an error with %q", tt.in, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !cmp.Equal(got, tt.want) {
			t.Errorf("ParsePairs(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestParseScenario(t *testing.T) {
	loc := time.UTC
	shifts := []scheduler.Shift{{Name: "day", Start: scheduler.Clock{Hour: 6}}}
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, loc)
	n := func(v int) *int { return &v }
	tests := []struct {
		name    string
		d       Draft
		lim     Limits
		wantErr string
	}{
		{"defaults", Draft{}, ServiceLimits, ""},
		{"train 0 given", Draft{Train: n(0)}, CommandLimits, "--train 0"},
		{"days over the service limit", Draft{Days: n(121), Train: n(2)}, ServiceLimits, "days 121"},
		{"days within the command limit", Draft{Days: n(121), Train: n(2)}, CommandLimits, ""},
		{"days not more than train", Draft{Days: n(28)}, CommandLimits, "--days 28: want more than --train 28"},
		{"attack", Draft{Attack: n(1)}, ServiceLimits, "attack 1"},
		{"incidents", Draft{Incidents: n(5000)}, ServiceLimits, "incidents 5000"},
		{"seed", Draft{Seed: "xyz"}, ServiceLimits, "seed"},
		{"unit mode", Draft{Units: map[string]int{"horse": 2}}, CommandLimits, `--units: unknown mode "horse"`},
		{"threat level", Draft{Threat: map[string]int{"emb-fr": 9}}, ServiceLimits, "want a threat level from 1 to 5"},
		{"far date", Draft{Date: "2199-01-01"}, ServiceLimits, "date 2199-01-01"},
		{"far date from the CLI", Draft{Date: "2199-01-01"}, CommandLimits, ""},
	}
	for _, tt := range tests {
		sc, err := ParseScenario(tt.d, tt.lim, shifts, loc, now)
		if tt.wantErr == "" {
			if err != nil {
				t.Errorf("%s: ParseScenario = %v; want no error", tt.name, err)
			}
			continue
		}
		if _, ok := err.(*ScenarioError); !ok || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%s: ParseScenario = %+v, %v; want a *ScenarioError with %q", tt.name, sc, err, tt.wantErr)
		}
	}
	sc, err := ParseScenario(Draft{}, ServiceLimits, shifts, loc, now)
	want := Scenario{From: scheduler.Date{Year: 2026, Month: 11, Day: 28}, Days: 2 * DefaultTrain, Train: DefaultTrain,
		Attack: DefaultAttack, Incidents: DefaultIncidents, Seed: []byte{0x5e, 0xed}}
	if err != nil || !cmp.Equal(sc, want, cmp.Comparer(func(a, b func(int, int)) bool { return a == nil && b == nil })) {
		t.Errorf("ParseScenario(defaults) = %+v, %v; want %+v", sc, err, want)
	}
}
