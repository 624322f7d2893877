package scheduler

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// blPlan returns a plan of 3 service days from from in New York whose first day has a day
// route and a night route with the given night visit clocks (hour, minute on the next
// calendar day when before 07:00), and whose later days hold different visits.
func blPlan(t *testing.T, from string, night [][2]int) *Plan {
	t.Helper()
	loc := mtLoc(t, "America/New_York")
	d0, _ := ParseDate(from)
	missions := []PlanMission{mtMission("a", 1, 1, 1440), mtMission("b", 1, 1, 1440)}
	p := mtPlan(t, "America/New_York", from, 3, missions, nil)
	for k := range p.ServiceDays {
		sd := &p.ServiceDays[k]
		ws := ShiftWindows(d0.AddDays(k), DefaultShifts(), loc)
		day := Route{Unit: "wfo-v01", Mode: Vehicle, Shift: "day", Officers: []string{fmt.Sprintf("o-wfo-%03d", k+1)},
			Start: ws[0].Start, End: ws[0].End, DistanceM: 1000 + k}
		nightR := Route{Unit: "wfo-v02", Mode: Vehicle, Shift: "night", Officers: []string{fmt.Sprintf("o-wfo-%03d", k+11)},
			Start: ws[2].Start, End: ws[2].End, DistanceM: 2000 + k}
		// Day k's own visits differ from day 0's, so a repetition is visible.
		day.Visits = []Visit{{Mission: "a", Arrive: ws[0].Start.Add(time.Duration(60+k*7) * time.Minute), Depart: ws[0].Start.Add(time.Duration(72+k*7) * time.Minute)}}
		if k == 0 {
			for i, c := range night {
				date := d0
				if c[0] < 7 {
					date = d0.AddDays(1)
				}
				a := time.Date(date.Year, date.Month, date.Day, c[0], c[1], 0, 0, loc)
				nightR.Visits = append(nightR.Visits, Visit{Mission: []string{"a", "b"}[i%2], Arrive: a, Depart: a.Add(15 * time.Minute)})
			}
		}
		sd.Routes = []Route{day, nightR}
	}
	return p
}

