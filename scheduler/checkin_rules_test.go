package scheduler

import (
	"slices"
	"testing"
	"time"

	"github.com/uber/h3-go/v4"
)

// Check-in verification at its edges, on hand-made routes (no planner), so that each rule
// of VerifyCheckIn, CheckInDays, Compliance and MergePresences is pinned to the minute and
// to the H3 ring (issue 19: the mutation run of `make mutate` counts on these).

var ciBase = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC) // 07:00 in New York

func ciMin(m int) time.Time { return ciBase.Add(time.Duration(m) * time.Minute) }

// ciMission is a mission and two points around it: one in a ring-1 neighbour cell of its
// resolution-10 cell (accepted) and one at grid distance 2 (refused), found with h3-go
// directly, not through InCheckInArea.
func ciMission(t *testing.T) (m Mission, near, far h3.LatLng) {
	t.Helper()
	m = Mission{ID: "emb-a", Name: "A", Lat: 38.9, Lon: -77.04, Threat: 5, Region: "wfo"}
	home := h3.LatLngToCell(h3.NewLatLng(m.Lat, m.Lon), CheckInResolution)
	ring1 := home.GridDisk(1)
	ring2 := home.GridDisk(2)
	for _, c := range ring1 {
		if c != home {
			near = c.LatLng()
			break
		}
	}
	for _, c := range ring2 {
		if !slices.Contains(ring1, c) {
			far = c.LatLng()
			break
		}
	}
	return m, near, far
}

// ciRoutes: officer o-wfo-001 on unit U1 from minute 0 to 480, visiting emb-a at 60–72
// and 300–310 and emb-b at 100–110; officer o-wfo-002 on U2 from 480 to 960 visiting
// emb-a at 600–615.
func ciRoutes() []Route {
	return []Route{
		{Unit: "U1", Officers: []string{"o-wfo-001", "o-wfo-003"}, Start: ciMin(0), End: ciMin(480), Visits: []Visit{
			{Mission: "emb-a", Arrive: ciMin(60), Depart: ciMin(72)},
			{Mission: "emb-b", Arrive: ciMin(100), Depart: ciMin(110)},
			{Mission: "emb-a", Arrive: ciMin(300), Depart: ciMin(310)},
		}},
		{Unit: "U2", Officers: []string{"o-wfo-002"}, Start: ciMin(480), End: ciMin(960), Visits: []Visit{
			{Mission: "emb-a", Arrive: ciMin(600), Depart: ciMin(615)},
		}},
	}
}

