package scheduler

import (
	"errors"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// The verifier's edges (issue 19): each case takes a real plan made by PlanDays, puts a
// hand-written visit schedule on its routes (so every gap, dwell and leg is known to the
// minute), doctors one thing and asserts the exact set of rules Verify reports — none at
// the edge value, the one rule one minute past it.

// edgeDate is a 24-hour service day in New York (07:00 to 07:00), shifts at minutes 0
// (day), 480 (evening) and 960 (night).
var edgeDate = Date{2026, 11, 27}

// edgeInputs returns a wfo region of the given missions (id → threat), all within a few
// hundred metres of each other, served by one vehicle in every shift.
func edgeInputs(t *testing.T, threats map[string]int) Inputs {
	t.Helper()
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	f := NewRegionForce("wfo")
	f.Units = map[Mode]int{Vehicle: 1, Foot: 0}
	in := Inputs{Office: Office{ID: "wfo", Name: "Washington", TZ: "America/New_York", Location: loc, Lat: 38.9, Lon: -77.04}, Force: f}
	ids := make([]string, 0, len(threats))
	for id := range threats {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	posts := 0
	for i, id := range ids {
		m := Mission{ID: id, Name: id, Kind: "embassy", Lat: 38.9 + 0.004*float64(i), Lon: -77.04 + 0.003*float64(i), Threat: threats[id], Region: "wfo"}
		in.Missions = append(in.Missions, m)
		posts += m.Posts(f.Profiles)
	}
	in.Force.Officers = Positions(in.Force, posts)*RotationDays(len(f.Shifts)) + 5
	return in
}

// sv is one scheduled visit: a mission from minute a to minute d of the service day.
type sv struct {
	mission string
	a, d    int
}

// schedule replaces every visit of the day with the given ones, each put on the vehicle's
// route of the shift its arrival falls in.
func schedule(t *testing.T, sd *ServiceDay, visits []sv) {
	t.Helper()
	for i := range sd.Routes {
		sd.Routes[i].Visits = []Visit{}
	}
	for _, v := range visits {
		at, until := sd.Start.Add(time.Duration(v.a)*time.Minute), sd.Start.Add(time.Duration(v.d)*time.Minute)
		placed := false
		for i := range sd.Routes {
			r := &sd.Routes[i]
			if r.Mode == Vehicle && !at.Before(r.Start) && at.Before(r.End) {
				r.Visits = append(r.Visits, Visit{Mission: v.mission, Arrive: at, Depart: until})
				placed = true
				break
			}
		}
		if !placed {
			t.Fatalf("no vehicle route at minute %d of %s", v.a, sd.Date)
		}
	}
}

// rules returns the sorted set of rules of the violations.
func rules(vs []Violation) []string {
	var out []string
	for _, v := range vs {
		if !slices.Contains(out, v.Rule) {
			out = append(out, v.Rule)
		}
	}
	sort.Strings(out)
	return out
}

// edgePlan plans the region for the given days and checks that the real plan, and the
// plan with every day given the base schedule, pass Verify.
func edgePlan(t *testing.T, in Inputs, days int, base []sv) *Plan {
	t.Helper()
	p := mustPlan(t, in, testKey, edgeDate, days)
	if vs := Verify(in, p); len(vs) > 0 {
		t.Fatalf("Verify(real plan) = %v; want none", vs)
	}
	for i := range p.ServiceDays {
		sd := &p.ServiceDays[i]
		if got := sd.End.Sub(sd.Start); got != 24*time.Hour {
			t.Fatalf("%s lasts %v; the edge cases assume 24 h", sd.Date, got)
		}
		for _, r := range sd.Routes {
			if off := int(r.Start.Sub(sd.Start) / time.Minute); off != 0 && off != 480 && off != 960 {
				t.Fatalf("route %s %s starts at minute %d; want 0, 480 or 960", r.Unit, r.Shift, off)
			}
		}
		schedule(t, sd, base)
	}
	if vs := Verify(in, p); len(vs) > 0 {
		t.Fatalf("Verify(base schedule) = %v; want none", vs)
	}
	return p
}

type edgeCase struct {
	name   string
	doctor func(t *testing.T, p *Plan)
	want   []string // the rules reported, sorted; nil: the plan passes
	check  func(t *testing.T, vs []Violation)
}

func runEdges(t *testing.T, in Inputs, days int, base []sv, cases []edgeCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := edgePlan(t, in, days, base)
			tc.doctor(t, p)
			vs := Verify(in, p)
			if got := rules(vs); !slices.Equal(got, tc.want) {
				t.Fatalf("Verify rules = %q; want %q (violations: %v)", got, tc.want, vs)
			}
			if tc.check != nil {
				tc.check(t, vs)
			}
		})
	}
}

