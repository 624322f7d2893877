package scheduler

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"vigil/geo"
)

// mtVisit is a hand-made visit: a mission from arrive for dwell minutes, by unit.
type mtVisit struct {
	mission string
	unit    string
	arrive  time.Time
	dwell   int
}

// mtLoc loads a time zone or fails the test.
func mtLoc(tb testing.TB, name string) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		tb.Fatalf("LoadLocation(%q): %v", name, err)
	}
	return loc
}

// mtPlan builds a plan of days service days (default shifts) from date from in tz, with
// one route per unit and service day spanning the whole day, holding the given visits in
// the service day of their arrival.
func mtPlan(tb testing.TB, tz, from string, days int, missions []PlanMission, visits []mtVisit) *Plan {
	tb.Helper()
	loc := mtLoc(tb, tz)
	d0, err := ParseDate(from)
	if err != nil {
		tb.Fatal(err)
	}
	p := &Plan{Schema: PlanSchema, Region: "wfo", Timezone: tz, From: from, Days: days, Missions: missions}
	for k := range days {
		d := d0.AddDays(k)
		s, e := ServiceDayBounds(d, DefaultShifts(), loc)
		p.ServiceDays = append(p.ServiceDays, ServiceDay{Date: d.String(), Start: s, End: e})
	}
	routes := map[[2]int]int{} // (day, unit index) → route index
	units := map[string]int{}
	for _, v := range visits {
		k := -1
		for i, sd := range p.ServiceDays {
			if !v.arrive.Before(sd.Start) && v.arrive.Before(sd.End) {
				k = i
			}
		}
		if k < 0 {
			tb.Fatalf("visit at %v is outside the run", v.arrive)
		}
		unit := v.unit
		if unit == "" {
			unit = "u-" + v.mission
		}
		u, ok := units[unit]
		if !ok {
			u = len(units)
			units[unit] = u
		}
		sd := &p.ServiceDays[k]
		ri, ok := routes[[2]int{k, u}]
		if !ok {
			ri = len(sd.Routes)
			routes[[2]int{k, u}] = ri
			sd.Routes = append(sd.Routes, Route{Unit: unit, Mode: Vehicle, Shift: "day", Officers: []string{"o-" + unit},
				Start: sd.Start, End: sd.End})
		}
		a := v.arrive.In(loc)
		sd.Routes[ri].Visits = append(sd.Routes[ri].Visits, Visit{Mission: v.mission, Arrive: a, Depart: a.Add(time.Duration(v.dwell) * time.Minute)})
	}
	for k := range p.ServiceDays {
		for ri := range p.ServiceDays[k].Routes {
			slices.SortFunc(p.ServiceDays[k].Routes[ri].Visits, func(x, y Visit) int { return x.Arrive.Compare(y.Arrive) })
		}
	}
	return p
}

// mtMission returns a plan mission without posts.
func mtMission(id string, value float64, perDay, maxGap int) PlanMission {
	return PlanMission{ID: id, Name: id, Lat: 38.9, Lon: -77.05, Value: value, VisitsPerDay: perDay, MaxGapMinutes: maxGap}
}

// mtRegular returns visits every period minutes with dwell minutes at mission, from
// first for the given number of minutes.
func mtRegular(mission string, first time.Time, minutes, period, dwell int) []mtVisit {
	var out []mtVisit
	for m := 0; m+dwell <= minutes; m += period {
		out = append(out, mtVisit{mission: mission, arrive: first.Add(time.Duration(m) * time.Minute), dwell: dwell})
	}
	return out
}

// mtPoisson returns presences of dwell minutes at mission with exponential gaps of mean
// gap minutes, over the given minutes from first.
func mtPoisson(rng *rand.Rand, mission string, first time.Time, minutes float64, gap float64, dwell int) []mtVisit {
	var out []mtVisit
	t := rng.ExpFloat64() * gap
	for t+float64(dwell) < minutes {
		a := first.Add(time.Duration(math.Round(t)) * time.Minute)
		out = append(out, mtVisit{mission: mission, arrive: a, dwell: dwell})
		t = math.Round(t) + float64(dwell) + math.Max(1, math.Round(rng.ExpFloat64()*gap))
	}
	return out
}