func TestFixedBaseline(t *testing.T) {
	loc := mtLoc(t, "America/New_York")
	tests := []struct {
		name  string
		from  string
		night [][2]int
		// want: per service day (1, 2), the instants of the night visits' arrivals
		want [2][]time.Time
	}{
		{
			name:  "fall back: the repeated 01:30 is taken at its first occurrence",
			from:  "2026-10-30",
			night: [][2]int{{23, 30}, {1, 30}, {5, 0}},
			want: [2][]time.Time{
				{time.Date(2026, 10, 31, 23, 30, 0, 0, loc), time.Date(2026, 11, 1, 5, 30, 0, 0, time.UTC), time.Date(2026, 11, 1, 5, 0, 0, 0, loc)},
				{time.Date(2026, 11, 1, 23, 30, 0, 0, loc), time.Date(2026, 11, 2, 1, 30, 0, 0, loc), time.Date(2026, 11, 2, 5, 0, 0, 0, loc)},
			},
		},
		{
			name:  "spring forward: the missing 02:30 shifts forward to 03:30",
			from:  "2026-03-06",
			night: [][2]int{{1, 0}, {2, 30}, {4, 0}},
			want: [2][]time.Time{
				{time.Date(2026, 3, 8, 1, 0, 0, 0, loc), time.Date(2026, 3, 8, 3, 30, 0, 0, loc), time.Date(2026, 3, 8, 4, 0, 0, 0, loc)},
				{time.Date(2026, 3, 9, 1, 0, 0, 0, loc), time.Date(2026, 3, 9, 2, 30, 0, 0, loc), time.Date(2026, 3, 9, 4, 0, 0, 0, loc)},
			},
		},
	}
	for _, tt := range tests {
		p := blPlan(t, tt.from, tt.night)
		f, err := FixedBaseline(p)
		if err != nil {
			t.Fatalf("%s: FixedBaseline: %v", tt.name, err)
		}
		if len(f.ServiceDays) != 3 {
			t.Fatalf("%s: FixedBaseline has %d service days; want 3", tt.name, len(f.ServiceDays))
		}
		day0 := p.ServiceDays[0]
		for k := 1; k < 3; k++ {
			sd := f.ServiceDays[k]
			if !sd.Start.Equal(p.ServiceDays[k].Start) || !sd.End.Equal(p.ServiceDays[k].End) {
				t.Errorf("%s: day %d bounds changed", tt.name, k)
			}
			if len(sd.Routes) != len(day0.Routes) {
				t.Fatalf("%s: day %d has %d routes; want %d", tt.name, k, len(sd.Routes), len(day0.Routes))
			}
			for ri, rt := range sd.Routes {
				r0 := day0.Routes[ri]
				if rt.Unit != r0.Unit || rt.Shift != r0.Shift || rt.DistanceM != r0.DistanceM || len(rt.Visits) != len(r0.Visits) {
					t.Fatalf("%s: day %d route %d = %s/%s %dm %d visits; want day 0's %s/%s %dm %d visits", tt.name, k, ri,
						rt.Unit, rt.Shift, rt.DistanceM, len(rt.Visits), r0.Unit, r0.Shift, r0.DistanceM, len(r0.Visits))
				}
				if want := p.ServiceDays[k].Routes[ri].Officers; !slices.Equal(rt.Officers, want) {
					t.Errorf("%s: day %d route %s officers = %v; want that day's %v", tt.name, k, rt.Unit, rt.Officers, want)
				}
				for j, v := range rt.Visits {
					if v.Mission != r0.Visits[j].Mission || v.Depart.Sub(v.Arrive) != r0.Visits[j].Depart.Sub(r0.Visits[j].Arrive) {
						t.Errorf("%s: day %d visit %d = %+v; want %s with day 0's dwell", tt.name, k, j, v, r0.Visits[j].Mission)
					}
				}
			}
			// Day route: the same wall clock as day 0's.
			a0, a := day0.Routes[0].Visits[0].Arrive.In(loc), sd.Routes[0].Visits[0].Arrive.In(loc)
			if a.Hour() != a0.Hour() || a.Minute() != a0.Minute() || DateOf(a) != DateOf(a0).AddDays(k) {
				t.Errorf("%s: day %d day visit at %s; want %s on the day %d later", tt.name, k, a, a0, k)
			}
			for j, v := range sd.Routes[1].Visits {
				if !v.Arrive.Equal(tt.want[k-1][j]) {
					t.Errorf("%s: day %d night visit %d arrives %s; want %s", tt.name, k, j, v.Arrive, tt.want[k-1][j].In(loc))
				}
			}
		}
	}
}