// with returns base with visit i replaced by v (or removed when v.mission is "").
func with(base []sv, i int, v sv) []sv {
	out := append([]sv{}, base...)
	if v.mission == "" {
		return slices.Delete(out, i, i+1)
	}
	out[i] = v
	return out
}

// TestVerifyEdgesOneMission doctors a plan of one threat-5 mission (max gap G = 120 min,
// dwell 10–15 min, at least 12 presences a day, one fixed post) served by one vehicle.
func TestVerifyEdgesOneMission(t *testing.T) {
	const m = "emb-a"
	in := edgeInputs(t, map[string]int{m: 5})
	pr := in.Force.Profiles[5]
	if pr.MaxGapMinutes != 120 || pr.DwellMinutes != [2]int{10, 15} || pr.VisitsPerDay != 12 || pr.FixedPosts != 1 {
		t.Fatalf("threat-5 profile = %+v; the cases below assume G 120, dwell 10–15, 12 visits, 1 post", pr)
	}
	// Twelve 10-minute presences 110 minutes apart: the first at minute 50 (≤ G/2), the
	// last ending at 1380 (= 1440 − G/2); none straddles a shift change.
	var base []sv
	for k := 0; k < 12; k++ {
		base = append(base, sv{m, 50 + 120*k, 60 + 120*k})
	}
	day := func(p *Plan, i int) *ServiceDay { return &p.ServiceDays[i] }
	set := func(visits []sv) func(t *testing.T, p *Plan) {
		return func(t *testing.T, p *Plan) { schedule(t, day(p, 0), visits) }
	}
	// Eleven presences of 15 minutes, 120 minutes apart, from minute 60 to 1425: every gap
	// and boundary kept, one presence short.
	var eleven []sv
	for k := 0; k < 11; k++ {
		eleven = append(eleven, sv{m, 60 + 135*k, 75 + 135*k})
	}
	// A block boundary of the post on a shift change, the route starting there and the
	// officer of the block ending there (who has no other duty in that shift).
	handover := func(t *testing.T, p *Plan) (post *Post, bi int, route *Route) {
		t.Helper()
		sd := day(p, 0)
		post = &sd.Posts[0]
		for i := 0; i+1 < len(post.Blocks); i++ {
			b := post.Blocks[i]
			for ri := range sd.Routes {
				r := &sd.Routes[ri]
				if !r.Start.Equal(b.End) || slices.Contains(r.Officers, b.Officer) {
					continue
				}
				busy := false
				for j, o := range post.Blocks {
					busy = busy || (j != i && o.Officer == b.Officer && o.Start.Before(r.End) && r.Start.Before(o.End))
				}
				for _, o := range sd.Routes {
					busy = busy || (slices.Contains(o.Officers, b.Officer) && o.Start.Before(r.End) && r.Start.Before(o.End))
				}
				if !busy {
					return post, i, r
				}
			}
		}
		t.Fatal("no post block ends where a route starts with its officer free in that shift")
		return
	}
	cases := []edgeCase{
		{"base", set(base), nil, nil},
		{"mission missing from the plan", func(t *testing.T, p *Plan) { p.Missions = p.Missions[:0] }, []string{"missions"}, nil},

		// Max gap within a day: presence 2 moved so that the gap after presence 1 (which
		// ends at minute 60) is G, then G + 1; both in the day shift.
		{"gap G within a day", set(with(base, 1, sv{m, 180, 190})), nil, nil},
		{"gap G+1 within a day", set(with(base, 1, sv{m, 181, 191})), []string{"max gap"}, func(t *testing.T, vs []Violation) {
			if !strings.Contains(vs[0].Detail, "gap of 121 min") {
				t.Errorf("detail %q; want the 121-minute gap named", vs[0].Detail)
			}
		}},
		// The same across the day shift's end (presence 5 ends at 540 in the evening).
		{"gap G across a shift change", set(with(base, 4, sv{m, 540, 550})), nil, nil},
		{"gap G+1 across a shift change", set(with(base, 4, sv{m, 541, 551})), []string{"max gap"}, nil},

		// Max gap across days: day 1 ends its last presence at 1380 (G/2 before its end),
		// day 2's first presence starts at G/2, then G/2 + 1 (which also breaks day 2's
		// boundary: with one profile, a cross-day gap over G always does).
		{"gap G across days", func(t *testing.T, p *Plan) { schedule(t, day(p, 1), with(base, 0, sv{m, 60, 70})) }, nil, nil},
		{"gap G+1 across days", func(t *testing.T, p *Plan) { schedule(t, day(p, 1), with(base, 0, sv{m, 61, 71})) },
			[]string{"boundary", "max gap"}, func(t *testing.T, vs []Violation) {
				for _, v := range vs {
					if v.Rule == "max gap" && (v.Date != "2026-11-28" || !strings.Contains(v.Detail, "gap of 121 min across the day boundary")) {
						t.Errorf("max gap violation %v; want the 121-minute gap into 2026-11-28", v)
					}
				}
			}},

		// Boundary contract: the first presence at G/2 after the day's start, then G/2 + 1;
		// the last ending G/2 before the day's end, then G/2 + 1.
		{"first presence at G/2", set(with(base, 0, sv{m, 60, 70})), nil, nil},
		{"first presence at G/2+1", set(with(base, 0, sv{m, 61, 71})), []string{"boundary"}, nil},
		{"last presence ends G/2 before the end", set(with(base, 11, sv{m, 1369, 1380})), nil, nil},
		{"last presence ends G/2+1 before the end", set(with(base, 11, sv{m, 1369, 1379})), []string{"boundary"}, nil},
		// Minimum visits: 12 presences (base) pass; 11 that keep every gap do not.
		{"n-1 presences", set(eleven), []string{"minimum visits"}, func(t *testing.T, vs []Violation) {
			if !strings.Contains(vs[0].Detail, "11 presences; want at least 12") {
				t.Errorf("detail %q; want 11 of 12", vs[0].Detail)
			}
		}},

		// Dwell: 10 and 15 minutes pass, 9 and 16 do not.
		{"dwell at the minimum", set(with(base, 1, sv{m, 170, 180})), nil, nil},
		{"dwell one under", set(with(base, 1, sv{m, 170, 179})), []string{"dwell"}, nil},
		{"dwell at the maximum", set(with(base, 1, sv{m, 170, 185})), nil, nil},
		{"dwell one over", set(with(base, 1, sv{m, 170, 186})), []string{"dwell"}, nil},

		// A visit at the day shift's end: ending on it passes, one minute past it does not.
		{"visit ends with its shift", set(append(slices.Clone(base), sv{m, 470, 480})), nil, nil},
		{"visit one minute past its shift", set(append(slices.Clone(base), sv{m, 471, 481})), []string{"shift window"}, nil},

		// One unit, two routes in one shift (the second empty and uncrewed).
		{"unit in two routes", func(t *testing.T, p *Plan) {
			sd := day(p, 0)
			r := sd.Routes[0]
			r.Visits, r.Officers = []Visit{}, []string{}
			sd.Routes = append(sd.Routes, r)
		}, []string{"route"}, nil},

		// An officer who ends a post block where a route starts takes that route: adjacent
		// duties pass, a block one minute longer overlaps the route.
		{"officer adjacent duties", func(t *testing.T, p *Plan) {
			post, i, r := handover(t, p)
			r.Officers = []string{post.Blocks[i].Officer}
		}, nil, nil},
		{"officer in two places one minute", func(t *testing.T, p *Plan) {
			post, i, r := handover(t, p)
			r.Officers = []string{post.Blocks[i].Officer}
			post.Blocks[i].End = post.Blocks[i].End.Add(time.Minute)
			post.Blocks[i+1].Start = post.Blocks[i].End
		}, []string{"officer"}, nil},

		// Post staffing: a block boundary moved by a minute still covers the post; a block
		// ending a minute early leaves it uncovered, as does the last one.
		{"post block boundary moved", func(t *testing.T, p *Plan) {
			b := day(p, 0).Posts[0].Blocks
			b[0].End = b[0].End.Add(-time.Minute)
			b[1].Start = b[0].End
		}, nil, nil},
		{"post uncovered one minute", func(t *testing.T, p *Plan) {
			b := day(p, 0).Posts[0].Blocks
			b[0].End = b[0].End.Add(-time.Minute)
		}, []string{"post staffing"}, nil},
		{"post uncovered the last minute", func(t *testing.T, p *Plan) {
			b := day(p, 0).Posts[0].Blocks
			b[len(b)-1].End = b[len(b)-1].End.Add(-time.Minute)
		}, []string{"post staffing"}, nil},
		{"post missing", func(t *testing.T, p *Plan) { day(p, 0).Posts = []Post{} }, []string{"post staffing"}, nil},
	}
	runEdges(t, in, 2, base, cases)
}