func mtRun(tb testing.TB, p *Plan) *measureRun {
	tb.Helper()
	r, err := newMeasureRun(p)
	if err != nil {
		tb.Fatalf("newMeasureRun: %v", err)
	}
	return r
}

func TestMeasureRegularSchedule(t *testing.T) {
	const days = 35
	loc := mtLoc(t, "America/New_York")
	start := time.Date(2026, 1, 5, 7, 0, 0, 0, loc)
	missions := []PlanMission{mtMission("a", 4, 12, 120), mtMission("b", 8, 12, 120)}
	var visits []mtVisit
	visits = append(visits, mtRegular("a", start, days*1440, 120, 10)...)
	visits = append(visits, mtRegular("b", start.Add(40*time.Minute), days*1440-40, 120, 10)...)
	p := mtPlan(t, "America/New_York", "2026-01-05", days, missions, visits)

	rep, err := Measure(p, MeasureOptions{})
	if err != nil {
		t.Fatalf("Measure: %v", err)
	}
	if rep.Compliance != 1 {
		t.Errorf("Compliance = %v; want 1", rep.Compliance)
	}
	for _, d := range []int{15, 30, 60} {
		l := rep.Live[itoa(d)]
		want := 1 - math.Exp(-float64(d)/110)
		if l.Interception != 0 {
			t.Errorf("Live[%d].Interception = %v; want 0 (gaps of 110 min outlast the attack)", d, l.Interception)
		}
		if math.Abs(l.MemorylessReference-want) > 1e-9 {
			t.Errorf("Live[%d].MemorylessReference = %v; want %v", d, l.MemorylessReference, want)
		}
		if l.WeightedSuccess != 1 {
			t.Errorf("Live[%d].WeightedSuccess = %v; want 1", d, l.WeightedSuccess)
		}
	}
	if rep.Historical.Interception != 0 {
		t.Errorf("Historical.Interception = %v; want 0", rep.Historical.Interception)
	}
	// 7 of every 24 five-minute windows overlap a 10-minute presence every 120 minutes.
	if math.Abs(rep.Historical.RandomWindow-7.0/24) > 0.005 {
		t.Errorf("Historical.RandomWindow = %v; want about %v", rep.Historical.RandomWindow, 7.0/24)
	}
	if rep.Minimax.Worst != 8 {
		t.Errorf("Minimax.Worst = %v; want 8 (value 8, never intercepted)", rep.Minimax.Worst)
	}
	// Regular visits every 120 min with 10 min dwell: 10/120 on site.
	if math.Abs(rep.Efficiency.OnSiteShare-20.0/(2*120)) > 0.001 {
		t.Errorf("Efficiency.OnSiteShare = %v; want %v", rep.Efficiency.OnSiteShare, 20.0/240)
	}
}

func itoa(d int) string {
	return map[int]string{15: "15", 30: "30", 60: "60"}[d]
}

// TestHistoricalWindow checks which window the historical adversary picks and whether
// it is intercepted on the test days.
func TestHistoricalWindow(t *testing.T) {
	const days = 35
	loc := mtLoc(t, "America/New_York")
	start := time.Date(2026, 1, 5, 7, 0, 0, 0, loc)
	testStart := start.AddDate(0, 0, 28)
	rng := rand.New(rand.NewChaCha8([32]byte{1}))

	var visits []mtVisit
	// regular: odd hours only, so 00:00–00:30 is never visited.
	visits = append(visits, mtRegular("regular", start, days*1440, 120, 10)...)
	// surprise: as regular on training days, plus 00:05 on every test day.
	visits = append(visits, mtRegular("surprise", start, days*1440, 120, 10)...)
	for k := range days - 28 {
		visits = append(visits, mtVisit{mission: "surprise", arrive: testStart.Add(time.Duration(k*1440+17*60+5) * time.Minute), dwell: 10})
	}
	// hole: random presences at any time but 13:00–15:00.
	for k := range days {
		day := start.AddDate(0, 0, k)
		for _, v := range mtPoisson(rng, "hole", day, 1440, 60, 10) {
			c := v.arrive.Hour()*60 + v.arrive.Minute()
			if c+10 <= 13*60 || c >= 15*60 {
				visits = append(visits, v)
			}
		}
	}
	missions := []PlanMission{mtMission("hole", 1, 1, 1440), mtMission("regular", 1, 1, 1440), mtMission("surprise", 1, 1, 1440)}
	p := mtPlan(t, "America/New_York", "2026-01-05", days, missions, visits)
	r := mtRun(t, p)
	got := r.historicalMissions(28, 30)
	tests := []struct {
		mission      string
		minWindow    int // earliest acceptable clock (5-minute steps)
		maxWindow    int
		interception float64
	}{
		{"hole", 13 * 12, 14*12 + 6, 0},
		{"regular", 0, 0, 0},
		{"surprise", 0, 0, 1},
	}
	for i, tt := range tests {
		h := got[i]
		if h.window < tt.minWindow || h.window > tt.maxWindow {
			t.Errorf("historical(%s) window = %d; want in [%d, %d]", tt.mission, h.window, tt.minWindow, tt.maxWindow)
		}
		if h.interception != tt.interception {
			t.Errorf("historical(%s) interception = %v; want %v", tt.mission, h.interception, tt.interception)
		}
	}
}