func TestShuffledBaseline(t *testing.T) {
	loc := mtLoc(t, "America/New_York")
	missions := []PlanMission{
		{ID: "a", Lat: 38.90, Lon: -77.05}, {ID: "b", Lat: 38.91, Lon: -77.04},
		{ID: "c", Lat: 38.92, Lon: -77.03}, {ID: "d", Lat: 38.93, Lon: -77.02},
	}
	p := mtPlan(t, "America/New_York", "2026-11-27", 2, missions, nil)
	for k := range p.ServiceDays {
		sd := &p.ServiceDays[k]
		for _, w := range ShiftWindows(DateOf(sd.Start), DefaultShifts(), loc) {
			rt := Route{Unit: "wfo-v01", Mode: Vehicle, Shift: w.Name, Officers: []string{"o-wfo-001"}, Start: w.Start, End: w.End}
			for i := range 8 {
				a := w.Start.Add(time.Duration(10+i*50) * time.Minute)
				rt.Visits = append(rt.Visits, Visit{Mission: missions[i%4].ID, Arrive: a, Depart: a.Add(time.Duration(10+i%3) * time.Minute)})
			}
			sd.Routes = append(sd.Routes, rt)
		}
	}
	s1, err := ShuffledBaseline(p, rand.New(rand.NewChaCha8([32]byte{3})))
	if err != nil {
		t.Fatal(err)
	}
	s2, _ := ShuffledBaseline(p, rand.New(rand.NewChaCha8([32]byte{3})))
	type visit struct {
		mission string
		dwell   time.Duration
	}
	reordered := 0
	for k, sd := range s1.ServiceDays {
		for ri, rt := range sd.Routes {
			orig := p.ServiceDays[k].Routes[ri]
			if rt.Unit != orig.Unit || !rt.Start.Equal(orig.Start) || !rt.End.Equal(orig.End) {
				t.Errorf("day %d route %d = %s %s–%s; want %s %s–%s", k, ri, rt.Unit, rt.Start, rt.End, orig.Unit, orig.Start, orig.End)
			}
			var got, want []visit
			for _, v := range rt.Visits {
				got = append(got, visit{v.Mission, v.Depart.Sub(v.Arrive)})
			}
			for _, v := range orig.Visits {
				want = append(want, visit{v.Mission, v.Depart.Sub(v.Arrive)})
			}
			if !slices.Equal(got, want) {
				reordered++
			}
			cmp := func(x, y visit) int {
				if x.mission != y.mission {
					return map[bool]int{true: -1, false: 1}[x.mission < y.mission]
				}
				return int(x.dwell - y.dwell)
			}
			slices.SortFunc(got, cmp)
			slices.SortFunc(want, cmp)
			if !slices.Equal(got, want) {
				t.Errorf("day %d route %d visits (mission, dwell) = %v; want the multiset %v", k, ri, got, want)
			}
			// Even spacing: every gap, and twice the lead and the tail, within a minute.
			var gaps []float64
			for j := 1; j < len(rt.Visits); j++ {
				gaps = append(gaps, rt.Visits[j].Arrive.Sub(rt.Visits[j-1].Depart).Minutes())
			}
			gaps = append(gaps, 2*rt.Visits[0].Arrive.Sub(rt.Start).Minutes(), 2*rt.End.Sub(rt.Visits[len(rt.Visits)-1].Depart).Minutes())
			lo, hi := slices.Min(gaps), slices.Max(gaps)
			if hi-lo > 2 {
				t.Errorf("day %d route %d gaps = %v; want even spacing", k, ri, gaps)
			}
			if !slices.Equal(rt.Visits, s2.ServiceDays[k].Routes[ri].Visits) {
				t.Errorf("day %d route %d differs between two runs with the same seed", k, ri)
			}
		}
	}
	if reordered == 0 {
		t.Errorf("ShuffledBaseline reordered no route; want new orders")
	}
	// The original plan is untouched.
	if got := p.ServiceDays[0].Routes[0].Visits[1].Mission; got != "b" {
		t.Errorf("ShuffledBaseline changed its input: visit 1 = %s; want b", got)
	}
	if _, err := ShuffledBaseline(p, nil); err == nil {
		t.Errorf("ShuffledBaseline(nil rng) = nil error; want an error")
	}
}

// TestBaselinesMeasured checks the baselines against Vigil-like random visits: the fixed
// repetition is learnt by the historical adversary, and both baselines keep the visits.
func TestBaselinesMeasured(t *testing.T) {
	p := mtSynthetic(t, 20, 35, 200)
	f, err := FixedBaseline(p)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ShuffledBaseline(p, rand.New(rand.NewChaCha8([32]byte{9})))
	if err != nil {
		t.Fatal(err)
	}
	rp, err := Measure(p, MeasureOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rf, err := Measure(f, MeasureOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rf.Historical.Interception != 0 {
		t.Errorf("fixed Historical.Interception = %v; want 0 (the same unvisited window every day)", rf.Historical.Interception)
	}
	// Memoryless visits give the historical adversary nothing to learn: its ratio to a
	// random window is 1 up to sampling noise (measured 1.018 on this synthetic plan).
	if rp.Historical.Ratio < 0.9 || rp.Historical.Ratio > 1.1 {
		t.Errorf("random Historical.Ratio = %v; want 1 ± 0.1", rp.Historical.Ratio)
	}
	count := func(q *Plan) int {
		n := 0
		for _, sd := range q.ServiceDays {
			for _, rt := range sd.Routes {
				n += len(rt.Visits)
			}
		}
		return n
	}
	if count(s) != count(p) {
		t.Errorf("shuffled visits = %d; want %d", count(s), count(p))
	}
	if _, err := Measure(s, MeasureOptions{}); err != nil {
		t.Errorf("Measure(shuffled) = %v", err)
	}
	ro, err := RoundsBaseline(p, rand.New(rand.NewChaCha8([32]byte{9})))
	if err != nil {
		t.Fatal(err)
	}
	if count(ro) != count(p) {
		t.Errorf("rounds visits = %d; want %d", count(ro), count(p))
	}
	if _, err := Measure(ro, MeasureOptions{}); err != nil {
		t.Errorf("Measure(rounds) = %v", err)
	}
}