// TestVerifyEdgesTravel doctors a plan of two threat-1 missions some hundreds of metres
// apart (max gap 720 min, dwell 5–10 min) served by one vehicle: a leg given exactly its
// travel time passes, one minute less does not, within a day and across the day boundary.
func TestVerifyEdgesTravel(t *testing.T) {
	const a, b = "emb-a", "emb-b"
	in := edgeInputs(t, map[string]int{a: 1, b: 1})
	need := TravelModel(in.Force)(Vehicle).Minutes(MissionPoint(in.Missions[0]), MissionPoint(in.Missions[1]))
	back := TravelModel(in.Force)(Vehicle).Minutes(MissionPoint(in.Missions[1]), MissionPoint(in.Missions[0]))
	if need < 2 || need > 30 || back != need {
		t.Fatalf("travel %s→%s %d min, back %d; the cases assume 2–30 min both ways", a, b, need, back)
	}
	// a then b in each shift, b reached exactly the travel time after a is left.
	base := []sv{
		{a, 200, 205}, {b, 205 + need, 210 + need},
		{a, 800, 805}, {b, 805 + need, 810 + need},
		{a, 1300, 1305}, {b, 1305 + need, 1310 + need},
	}
	day := func(p *Plan, i int) *ServiceDay { return &p.ServiceDays[i] }
	set := func(visits []sv) func(t *testing.T, p *Plan) {
		return func(t *testing.T, p *Plan) { schedule(t, day(p, 0), visits) }
	}
	// Day 1 ends at b, leaving it `need` minutes before the day's end (minus short); day 2
	// starts at a at minute 0.
	acrossDays := func(short int) func(t *testing.T, p *Plan) {
		return func(t *testing.T, p *Plan) {
			schedule(t, day(p, 0), with(base, 5, sv{b, 1435 - need + short, 1440 - need + short}))
			schedule(t, day(p, 1), append([]sv{{a, 0, 5}}, base...))
		}
	}
	cases := []edgeCase{
		{"base", set(base), nil, nil},
		{"leg of exactly the travel time", set(with(base, 3, sv{b, 805 + need, 812 + need})), nil, nil},
		{"leg one minute short", set(with(base, 3, sv{b, 804 + need, 810 + need})), []string{"travel"}, func(t *testing.T, vs []Violation) {
			if vs[0].Subject != "wfo-v01" {
				t.Errorf("travel violation of %q; want wfo-v01", vs[0].Subject)
			}
		}},
		{"same unit at two missions at once", set(with(base, 1, sv{b, 203, 208})), []string{"travel"}, nil},
		{"leg across days of exactly the travel time", acrossDays(0), nil, nil},
		{"leg across days one minute short", acrossDays(1), []string{"travel"}, func(t *testing.T, vs []Violation) {
			if vs[0].Date != "2026-11-28" {
				t.Errorf("travel violation dated %s; want 2026-11-28", vs[0].Date)
			}
		}},
	}
	runEdges(t, in, 2, base, cases)
}