// TestWindowsDST checks the wall-clock windows of DST service days in New York.
func TestWindowsDST(t *testing.T) {
	loc := mtLoc(t, "America/New_York")
	tests := []struct {
		from string
		day  int // service day index in a 3-day run
		want int // windows of that day
	}{
		{"2026-03-06", 0, 288},
		{"2026-03-06", 1, 276}, // 2026-03-08 02:00–03:00 does not exist
		{"2026-10-30", 1, 288}, // 2026-11-01 01:00–02:00 repeats: counted once
		{"2026-11-26", 0, 288},
	}
	for _, tt := range tests {
		p := mtPlan(t, "America/New_York", tt.from, 3, nil, nil)
		r := mtRun(t, p)
		n := 0
		for _, w := range r.windows(30) {
			if w.day == tt.day {
				n++
				at := r.at(w.s)
				if c := at.Hour()*60 + at.Minute(); c != w.c*5 {
					t.Errorf("%s day %d: window %d starts at %s", tt.from, tt.day, w.c, at)
				}
			}
		}
		if n != tt.want {
			t.Errorf("windows(%s, day %d) = %d; want %d", tt.from, tt.day, n, tt.want)
		}
	}
	// The repeated 01:30 is taken at its first occurrence (EDT), and the 02:00 window of
	// a service day falls on the next calendar date.
	p := mtPlan(t, "America/New_York", "2026-10-30", 3, nil, nil)
	r := mtRun(t, p)
	for _, w := range r.windows(30) {
		at := r.at(w.s)
		if w.day == 1 && w.c == 18 {
			if want := time.Date(2026, 11, 1, 1, 30, 0, 0, time.FixedZone("EDT", -4*3600)); !at.Equal(want) {
				t.Errorf("window 01:30 of service day 2026-10-31 = %s; want %s", at, want)
			}
		}
		if w.day == 2 && w.c == 24 {
			if want := time.Date(2026, 11, 2, 2, 0, 0, 0, loc); !at.Equal(want) {
				t.Errorf("window 02:00 of service day 2026-11-01 = %s; want %s", at, want)
			}
		}
	}
}

// TestLiveMemoryless checks that Poisson presences are intercepted at about the
// memoryless reference 1 − e^(−D/g) for every attack length.
func TestLiveMemoryless(t *testing.T) {
	const days = 200
	loc := mtLoc(t, "UTC")
	start := time.Date(2026, 1, 5, 7, 0, 0, 0, loc)
	rng := rand.New(rand.NewChaCha8([32]byte{'p', 'o', 'i', 's', 's', 'o', 'n'}))
	var missions []PlanMission
	var visits []mtVisit
	for i := range 6 {
		id := string(rune('a' + i))
		missions = append(missions, mtMission(id, 4, 6, 240))
		visits = append(visits, mtPoisson(rng, id, start, days*1440, 100+20*float64(i), 10)...)
	}
	p := mtPlan(t, "UTC", "2026-01-05", days, missions, visits)
	rep, err := Measure(p, MeasureOptions{})
	if err != nil {
		t.Fatalf("Measure: %v", err)
	}
	for _, d := range []int{15, 30, 60} {
		l := rep.Live[itoa(d)]
		if math.Abs(l.Interception-l.MemorylessReference) > 0.03 {
			t.Errorf("Live[%d] interception = %.4f; want within 0.03 of the reference %.4f", d, l.Interception, l.MemorylessReference)
		}
		if math.Abs(l.Ratio-1) > 0.1 {
			t.Errorf("Live[%d] ratio = %.4f; want about 1", d, l.Ratio)
		}
	}
	if math.Abs(rep.Historical.Ratio-1) > 0.25 {
		t.Errorf("Historical.Ratio = %.3f; want about 1 for memoryless visits", rep.Historical.Ratio)
	}
}