func TestCheckInVerifyEdges(t *testing.T) {
	m, near, far := ciMission(t)
	at := func(min int) time.Time { return ciMin(min) }
	cases := []struct {
		name    string
		officer string
		mission string
		when    time.Time
		lat     float64
		lon     float64
		nilM    bool
		reason  string // "" verified
		unit    string
		planned int // minute of the matched visit's arrival; -1 none
		dwell   int
	}{
		{"at arrival, mission cell", "o-wfo-001", "emb-a", at(60), m.Lat, m.Lon, false, "", "U1", 60, 12},
		{"15 min early", "o-wfo-001", "emb-a", at(45), m.Lat, m.Lon, false, "", "U1", 60, 12},
		{"16 min early", "o-wfo-001", "emb-a", at(44), m.Lat, m.Lon, false, ReasonTooEarly, "U1", 60, 12},
		{"15 min late", "o-wfo-001", "emb-a", at(75), m.Lat, m.Lon, false, "", "U1", 60, 12},
		{"16 min late", "o-wfo-001", "emb-a", at(76), m.Lat, m.Lon, false, ReasonTooLate, "U1", 60, 12},
		{"second officer of the unit", "o-wfo-003", "emb-a", at(61), m.Lat, m.Lon, false, "", "U1", 60, 12},
		{"ring-1 neighbour", "o-wfo-001", "emb-a", at(60), near.Lat, near.Lng, false, "", "U1", 60, 12},
		{"ring 2", "o-wfo-001", "emb-a", at(60), far.Lat, far.Lng, false, ReasonOutsideArea, "U1", 60, 12},
		{"closest of two visits: the later", "o-wfo-001", "emb-a", at(181), m.Lat, m.Lon, false, ReasonTooEarly, "U1", 300, 10},
		{"closest of two visits: the earlier", "o-wfo-001", "emb-a", at(179), m.Lat, m.Lon, false, ReasonTooLate, "U1", 60, 12},
		{"two visits equally close: the earlier", "o-wfo-001", "emb-a", at(180), m.Lat, m.Lon, false, ReasonTooLate, "U1", 60, 12},
		{"later visit on time", "o-wfo-001", "emb-a", at(301), m.Lat, m.Lon, false, "", "U1", 300, 10},
		{"mission not on the route", "o-wfo-001", "emb-z", at(60), m.Lat, m.Lon, false, ReasonNoPlannedVisit, "U1", -1, 0},
		{"unknown mission", "o-wfo-001", "emb-a", at(60), m.Lat, m.Lon, true, ReasonUnknownMission, "U1", 60, 12},
		{"officer on no route", "o-wfo-009", "emb-a", at(60), m.Lat, m.Lon, false, ReasonNotOnDuty, "", -1, 0},
		{"15 min before the shift", "o-wfo-002", "emb-a", at(465), m.Lat, m.Lon, false, ReasonTooEarly, "U2", 600, 15},
		{"16 min before the shift", "o-wfo-002", "emb-a", at(464), m.Lat, m.Lon, false, ReasonNotOnDuty, "", -1, 0},
		{"14 min after the shift", "o-wfo-001", "emb-a", at(494), m.Lat, m.Lon, false, ReasonTooLate, "U1", 300, 10},
		{"15 min after the shift", "o-wfo-001", "emb-a", at(495), m.Lat, m.Lon, false, ReasonNotOnDuty, "", -1, 0},
		{"next shift's visit", "o-wfo-002", "emb-a", at(614), m.Lat, m.Lon, false, "", "U2", 600, 15},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ci := &CheckIn{Officer: tc.officer, Mission: tc.mission, At: tc.when, Lat: tc.lat, Lon: tc.lon}
			mp := &m
			if tc.nilM {
				mp = nil
			}
			VerifyCheckIn(ci, ciRoutes(), mp)
			if ci.Verified != (tc.reason == "") || ci.Reason != tc.reason {
				t.Fatalf("verified %v reason %q; want reason %q", ci.Verified, ci.Reason, tc.reason)
			}
			if ci.Unit != tc.unit {
				t.Errorf("unit %q; want %q", ci.Unit, tc.unit)
			}
			switch {
			case tc.planned < 0 && ci.Planned != nil:
				t.Errorf("planned %v; want none", ci.Planned)
			case tc.planned >= 0 && (ci.Planned == nil || !ci.Planned.Equal(at(tc.planned)) || ci.Planned.Location() != time.UTC):
				t.Errorf("planned %v; want %v in UTC", ci.Planned, at(tc.planned))
			}
			if ci.Dwell != tc.dwell {
				t.Errorf("dwell %d; want %d", ci.Dwell, tc.dwell)
			}
		})
	}
}

// A check-in that names a unit keeps it when no visit matches; the first on-duty route
// fills it in otherwise.
func TestCheckInUnitKept(t *testing.T) {
	m, _, _ := ciMission(t)
	ci := &CheckIn{Officer: "o-wfo-001", Unit: "U7", Mission: "emb-z", At: ciMin(60), Lat: m.Lat, Lon: m.Lon}
	VerifyCheckIn(ci, ciRoutes(), &m)
	if ci.Unit != "U7" || ci.Reason != ReasonNoPlannedVisit {
		t.Fatalf("unit %q reason %q; want U7, %s", ci.Unit, ci.Reason, ReasonNoPlannedVisit)
	}
}

func TestCheckInDaysWindow(t *testing.T) {
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	d := Date{2026, 11, 27}
	start, _ := ServiceDayBounds(d, DefaultShifts(), loc)
	for _, tc := range []struct {
		after time.Duration
		want  []Date
	}{
		{0, []Date{d, d.AddDays(-1)}},
		{CheckInWindow - time.Minute, []Date{d, d.AddDays(-1)}},
		{CheckInWindow, []Date{d}},
		{3 * time.Hour, []Date{d}},
	} {
		if got := CheckInDays(d, start.Add(tc.after), DefaultShifts(), loc); !slices.Equal(got, tc.want) {
			t.Errorf("CheckInDays at start+%v = %v; want %v", tc.after, got, tc.want)
		}
	}
}