// TestPlanDaysRefusesViolations reaches the path where PlanDays finds violations in the
// plan it made and returns an error instead of the plan. The fault is injected through the
// inputs, with no hook in the planner: a threat profile whose dwell range is 0–0 minutes.
// The planner schedules visits of no length; Verify refuses a visit without dwell. (Two
// missions with one id are refused earlier, by the zoning; an inverted dwell range such as
// 10–5 makes the planner panic in rand.IntN, so it is not used here.)
func TestPlanDaysRefusesViolations(t *testing.T) {
	in := edgeInputs(t, map[string]int{"emb-a": 2, "emb-b": 2})
	if _, err := PlanDays(in, PlanOptions{Key: testKey, From: edgeDate, Days: 1}); err != nil {
		t.Fatalf("PlanDays(valid inputs) error: %v", err)
	}
	in.Force.Profiles[2].DwellMinutes = [2]int{0, 0}
	p, err := PlanDays(in, PlanOptions{Key: testKey, From: edgeDate, Days: 1})
	var ie *InfeasibleError
	if p != nil || !errors.As(err, &ie) || !errors.Is(err, ErrInfeasible) {
		t.Fatalf("PlanDays(dwell 0–0) = plan %v, %v; want no plan and an *InfeasibleError", p != nil, err)
	}
	if !strings.Contains(ie.Missing, "the plan breaks a hard rule: 2026-11-27 route: wfo-v01: visit to emb-") ||
		!strings.Contains(err.Error(), "has no dwell") {
		t.Errorf("error %q; want the broken hard rule (a visit without dwell) named", err)
	}
}