// TestLiveWaitChoice checks the live adversary's wait on a schedule with alternating
// gaps of 20 and 100 minutes: waiting 25 minutes skips the short gaps, and the attack
// of 60 minutes from there is intercepted by every long gap.
func TestLiveWaitChoice(t *testing.T) {
	const days = 30
	loc := mtLoc(t, "UTC")
	start := time.Date(2026, 1, 5, 7, 0, 0, 0, loc)
	var visits []mtVisit
	for m := 0; m+10 <= days*1440; m += 140 {
		visits = append(visits, mtVisit{mission: "a", arrive: start.Add(time.Duration(m) * time.Minute), dwell: 10})
		visits = append(visits, mtVisit{mission: "a", arrive: start.Add(time.Duration(m+30) * time.Minute), dwell: 10})
	}
	p := mtPlan(t, "UTC", "2026-01-05", days, []PlanMission{mtMission("a", 1, 2, 120)}, visits)
	lm, err := MissionLive(p, MeasureOptions{}, 15)
	if err != nil {
		t.Fatal(err)
	}
	got := lm["a"]
	// s = 0: every attack (e, e+15] succeeds (gaps 20 and 100) → success 1 at s = 0.
	if got.Wait != 0 || got.Interception != 0 {
		t.Errorf("MissionLive(15) = %+v; want wait 0 and interception 0", got)
	}
	lm, err = MissionLive(p, MeasureOptions{}, 60)
	if err != nil {
		t.Fatal(err)
	}
	got = lm["a"]
	// D = 60, s ∈ {0..60}: s = 0 succeeds on the long gaps only (1/2); s = 20 (wait
	// (e, e+20] sees the short gap's start) attacks only after long gaps, (e+20, e+80]
	// succeeds every time → success 1, the smallest such s.
	if got.Wait != 20 || got.Interception != 0 {
		t.Errorf("MissionLive(60) = %+v; want wait 20 and interception 0", got)
	}
	if want := 60.0; math.Abs(got.MeanGap-want) > 2 {
		t.Errorf("MissionLive(60).MeanGap = %v; want about %v", got.MeanGap, want)
	}
}

// TestMinimaxOptimum checks that Measure's optimum is WaterFill's water level for the
// plan's missions and visit total, reproducing the worked example of DESIGN.md §4.4.
func TestMinimaxOptimum(t *testing.T) {
	p := mmPlan(t)
	rep, err := Measure(p, MeasureOptions{Train: 1})
	if err != nil {
		t.Fatalf("Measure: %v", err)
	}
	_, u := WaterFill([]float64{16, 8, 4, 1}, []float64{24, 20, 12, 4}, 120, 30, 2880)
	if math.Abs(rep.Minimax.Optimum-u) > 1e-9 {
		t.Errorf("Minimax.Optimum = %v; want WaterFill's u = %v", rep.Minimax.Optimum, u)
	}
	if math.Abs(rep.Minimax.Optimum-6.670) > 0.001 {
		t.Errorf("Minimax.Optimum = %.4f; want 6.670 (DESIGN.md §4.4)", rep.Minimax.Optimum)
	}
	if rep.Minimax.Ratio != rep.Minimax.Worst/rep.Minimax.Optimum {
		t.Errorf("Minimax.Ratio = %v; want worst/optimum = %v", rep.Minimax.Ratio, rep.Minimax.Worst/rep.Minimax.Optimum)
	}
}

