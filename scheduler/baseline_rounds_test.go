package scheduler

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestRoundsBaseline checks the rounds baseline of DESIGN.md §4 on a zone of five
// missions whose routes visit only three of them, unevenly: every route keeps its visit
// total, walks all five in rounds (each once a round, a fresh order each round), evenly
// spaced with the route's mean dwell.
func TestRoundsBaseline(t *testing.T) {
	loc := mtLoc(t, "America/New_York")
	zone := []string{"a", "b", "c", "d", "e"}
	var missions []PlanMission
	for i, id := range zone {
		m := mtMission(id, float64(1+i), 1, 1440)
		m.Lat += float64(i) / 100
		m.Zone = "z1"
		missions = append(missions, m)
	}
	missions = append(missions, mtMission("x", 1, 1, 1440)) // in no zone
	p := mtPlan(t, "America/New_York", "2026-11-27", 3, missions, nil)
	p.Zones = []PlanZone{{ID: "z1", Missions: zone}}
	for k := range p.ServiceDays {
		sd := &p.ServiceDays[k]
		for si, w := range ShiftWindows(DateOf(sd.Start), DefaultShifts(), loc) {
			for u, n := range []int{12, 5, 3} { // visits per route: rounds of 5, one round, a partial one
				rt := Route{Unit: []string{"v1", "v2", "v3"}[u], Mode: Vehicle, Shift: w.Name, Zone: "z1",
					Officers: []string{"o"}, Start: w.Start, End: w.End}
				for i := range n + si {
					a := w.Start.Add(time.Duration(10+i*25) * time.Minute)
					// Only a, b, c, a heavy on a: what a value-weighted planner might do.
					rt.Visits = append(rt.Visits, Visit{Mission: []string{"a", "a", "b", "c"}[i%4], Arrive: a, Depart: a.Add(time.Duration(8+2*(i%3)) * time.Minute)})
				}
				sd.Routes = append(sd.Routes, rt)
			}
		}
		// A route outside any listed zone walks the missions it visits.
		w := ShiftWindows(DateOf(sd.Start), DefaultShifts(), loc)[0]
		sd.Routes = append(sd.Routes, Route{Unit: "f1", Mode: Foot, Shift: w.Name, Zone: "gone", Officers: []string{"o"}, Start: w.Start, End: w.End,
			Visits: []Visit{{Mission: "x", Arrive: w.Start, Depart: w.Start.Add(10 * time.Minute)}, {Mission: "x", Arrive: w.Start.Add(time.Hour), Depart: w.Start.Add(70 * time.Minute)}}})
	}
	r1, err := RoundsBaseline(p, rand.New(rand.NewChaCha8([32]byte{5})))
	if err != nil {
		t.Fatal(err)
	}
	r2, _ := RoundsBaseline(p, rand.New(rand.NewChaCha8([32]byte{5})))
	orders := map[string]bool{} // the orders of the full rounds seen
	for k, sd := range r1.ServiceDays {
		if len(sd.Routes) != len(p.ServiceDays[k].Routes) {
			t.Fatalf("day %d: %d routes; want %d", k, len(sd.Routes), len(p.ServiceDays[k].Routes))
		}
		for ri, rt := range sd.Routes {
			orig := p.ServiceDays[k].Routes[ri]
			if rt.Unit != orig.Unit || rt.Shift != orig.Shift || !rt.Start.Equal(orig.Start) || !rt.End.Equal(orig.End) {
				t.Errorf("day %d route %d = %s %s; want %s %s", k, ri, rt.Unit, rt.Shift, orig.Unit, orig.Shift)
			}
			if len(rt.Visits) != len(orig.Visits) {
				t.Errorf("day %d route %s/%s: %d visits; want the plan's %d", k, rt.Unit, rt.Shift, len(rt.Visits), len(orig.Visits))
				continue
			}
			walk := zone
			if rt.Zone == "gone" {
				walk = []string{"x"}
			}
			// Every round holds each mission of the zone once; the last one, partial,
			// holds distinct missions.
			for j := 0; j < len(rt.Visits); j += len(walk) {
				var round []string
				for _, v := range rt.Visits[j:min(j+len(walk), len(rt.Visits))] {
					round = append(round, v.Mission)
				}
				if len(round) == len(walk) {
					orders[strings.Join(round, ",")] = true
				}
				sorted := slices.Sorted(slices.Values(round))
				if len(slices.Compact(slices.Clone(sorted))) != len(sorted) {
					t.Errorf("day %d route %s/%s round %d = %v; want each mission once", k, rt.Unit, rt.Shift, j/len(walk), round)
				}
				for _, m := range round {
					if !slices.Contains(walk, m) {
						t.Errorf("day %d route %s/%s visits %s; want only its zone's missions %v", k, rt.Unit, rt.Shift, m, walk)
					}
				}
				if len(round) == len(walk) && !slices.Equal(sorted, slices.Sorted(slices.Values(walk))) {
					t.Errorf("day %d route %s/%s round %d = %v; want every mission of %v", k, rt.Unit, rt.Shift, j/len(walk), round, walk)
				}
			}
			// The route's mean dwell on every visit, and even spacing over the shift.
			var dwell time.Duration
			for _, v := range orig.Visits {
				dwell += v.Depart.Sub(v.Arrive)
			}
			mean := (dwell / time.Duration(len(orig.Visits))).Round(time.Second)
			var gaps []float64
			for j, v := range rt.Visits {
				if v.Depart.Sub(v.Arrive) != mean {
					t.Errorf("day %d route %s/%s visit %d dwells %s; want the mean %s", k, rt.Unit, rt.Shift, j, v.Depart.Sub(v.Arrive), mean)
				}
				if j > 0 {
					gaps = append(gaps, v.Arrive.Sub(rt.Visits[j-1].Depart).Minutes())
				}
			}
			gaps = append(gaps, 2*rt.Visits[0].Arrive.Sub(rt.Start).Minutes(), 2*rt.End.Sub(rt.Visits[len(rt.Visits)-1].Depart).Minutes())
			if lo, hi := slices.Min(gaps), slices.Max(gaps); hi-lo > 2 {
				t.Errorf("day %d route %s/%s gaps = %v; want even spacing", k, rt.Unit, rt.Shift, gaps)
			}
			if !slices.Equal(rt.Visits, r2.ServiceDays[k].Routes[ri].Visits) {
				t.Errorf("day %d route %d differs between two runs with the same seed", k, ri)
			}
		}
	}
	if len(orders) < 5 {
		t.Errorf("full rounds took %d distinct orders; want a fresh random order each round", len(orders))
	}
	if got := p.ServiceDays[0].Routes[0].Visits[0].Mission; got != "a" {
		t.Errorf("RoundsBaseline changed its input: visit 0 = %s; want a", got)
	}
	if _, err := RoundsBaseline(p, nil); err == nil {
		t.Errorf("RoundsBaseline(nil rng) = nil error; want an error")
	}
	if _, err := RoundsBaseline(nil, rand.New(rand.NewChaCha8([32]byte{}))); err == nil {
		t.Errorf("RoundsBaseline(nil plan) = nil error; want an error")
	}
}