func TestCheckInAreaBadPoint(t *testing.T) {
	m, _, _ := ciMission(t)
	p := MissionPoint(m)
	if !InCheckInArea(p, p) {
		t.Fatal("a mission's own point is outside its area")
	}
	bad := p
	bad.Lat = 200
	if InCheckInArea(bad, p) || InCheckInArea(p, bad) {
		t.Fatal("a point off the globe is inside the area")
	}
}

func TestMergePresencesEdges(t *testing.T) {
	p := func(a, b int) Presence { return Presence{ciMin(a), ciMin(b)} }
	if got := MergePresences(nil); got == nil || len(got) != 0 {
		t.Fatalf("MergePresences(nil) = %#v; want empty, not nil", got)
	}
	got := MergePresences([]Presence{p(50, 60), p(0, 10), p(10, 20), p(12, 15), p(30, 40), p(35, 45), p(60, 61)})
	want := []Presence{p(0, 20), p(30, 45), p(50, 61)}
	if !slices.Equal(got, want) {
		t.Fatalf("MergePresences = %v; want %v", got, want)
	}
}

// ciPlan is a one-day plan of ciRoutes with missions emb-a (2 visits a day, max gap 218)
// and emb-b (1 a day, no gap rule).
func ciPlan() *Plan {
	return &Plan{
		Missions: []PlanMission{
			{ID: "emb-a", Name: "A", VisitsPerDay: 2, MaxGapMinutes: 218},
			{ID: "emb-b", Name: "B", VisitsPerDay: 1},
		},
		ServiceDays: []ServiceDay{{Date: "2026-11-27", Revision: 3, Start: ciMin(0), End: ciMin(1440), Routes: ciRoutes()}},
	}
}