func TestCompliance(t *testing.T) {
	loc := mtLoc(t, "America/New_York")
	at := func(d, h, m int) time.Time { return time.Date(2026, 1, d, h, m, 0, 0, loc) }
	tests := []struct {
		name      string
		mission   PlanMission
		visits    []mtVisit
		days      int
		want      float64
		presences int
	}{
		{
			name:    "gap over the cap across the service-day boundary fails both days",
			mission: mtMission("a", 1, 1, 240),
			visits: []mtVisit{
				{mission: "a", arrive: at(5, 8, 0), dwell: 10}, {mission: "a", arrive: at(5, 12, 0), dwell: 10},
				{mission: "a", arrive: at(5, 16, 0), dwell: 10}, {mission: "a", arrive: at(5, 20, 0), dwell: 10},
				{mission: "a", arrive: at(5, 23, 50), dwell: 10}, {mission: "a", arrive: at(6, 3, 0), dwell: 10},
				{mission: "a", arrive: at(6, 9, 0), dwell: 10}, // gap 03:10 → 09:00 = 350 min
				{mission: "a", arrive: at(6, 12, 0), dwell: 10}, {mission: "a", arrive: at(6, 16, 0), dwell: 10},
			},
			days: 2, want: 0, presences: 9,
		},
		{
			name:    "same gaps under the cap pass",
			mission: mtMission("a", 1, 1, 360),
			visits: []mtVisit{
				{mission: "a", arrive: at(5, 8, 0), dwell: 10}, {mission: "a", arrive: at(6, 3, 0), dwell: 10},
				{mission: "a", arrive: at(5, 12, 0), dwell: 10}, {mission: "a", arrive: at(5, 16, 0), dwell: 10},
				{mission: "a", arrive: at(5, 20, 0), dwell: 10}, {mission: "a", arrive: at(5, 23, 50), dwell: 10},
				{mission: "a", arrive: at(6, 9, 0), dwell: 10}, {mission: "a", arrive: at(6, 12, 0), dwell: 10},
			},
			days: 2, want: 1, presences: 8,
		},
		{
			name:    "touching visits by two units are one presence",
			mission: mtMission("a", 1, 2, 1440),
			visits: []mtVisit{
				{mission: "a", unit: "u1", arrive: at(5, 10, 0), dwell: 10},
				{mission: "a", unit: "u2", arrive: at(5, 10, 10), dwell: 10},
			},
			days: 1, want: 0, presences: 1,
		},
		{
			name:    "separate visits are two presences",
			mission: mtMission("a", 1, 2, 1440),
			visits: []mtVisit{
				{mission: "a", unit: "u1", arrive: at(5, 10, 0), dwell: 10},
				{mission: "a", unit: "u2", arrive: at(5, 10, 11), dwell: 10},
			},
			days: 1, want: 1, presences: 2,
		},
		{
			name:    "a day without enough visits fails only that day",
			mission: mtMission("a", 1, 2, 1440),
			visits: []mtVisit{
				{mission: "a", arrive: at(5, 10, 0), dwell: 10}, {mission: "a", arrive: at(5, 20, 0), dwell: 10},
				{mission: "a", arrive: at(6, 10, 0), dwell: 10},
			},
			days: 2, want: 0.5, presences: 3,
		},
	}
	for _, tt := range tests {
		p := mtPlan(t, "America/New_York", "2026-01-05", tt.days, []PlanMission{tt.mission}, tt.visits)
		if got := mtRun(t, p).compliance(); got != tt.want {
			t.Errorf("%s: compliance = %v; want %v", tt.name, got, tt.want)
		}
		if got := len(Presences(p)["a"]); got != tt.presences {
			t.Errorf("%s: len(Presences) = %d; want %d", tt.name, got, tt.presences)
		}
	}
}

