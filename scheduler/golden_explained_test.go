package scheduler

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// Goldens of small plans whose every visit the test explains (issue 19): a one-mission
// region and a two-mission region, each served by one vehicle in every shift, planned for
// two days. For every presence the test states, and asserts, why it may be at that minute:
// its dwell is in the profile's range; the first of the day starts within G/2 of the day's
// start and the last ends within G/2 of its end (the boundary contract); each starts
// within G of the previous one's end (the gap); the unit can get there from its previous
// visit (travel). Within the window those rules leave, the minute is the keyed random
// draw's. The explanation lines are the golden (testdata/*.explained.txt, -update
// rewrites them): a change of plan shows as a readable diff of reasons, and the
// properties are checked whether or not the golden still matches.

type explained struct {
	mission    string
	arrive     int // minute of the service day
	depart     int
	unit       string
	prevUnitAt int    // the unit's previous departure (minute), -1 none
	prevUnitM  string // and mission
}

func explainPlan(t *testing.T, in Inputs, p *Plan) []string {
	t.Helper()
	travel := TravelModel(in.Force)
	idx := map[string]Mission{}
	for _, m := range in.Missions {
		idx[m.ID] = m
	}
	var lines []string
	for _, sd := range p.ServiceDays {
		dayMin := int(sd.End.Sub(sd.Start) / time.Minute)
		minute := func(x time.Time) int { return int(x.Sub(sd.Start) / time.Minute) }
		lines = append(lines, fmt.Sprintf("day %s: %d minutes from %s", sd.Date, dayMin, sd.Start.Format("2006-01-02 15:04 MST")))
		// Each unit's visits in time order, a visit split at a shift change (the same
		// mission continued at the same minute) joined.
		byUnit := map[string][]explained{}
		for _, r := range sd.Routes {
			for _, v := range r.Visits {
				byUnit[r.Unit] = append(byUnit[r.Unit], explained{mission: v.Mission, arrive: minute(v.Arrive), depart: minute(v.Depart), unit: r.Unit})
			}
		}
		var all []explained
		units := make([]string, 0, len(byUnit))
		for u := range byUnit {
			units = append(units, u)
		}
		sort.Strings(units)
		for _, u := range units {
			vs := byUnit[u]
			sort.Slice(vs, func(i, j int) bool { return vs[i].arrive < vs[j].arrive })
			var joined []explained
			for _, v := range vs {
				if n := len(joined); n > 0 && joined[n-1].mission == v.mission && joined[n-1].depart == v.arrive {
					joined[n-1].depart = v.depart
					continue
				}
				v.prevUnitAt = -1
				if n := len(joined); n > 0 {
					v.prevUnitAt, v.prevUnitM = joined[n-1].depart, joined[n-1].mission
				}
				joined = append(joined, v)
			}
			all = append(all, joined...)
		}
		sort.Slice(all, func(i, j int) bool {
			if all[i].mission != all[j].mission {
				return all[i].mission < all[j].mission
			}
			return all[i].arrive < all[j].arrive
		})
		for i, v := range all {
			m := idx[v.mission]
			pr := in.Force.Profiles[m.Threat]
			G := pr.MaxGapMinutes
			var why []string
			dw := v.depart - v.arrive
			if dw < pr.DwellMinutes[0] || dw > pr.DwellMinutes[1] {
				t.Errorf("%s %s at %d: dwell %d outside %v", sd.Date, v.mission, v.arrive, dw, pr.DwellMinutes)
			}
			why = append(why, fmt.Sprintf("dwell %d in %d–%d", dw, pr.DwellMinutes[0], pr.DwellMinutes[1]))
			first := i == 0 || all[i-1].mission != v.mission
			last := i == len(all)-1 || all[i+1].mission != v.mission
			if first {
				if v.arrive > G/2 {
					t.Errorf("%s %s: first presence at minute %d > G/2 = %d", sd.Date, v.mission, v.arrive, G/2)
				}
				why = append(why, fmt.Sprintf("first: starts %d ≤ G/2 = %d after the day's start", v.arrive, G/2))
			} else {
				gap := v.arrive - all[i-1].depart
				if gap > G {
					t.Errorf("%s %s: gap %d > G = %d before minute %d", sd.Date, v.mission, gap, G, v.arrive)
				}
				why = append(why, fmt.Sprintf("gap %d ≤ G = %d", gap, G))
			}
			if last {
				if dayMin-v.depart > G/2 {
					t.Errorf("%s %s: last presence ends %d min before the end > G/2 = %d", sd.Date, v.mission, dayMin-v.depart, G/2)
				}
				why = append(why, fmt.Sprintf("last: ends %d ≤ G/2 = %d before the day's end", dayMin-v.depart, G/2))
			}
			if v.prevUnitAt >= 0 {
				need := 0
				if v.prevUnitM != v.mission {
					need = travel(Vehicle).Minutes(MissionPoint(idx[v.prevUnitM]), MissionPoint(m))
				}
				if v.arrive-v.prevUnitAt < need {
					t.Errorf("%s %s at %d: %d min after %s, travel needs %d", sd.Date, v.mission, v.arrive, v.arrive-v.prevUnitAt, v.prevUnitM, need)
				}
				why = append(why, fmt.Sprintf("%s left %s %d min before, travel %d", v.unit, v.prevUnitM, v.arrive-v.prevUnitAt, need))
			} else {
				why = append(why, v.unit+"'s first visit of the day")
			}
			lines = append(lines, fmt.Sprintf("  %s %4d–%4d  %s", v.mission, v.arrive, v.depart, strings.Join(why, "; ")))
		}
		// The minimum: as many presences as the profile asks over the day.
		for _, m := range in.Missions {
			n := 0
			for _, v := range all {
				if v.mission == m.ID {
					n++
				}
			}
			want := int(MinimumVisits(in.Force.Profiles[m.Threat], float64(dayMin)))
			if n < want {
				t.Errorf("%s %s: %d presences; want at least %d", sd.Date, m.ID, n, want)
			}
			lines = append(lines, fmt.Sprintf("  %s: %d presences ≥ minimum %d", m.ID, n, want))
		}
	}
	return lines
}

func TestGoldenExplained(t *testing.T) {
	for _, tc := range []struct {
		name    string
		threats map[string]int
	}{
		{"one_mission", map[string]int{"emb-a": 3}},
		{"two_missions", map[string]int{"emb-a": 3, "emb-b": 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := edgeInputs(t, tc.threats)
			p := mustPlan(t, in, []byte("explained"), edgeDate, 2)
			if vs := Verify(in, p); len(vs) > 0 {
				t.Fatalf("Verify = %v", vs)
			}
			got := strings.Join(explainPlan(t, in, p), "\n") + "\n"
			path := filepath.Join("testdata", "small_"+tc.name+".explained.txt")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -run TestGoldenExplained -update)", err)
			}
			if got != string(want) {
				t.Errorf("the plan's visits differ from %s (the properties above held); run go test -run TestGoldenExplained -update and review the reasons:\n%s", path, got)
			}
		})
	}
}