func TestComplianceEdges(t *testing.T) {
	ok := func(unit, mission string, at, planned, dwell int) CheckIn {
		pl := ciMin(planned)
		return CheckIn{Officer: "o", Unit: unit, Mission: mission, At: ciMin(at), Verified: true, Planned: &pl, Dwell: dwell}
	}
	cis := []CheckIn{
		ok("U1", "emb-a", 62, 60, 12),   // emb-a 62–74
		ok("U1", "emb-a", 64, 60, 12),   // the same visit again: not a second done, presence merged
		ok("U1", "emb-a", 292, 300, 10), // emb-a 292–302: gap 218 after 74
		{Officer: "o", Mission: "emb-b", At: ciMin(100), Reason: ReasonOutsideArea},
		{Officer: "o", Mission: "emb-b", At: ciMin(101), Reason: ReasonOutsideArea},
		{Officer: "o", Mission: "emb-x", At: ciMin(5), Reason: ReasonUnknownMission},
		{Officer: "o", Mission: "emb-a", At: ciMin(7), Verified: true}, // verified without a planned visit: presence only
	}
	// At minute 615 the 60, 100 and 300 visits are due (arrival + 15 ≤ now) and the 600
	// visit is due exactly at its window's end.
	r := Compliance("wfo", Date{2026, 11, 27}, ciPlan(), cis, ciMin(615))
	f := r.Figures
	if r.Region != "wfo" || r.Date != "2026-11-27" || r.Revision != 3 || !r.AsOf.Equal(ciMin(615)) {
		t.Errorf("header %s %s rev %d as of %v", r.Region, r.Date, r.Revision, r.AsOf)
	}
	if f.Planned != 4 || f.Due != 4 || f.Done != 2 || f.Missed != 2 || f.Pending != 0 {
		t.Errorf("planned %d due %d done %d missed %d pending %d; want 4 4 2 2 0", f.Planned, f.Due, f.Done, f.Missed, f.Pending)
	}
	if f.VisitRate != 0.5 || f.CheckIns != 7 || f.Verified != 4 {
		t.Errorf("rate %v check-ins %d verified %d; want 0.5 7 4", f.VisitRate, f.CheckIns, f.Verified)
	}
	if f.Flagged[ReasonOutsideArea] != 2 || f.Flagged[ReasonUnknownMission] != 1 || len(f.Flagged) != 2 {
		t.Errorf("flagged %v", f.Flagged)
	}
	if len(r.Missed) != 2 || !r.Missed[0].Arrive.Equal(ciMin(100)) || !r.Missed[1].Arrive.Equal(ciMin(600)) || r.Missed[0].Status != VisitMissed {
		t.Errorf("missed %+v; want the 100 and 600 visits in order", r.Missed)
	}
	if len(r.Visits) != 4 || r.Visits[0].Status != VisitDone || !r.Visits[0].CheckedInAt.Equal(ciMin(62)) || r.Visits[0].MissionName != "A" {
		t.Errorf("first visit %+v; want done at 62 (the first check-in), mission A", r.Visits[0])
	}
	for i := 1; i < len(r.Visits); i++ {
		if r.Visits[i].Arrive.Before(r.Visits[i-1].Arrive) {
			t.Errorf("visits out of order at %d", i)
		}
	}
	a, b := r.Missions[0], r.Missions[1]
	// emb-a presences: 7–7 (dwell 0), 62–76 merged, 292–302: three; the longest gap is
	// 292 − 76 = 216.
	if a.Planned != 3 || a.Realized != 3 || a.LongestGapMin != 216 || !a.GapKept || !a.MinimumReached {
		t.Errorf("emb-a %+v", a)
	}
	if b.Planned != 1 || b.Realized != 0 || !b.GapKept || b.MinimumReached {
		t.Errorf("emb-b %+v", b)
	}
	if f.MissionsCompliant != 0.5 {
		t.Errorf("missions compliant %v; want 0.5", f.MissionsCompliant)
	}

	// One minute earlier the 600 visit is still pending; the gap rule at 215 is broken.
	p := ciPlan()
	p.Missions[0].MaxGapMinutes = 215
	p.Missions[0].VisitsPerDay = 4
	r = Compliance("wfo", Date{2026, 11, 27}, p, cis, ciMin(614))
	f = r.Figures
	if f.Due != 3 || f.Pending != 1 || f.Missed != 1 || f.Done != 2 || r.Visits[3].Status != VisitPending {
		t.Errorf("at 614: due %d pending %d missed %d done %d; want 3 1 1 2", f.Due, f.Pending, f.Missed, f.Done)
	}
	if f.VisitRate != 2.0/3 {
		t.Errorf("rate %v; want 2/3", f.VisitRate)
	}
	if a := r.Missions[0]; a.GapKept || a.MinimumReached {
		t.Errorf("emb-a with max gap 215 and 4 a day: %+v", a)
	}
	if f.MissionsCompliant != 0 {
		t.Errorf("missions compliant %v; want 0", f.MissionsCompliant)
	}
	// Exactly at the gap limit the gap is kept; exactly the minimum is reached; no max
	// gap (0) keeps any gap.
	p.Missions[0].MaxGapMinutes = 216
	p.Missions[0].VisitsPerDay = 3
	if a := Compliance("wfo", Date{2026, 11, 27}, p, cis, ciMin(614)).Missions[0]; !a.GapKept || !a.MinimumReached {
		t.Errorf("gap 216 with max 216, 3 presences of 3: %+v; want gap kept, minimum reached", a)
	}
	p.Missions[0].MaxGapMinutes = 0
	if a := Compliance("wfo", Date{2026, 11, 27}, p, cis, ciMin(614)).Missions[0]; !a.GapKept {
		t.Errorf("gap 216 with no max gap: %+v; want kept", a)
	}

	// Nothing due yet: the rate is 1; no missions: none compliant, no division.
	r = Compliance("wfo", Date{2026, 11, 27}, ciPlan(), nil, ciMin(0))
	if r.Figures.VisitRate != 1 || r.Figures.Due != 0 || r.Figures.Pending != 4 {
		t.Errorf("at 0: %+v", r.Figures)
	}
	empty := ciPlan()
	empty.Missions = nil
	if r := Compliance("wfo", Date{2026, 11, 27}, empty, nil, ciMin(0)); r.Figures.MissionsCompliant != 0 || len(r.Missions) != 0 {
		t.Errorf("no missions: %+v", r.Figures)
	}
}