func TestPresencesMerged(t *testing.T) {
	loc := mtLoc(t, "UTC")
	at := func(h, m int) time.Time { return time.Date(2026, 1, 5, h, m, 0, 0, loc) }
	p := mtPlan(t, "UTC", "2026-01-05", 1, []PlanMission{mtMission("a", 1, 1, 1440), mtMission("b", 1, 1, 1440)}, []mtVisit{
		{mission: "a", unit: "u1", arrive: at(10, 0), dwell: 10},
		{mission: "a", unit: "u2", arrive: at(10, 5), dwell: 10},
		{mission: "a", unit: "u3", arrive: at(10, 15), dwell: 5},
		{mission: "a", unit: "u1", arrive: at(12, 0), dwell: 10},
	})
	got := Presences(p)
	want := []Interval{{at(10, 0), at(10, 20)}, {at(12, 0), at(12, 10)}}
	if len(got["a"]) != len(want) || len(got["b"]) != 0 {
		t.Fatalf("Presences = %v; want a: %v, b: none", got, want)
	}
	for i := range want {
		if !got["a"][i].Start.Equal(want[i].Start) || !got["a"][i].End.Equal(want[i].End) {
			t.Errorf("Presences[a][%d] = %v; want %v", i, got["a"][i], want[i])
		}
	}
	if g := GapsAfterDeparture(p); !slices.Equal(g, []float64{100}) {
		t.Errorf("GapsAfterDeparture = %v; want [100]", g)
	}
	if h := PresencesByHour(p); h[10] != 1 || h[12] != 1 {
		t.Errorf("PresencesByHour = %v; want one at 10 and one at 12", h)
	}
}

// TestStaffedExcluded checks that a mission with a staffed post is left out of §4.2–§4.4.
func TestStaffedExcluded(t *testing.T) {
	loc := mtLoc(t, "UTC")
	start := time.Date(2026, 1, 5, 7, 0, 0, 0, loc)
	posted := mtMission("p", 16, 12, 120)
	posted.FixedPosts = 1
	visits := mtRegular("a", start, 3*1440, 120, 10) // p is never patrolled
	p := mtPlan(t, "UTC", "2026-01-05", 3, []PlanMission{mtMission("a", 1, 12, 120), posted}, visits)
	for k := range p.ServiceDays {
		sd := &p.ServiceDays[k]
		sd.Posts = []Post{{Post: "p/1", Mission: "p", Blocks: []Block{{Officer: "o-1", Start: sd.Start, End: sd.End}}}}
	}
	if s := Staffed(p); !s["p"] || s["a"] {
		t.Errorf("Staffed = %v; want only p", s)
	}
	rep, err := Measure(p, MeasureOptions{Train: 1})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Minimax.Worst != 1 {
		t.Errorf("Minimax.Worst = %v; want 1 (the posted mission of value 16 left out)", rep.Minimax.Worst)
	}
	if rep.Live["30"].WeightedSuccess != 1 {
		t.Errorf("Live[30].WeightedSuccess = %v; want 1", rep.Live["30"].WeightedSuccess)
	}
	// p is patrolled 0 times a day against 12: its days fail compliance.
	if rep.Compliance != 0.5 {
		t.Errorf("Compliance = %v; want 0.5", rep.Compliance)
	}
}

func TestMeasureErrors(t *testing.T) {
	p := mtPlan(t, "UTC", "2026-01-05", 3, nil, nil)
	tests := []struct {
		name string
		p    *Plan
		opt  MeasureOptions
	}{
		{"no test days", p, MeasureOptions{Train: 3}},
		{"incidents without rand", p, MeasureOptions{Train: 1, Incidents: 5}},
		{"nil plan", nil, MeasureOptions{}},
	}
	for _, tt := range tests {
		if _, err := Measure(tt.p, tt.opt); err == nil {
			t.Errorf("Measure(%s) = nil error; want an error", tt.name)
		}
	}
	bad := mtPlan(t, "UTC", "2026-01-05", 2, nil, nil)
	bad.ServiceDays[0].Routes = []Route{{Unit: "u", Visits: []Visit{{Mission: "ghost", Arrive: bad.ServiceDays[0].Start, Depart: bad.ServiceDays[0].Start}}}}
	if _, err := Measure(bad, MeasureOptions{Train: 1}); err == nil {
		t.Errorf("Measure(visit at unknown mission) = nil error; want an error")
	}
}

func TestPositionAt(t *testing.T) {
	loc := mtLoc(t, "UTC")
	at := func(h, m int) time.Time { return time.Date(2026, 1, 5, h, m, 0, 0, loc) }
	a := PlanMission{ID: "a", Lat: 38.90, Lon: -77.05}
	b := PlanMission{ID: "b", Lat: 38.92, Lon: -77.03}
	p := mtPlan(t, "UTC", "2026-01-05", 1, []PlanMission{a, b}, nil)
	r := mtRun(t, p)
	tr := geo.Crow{Circuity: 1.35, SpeedKmh: 25}
	leg := tr.Minutes(geo.Point{Lat: a.Lat, Lon: a.Lon}, geo.Point{Lat: b.Lat, Lon: b.Lon})
	rt := Route{Start: at(7, 0), End: at(15, 0), Visits: []Visit{
		{Mission: "a", Arrive: at(8, 0), Depart: at(8, 10)},
		{Mission: "b", Arrive: at(10, 0), Depart: at(10, 15)},
	}}
	arriveB := at(10, 0)
	mid := arriveB.Add(-time.Duration(leg) * time.Minute / 2)
	tests := []struct {
		name string
		t    time.Time
		want geo.Point
	}{
		{"before the first visit", at(7, 30), geo.Point{Lat: a.Lat, Lon: a.Lon}},
		{"at a visit", at(8, 5), geo.Point{Lat: a.Lat, Lon: a.Lon}},
		{"waiting", at(9, 0), geo.Point{Lat: a.Lat, Lon: a.Lon}},
		{"half way", mid, geo.Point{Lat: (a.Lat + b.Lat) / 2, Lon: (a.Lon + b.Lon) / 2}},
		{"after the last visit", at(14, 0), geo.Point{Lat: b.Lat, Lon: b.Lon}},
	}
	for _, tt := range tests {
		got, _, ok := PositionAt(rt, tt.t, r.point, tr)
		if !ok || math.Abs(got.Lat-tt.want.Lat) > 1e-9 || math.Abs(got.Lon-tt.want.Lon) > 1e-9 {
			t.Errorf("PositionAt(%s) = %v, %v; want %v", tt.name, got, ok, tt.want)
		}
	}
}

func TestResponse(t *testing.T) {
	loc := mtLoc(t, "UTC")
	start := time.Date(2026, 1, 5, 7, 0, 0, 0, loc)
	a := PlanMission{ID: "a", Lat: 38.90, Lon: -77.05, VisitsPerDay: 1, MaxGapMinutes: 1440}
	b := PlanMission{ID: "b", Lat: 38.95, Lon: -77.05, VisitsPerDay: 1, MaxGapMinutes: 1440}
	// One unit parked at a all day: ETAs are 0 (at a) or the a→b travel time.
	var visits []mtVisit
	for k := range 3 {
		visits = append(visits, mtVisit{mission: "a", unit: "u", arrive: start.Add(time.Duration(k*1440+60) * time.Minute), dwell: 10})
	}
	p := mtPlan(t, "UTC", "2026-01-05", 3, []PlanMission{a, b}, visits)
	rep, err := Measure(p, MeasureOptions{Train: 1, Incidents: 50, Rand: rand.New(rand.NewChaCha8([32]byte{7}))})
	if err != nil {
		t.Fatal(err)
	}
	ab := float64(DefaultTravel(Vehicle).Minutes(geo.Point{Lat: a.Lat, Lon: a.Lon}, geo.Point{Lat: b.Lat, Lon: b.Lon}))
	if rep.Response.Incidents != 150 {
		t.Errorf("Response.Incidents = %d; want 150", rep.Response.Incidents)
	}
	if rep.Response.P90 != ab {
		t.Errorf("Response.P90 = %v; want %v", rep.Response.P90, ab)
	}
	if rep.Response.P50 != 0 && rep.Response.P50 != ab {
		t.Errorf("Response.P50 = %v; want 0 or %v", rep.Response.P50, ab)
	}
}

func TestPostsReport(t *testing.T) {
	loc := mtLoc(t, "UTC")
	at := func(d, h int) time.Time { return time.Date(2026, 1, d, h, 0, 0, 0, loc) }
	p := mtPlan(t, "UTC", "2026-01-05", 1, []PlanMission{{ID: "m", FixedPosts: 1}}, nil)
	sd := &p.ServiceDays[0]
	// 07:00 → 07:00 next day, uncovered 05:00–07:00; o1 stands 07–09 and 09–11 in a row.
	blocks := []Block{
		{Officer: "o1", Start: at(5, 7), End: at(5, 9)},
		{Officer: "o1", Start: at(5, 9), End: at(5, 11)},
		{Officer: "o2", Start: at(5, 11), End: at(5, 15)},
		{Officer: "o3", Start: at(5, 15), End: at(5, 23)},
		{Officer: "o2", Start: at(5, 23), End: at(6, 5)},
	}
	sd.Posts = []Post{{Post: "m/1", Mission: "m", Blocks: blocks}}
	sd.Routes = []Route{{Unit: "u", Mode: Vehicle, Officers: []string{"o4"}, Start: at(5, 23), End: at(6, 7)}}
	got := mtRun(t, p).posts()
	// Post hours: o1 4, o2 10, o3 8, o4 0 → mean 5.5, SD sqrt((2.25+20.25+6.25+30.25)/4).
	// Night hours: o1 0, o2 6 (23–05), o3 1 (22–23), o4 7 (23–06) → mean 3.5.
	want := PostsReport{
		UncoveredMinutesPerPostDay: 120,
		LongestBlockRun:            2,
		PostHoursSD:                math.Sqrt((2.25 + 20.25 + 6.25 + 30.25) / 4),
		NightHoursSD:               math.Sqrt((12.25 + 6.25 + 6.25 + 12.25) / 4),
	}
	if math.Abs(got.UncoveredMinutesPerPostDay-want.UncoveredMinutesPerPostDay) > 1e-9 || got.LongestBlockRun != want.LongestBlockRun ||
		math.Abs(got.PostHoursSD-want.PostHoursSD) > 1e-9 || math.Abs(got.NightHoursSD-want.NightHoursSD) > 1e-9 {
		t.Errorf("posts() = %+v; want %+v", got, want)
	}
}

// mtSynthetic builds a plan of days service days with missions missions and about
// perDay visits a day, in routes of 22 units per shift, for benchmarks.
func mtSynthetic(tb testing.TB, missions, days, perDay int) *Plan {
	tb.Helper()
	loc := mtLoc(tb, "America/New_York")
	rng := rand.New(rand.NewChaCha8([32]byte{'b', 'e', 'n', 'c', 'h'}))
	var ms []PlanMission
	for i := range missions {
		m := mtMission("m"+string(rune('a'+i/26))+string(rune('a'+i%26)), float64(int(1)<<(i%5)), 2+i%5*2, 240)
		m.Lat += rng.Float64() * 0.1
		m.Lon += rng.Float64() * 0.1
		ms = append(ms, m)
	}
	p := &Plan{Schema: PlanSchema, Region: "wfo", Timezone: loc.String(), From: "2026-09-01", Days: days, Missions: ms}
	d0, _ := ParseDate("2026-09-01")
	gap := float64(missions) * 1440 / float64(perDay)
	for k := range days {
		d := d0.AddDays(k)
		s, e := ServiceDayBounds(d, DefaultShifts(), loc)
		sd := ServiceDay{Date: d.String(), Start: s, End: e}
		for _, w := range ShiftWindows(d, DefaultShifts(), loc) {
			for u := range 22 {
				sd.Routes = append(sd.Routes, Route{Unit: UnitID("wfo", Vehicle, u+1), Mode: Vehicle, Shift: w.Name,
					Officers: []string{OfficerID("wfo", u+1)}, Start: w.Start, End: w.End, DistanceM: 30000})
			}
		}
		for i, m := range ms {
			for _, v := range mtPoisson(rng, m.ID, s, e.Sub(s).Minutes(), gap, 10) {
				shift := min(2, int(v.arrive.Sub(s).Hours()/8))
				ri := shift*22 + i%22
				sd.Routes[ri].Visits = append(sd.Routes[ri].Visits, Visit{Mission: m.ID, Arrive: v.arrive.In(loc), Depart: v.arrive.Add(10 * time.Minute).In(loc)})
			}
		}
		p.ServiceDays = append(p.ServiceDays, sd)
	}
	return p
}

func BenchmarkMeasure(b *testing.B) {
	p := mtSynthetic(b, 177, 56, 2000)
	opt := MeasureOptions{Incidents: 100}
	for i := 0; b.Loop(); i++ {
		opt.Rand = rand.New(rand.NewPCG(uint64(i), 1))
		if _, err := Measure(p, opt); err != nil {
			b.Fatal(err)
		}
	}
}
