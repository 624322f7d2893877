package api

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"vigil/geo"
	"vigil/scheduler"
)

// opsSetup returns the harness, the current date, an admin token and the crew of bos-v01
// in the running day shift.
func opsSetup(t *testing.T) (*harness, scheduler.Date, string, string, string, scheduler.Route) {
	h := newHarness(t)
	d := scheduler.ServiceDateOf(start, scheduler.DefaultShifts(), bosLoc)
	admin := h.token(RoleAdmin, "", "")
	on, other, route := h.crew(admin, d, start)
	return h, d, admin, on, other, route
}

// isolated returns a visit of the route whose mission has no other visit within an hour.
func isolated(t *testing.T, r scheduler.Route) scheduler.Visit {
	t.Helper()
	for _, v := range r.Visits {
		ok := v.Arrive.After(start)
		for _, w := range r.Visits {
			if w != v && w.Mission == v.Mission && (w.Arrive.Sub(v.Arrive)).Abs() < time.Hour {
				ok = false
			}
		}
		if ok {
			return v
		}
	}
	t.Fatalf("route %s has no isolated visit after %v", r.Unit, start)
	return scheduler.Visit{}
}

func (h *harness) missionPoint(id string) (float64, float64) {
	r, err := h.store.Mission(context.Background(), id)
	if err != nil {
		h.t.Fatal(err)
	}
	return r.Mission.Lat, r.Mission.Lon
}

func (h *harness) checkIn(tok, mission string, lat, lon float64) (int, scheduler.CheckIn) {
	h.t.Helper()
	body := fmt.Sprintf(`{"mission":%q,"lat":%v,"lon":%v,"client_time":"2026-11-27T09:58:00-05:00"}`, mission, lat, lon)
	code, out := h.do(http.MethodPost, "/v1/checkins", tok, body)
	var ci scheduler.CheckIn
	if code == http.StatusCreated {
		if err := json.Unmarshal(out, &ci); err != nil {
			h.t.Fatal(err)
		}
	}
	return code, ci
}

func TestCheckInVerifiedAndFlagged(t *testing.T) {
	h, _, _, on, other, route := opsSetup(t)
	v := isolated(t, route)
	lat, lon := h.missionPoint(v.Mission)
	onTok, otherTok := h.token(RoleOfficer, "", on), h.token(RoleOfficer, "", other)
	tests := []struct {
		name     string
		tok      string
		at       time.Time
		mission  string
		lat, lon float64
		reason   string
	}{
		{"verified", onTok, v.Arrive.Add(-5 * time.Minute), v.Mission, lat, lon, ""},
		{"verified late edge", onTok, v.Arrive.Add(15 * time.Minute), v.Mission, lat + 0.0005, lon, ""},
		{"too early", onTok, v.Arrive.Add(-20 * time.Minute), v.Mission, lat, lon, ReasonTooEarly},
		{"too late", onTok, v.Arrive.Add(16 * time.Minute), v.Mission, lat, lon, ReasonTooLate},
		{"outside area", onTok, v.Arrive, v.Mission, lat + 0.01, lon, ReasonOutsideArea},
		{"not on duty", otherTok, v.Arrive, v.Mission, lat, lon, ReasonNotOnDuty},
		{"unknown mission", onTok, v.Arrive, "emb-nowhere", lat, lon, ReasonUnknownMission},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.clock.Set(tt.at)
			code, ci := h.checkIn(tt.tok, tt.mission, tt.lat, tt.lon)
			if code != http.StatusCreated {
				t.Fatalf("POST /v1/checkins = %d; want 201", code)
			}
			if ci.Verified != (tt.reason == "") || ci.Reason != tt.reason {
				t.Errorf("check-in = verified %v reason %q; want reason %q", ci.Verified, ci.Reason, tt.reason)
			}
			if !ci.At.Equal(tt.at) || ci.ClientTime == nil {
				t.Errorf("check-in at %v client %v; want server time %v and the client's kept", ci.At, ci.ClientTime, tt.at)
			}
		})
	}
	d := scheduler.ServiceDateOf(v.Arrive, scheduler.DefaultShifts(), bosLoc)
	all, err := h.store.CheckIns(context.Background(), "bos", d)
	if err != nil || len(all) != len(tests) {
		t.Errorf("stored check-ins = %d, %v; want %d (flagged ones kept)", len(all), err, len(tests))
	}
	// A mission of the region the officer's unit does not visit near now.
	h.clock.Set(v.Arrive)
	if code, _ := h.do(http.MethodPost, "/v1/checkins", onTok, `{"mission":"x","lat":95,"lon":0}`); code != http.StatusBadRequest {
		t.Errorf("check-in at lat 95 = %d; want 400", code)
	}
}

// failingStore refuses check-ins.
type failingStore struct{ scheduler.Store }

func (failingStore) AddCheckIn(context.Context, scheduler.CheckIn) error {
	return fmt.Errorf("redis down: %w", scheduler.ErrUnavailable)
}

func TestCheckInNeverAcknowledgedUnstored(t *testing.T) {
	h, _, _, on, _, route := opsSetup(t)
	srv := New(Config{Store: failingStore{h.store}, Offices: h.ds.Offices, MasterKey: testMaster, Clock: h.clock})
	h.srv = srv
	v := isolated(t, route)
	lat, lon := h.missionPoint(v.Mission)
	h.clock.Set(v.Arrive)
	if code, _ := h.checkIn(h.token(RoleOfficer, "", on), v.Mission, lat, lon); code != http.StatusServiceUnavailable {
		t.Errorf("check-in with the store down = %d; want 503", code)
	}
}

func TestComplianceChangesWithCheckIns(t *testing.T) {
	h, d, _, on, _, route := opsSetup(t)
	sup := h.token(RoleSupervisor, "bos", "")
	onTok := h.token(RoleOfficer, "", on)
	path := "/v1/plans/bos/" + d.String() + "/compliance"
	var before complianceOut
	h.getJSON(path, sup, &before)
	// Check in at every visit of the route's next two hours, at the planned arrival.
	checked := 0
	for _, v := range route.Visits {
		if v.Arrive.Before(start) || v.Arrive.After(start.Add(2*time.Hour)) {
			continue
		}
		lat, lon := h.missionPoint(v.Mission)
		h.clock.Set(v.Arrive)
		if code, ci := h.checkIn(onTok, v.Mission, lat, lon); code != http.StatusCreated || !ci.Verified {
			t.Fatalf("check-in at %s %v = %d %+v; want verified", v.Mission, v.Arrive, code, ci)
		}
		checked++
	}
	h.clock.Set(start.Add(3 * time.Hour))
	var after complianceOut
	h.getJSON(path, sup, &after)
	if after.Figures.Done != checked || after.Figures.Verified != checked {
		t.Errorf("done %d verified %d; want %d each", after.Figures.Done, after.Figures.Verified, checked)
	}
	if after.Figures.Missed != after.Figures.Due-after.Figures.Done || len(after.Missed) != after.Figures.Missed {
		t.Errorf("missed %d (%d listed); want due %d − done %d", after.Figures.Missed, len(after.Missed), after.Figures.Due, after.Figures.Done)
	}
	for _, m := range after.Missed {
		if m.MissionName == "" || m.Arrive.Add(CheckInWindow).After(h.clock.Now()) {
			t.Errorf("missed visit %+v: want a name and an arrival at least 15 minutes past", m)
		}
	}
	t.Logf("at %s: planned %d, due %d, done %d, missed %d, pending %d, visit rate %.2f, missions compliant %.2f",
		before.AsOf.In(bosLoc).Format("15:04"), before.Figures.Planned, before.Figures.Due, before.Figures.Done, before.Figures.Missed,
		before.Figures.Pending, before.Figures.VisitRate, before.Figures.MissionsCompliant)
	t.Logf("at %s: planned %d, due %d, done %d, missed %d, pending %d, visit rate %.2f, missions compliant %.2f",
		after.AsOf.In(bosLoc).Format("15:04"), after.Figures.Planned, after.Figures.Due, after.Figures.Done, after.Figures.Missed,
		after.Figures.Pending, after.Figures.VisitRate, after.Figures.MissionsCompliant)
	if code, _ := h.do(http.MethodGet, path, onTok, ""); code != http.StatusForbidden {
		t.Errorf("officer GET compliance = %d; want 403", code)
	}
}

func TestCalendarFeed(t *testing.T) {
	h, _, _, on, _, _ := opsSetup(t)
	tok := h.token(RoleOfficer, "", on)
	var got struct{ URL string }
	h.getJSON("/v1/me/calendar", tok, &got)
	if !strings.HasPrefix(got.URL, "/v1/calendar/") || !strings.HasSuffix(got.URL, ".ics") {
		t.Fatalf("feed URL = %q; want /v1/calendar/{token}.ics", got.URL)
	}
	code, body := h.do(http.MethodGet, got.URL, "", "")
	if code != http.StatusOK {
		t.Fatalf("GET feed = %d %s; want 200", code, body)
	}
	cal, err := ics.ParseCalendar(strings.NewReader(string(body)))
	if err != nil {
		t.Fatalf("parse feed: %v", err)
	}
	duties, routes := 0, 0
	for _, ev := range cal.Events() {
		st, err := ev.GetStartAt()
		if err != nil {
			t.Fatalf("event %s: %v", ev.Id(), err)
		}
		switch {
		case strings.HasPrefix(ev.Id(), "duty-"):
			duties++
		case strings.HasPrefix(ev.Id(), "route-"):
			routes++
			if rel := st.Add(-60 * time.Minute); h.clock.Now().Before(rel) {
				t.Errorf("route %s starting %v is in the feed before its release", ev.Id(), st)
			}
		}
	}
	if duties < 10 || routes < 1 {
		t.Errorf("feed has %d duties and %d routes; want the roster weeks ahead and the released route", duties, routes)
	}
	if strings.Contains(h.logs.String(), strings.TrimSuffix(strings.TrimPrefix(got.URL, "/v1/calendar/"), ".ics")) {
		t.Error("the feed token appears in the logs")
	}
	// A new URL revokes the old one; DELETE revokes the new one.
	var again struct{ URL string }
	h.getJSON("/v1/me/calendar", tok, &again)
	if code, _ := h.do(http.MethodGet, got.URL, "", ""); code != http.StatusNotFound {
		t.Errorf("GET replaced feed = %d; want 404", code)
	}
	if code, _ := h.do(http.MethodDelete, "/v1/me/calendar", tok, ""); code != http.StatusNoContent {
		t.Errorf("DELETE /v1/me/calendar = %d; want 204", code)
	}
	if code, _ := h.do(http.MethodGet, again.URL, "", ""); code != http.StatusNotFound {
		t.Errorf("GET revoked feed = %d; want 404", code)
	}
}

// sse reads server-sent events from a live server.
type sse struct {
	resp *http.Response
	sc   *bufio.Scanner
}

func openSSE(t *testing.T, url, tok, last string) *sse {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url+"/v1/events", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	if last != "" {
		req.Header.Set("Last-Event-ID", last)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /v1/events = %d; want 200", resp.StatusCode)
	}
	return &sse{resp: resp, sc: bufio.NewScanner(resp.Body)}
}

// next returns the next event's id and type.
func (s *sse) next(t *testing.T) (id, typ string, data scheduler.Event) {
	t.Helper()
	for s.sc.Scan() {
		line := s.sc.Text()
		switch {
		case strings.HasPrefix(line, "id: "):
			id = line[4:]
		case strings.HasPrefix(line, "event: "):
			typ = line[7:]
		case strings.HasPrefix(line, "data: "):
			if err := json.Unmarshal([]byte(line[6:]), &data); err != nil {
				t.Fatal(err)
			}
		case line == "" && id != "":
			return id, typ, data
		}
	}
	t.Fatalf("event stream ended: %v", s.sc.Err())
	return
}

func TestEventsReconnect(t *testing.T) {
	h, _, _, on, other, route := opsSetup(t)
	h.srv.ops.poll = 20 * time.Millisecond
	ts := httptest.NewServer(h.srv.Handler())
	defer ts.Close()
	sup := h.token(RoleSupervisor, "bos", "")
	onTok, otherTok := h.token(RoleOfficer, "", on), h.token(RoleOfficer, "", other)
	v := isolated(t, route)
	lat, lon := h.missionPoint(v.Mission)
	h.clock.Set(v.Arrive)

	supStream := openSSE(t, ts.URL, sup, "")
	offStream := openSSE(t, ts.URL, otherTok, "")
	// A flagged check-in of `on` (outside the area): the supervisor sees it, `other` does not.
	if code, ci := h.checkIn(onTok, v.Mission, lat+0.01, lon); code != http.StatusCreated || ci.Verified {
		t.Fatalf("check-in = %d verified %v; want 201 flagged", code, ci.Verified)
	}
	id1, typ, ev := supStream.next(t)
	if typ != EventCheckInFlagged || ev.Region != "bos" {
		t.Fatalf("supervisor event = %s %+v; want checkin_flagged", typ, ev)
	}
	supStream.resp.Body.Close()
	// Two more while the supervisor is away: one of `other` (flagged: not on duty).
	h.checkIn(onTok, v.Mission, lat+0.02, lon)
	h.checkIn(otherTok, v.Mission, lat, lon)
	if _, _, ev := offStream.next(t); ev.Officers[0] != other {
		t.Errorf("officer %s got an event of %v; want only their own", other, ev.Officers)
	}
	offStream.resp.Body.Close()

	again := openSSE(t, ts.URL, sup, id1)
	defer again.resp.Body.Close()
	id2, _, e2 := again.next(t)
	id3, _, e3 := again.next(t)
	if id2 == id1 || id3 == id2 || e2.Officers[0] != on || e3.Officers[0] != other {
		t.Errorf("after reconnect got %s (%v), %s (%v); want the two events missed, in order", id2, e2.Officers, id3, e3.Officers)
	}
}

func TestResponseRanking(t *testing.T) {
	h, _, _, _, _, route := opsSetup(t)
	sup := h.token(RoleSupervisor, "bos", "")
	v := isolated(t, route)
	lat, lon := h.missionPoint(v.Mission)
	h.clock.Set(v.Arrive.Add(time.Minute)) // at the visit
	var out struct {
		AsOf  time.Time `json:"as_of"`
		Units []unitETA
		CC    map[string]any `json:"coordination_center"`
	}
	h.getJSON(fmt.Sprintf("/v1/response?region=bos&lat=%v&lon=%v", lat, lon), sup, &out)
	if len(out.Units) != 1 || out.Units[0].State != "at_visit" || out.Units[0].ETAMinutes != 0 {
		t.Errorf("units = %+v; want bos-v01 at the visit with ETA 0", out.Units)
	}
	if phones := fmt.Sprint(out.CC["phones"]); !strings.Contains(phones, "(202) 647-7277") || !strings.Contains(phones, "1-800-979-9331") {
		t.Errorf("coordination center = %v; want both 24-hour numbers", out.CC)
	}
	var canine struct{ Units []unitETA }
	h.getJSON(fmt.Sprintf("/v1/response?region=bos&lat=%v&lon=%v&capability=canine", lat, lon), sup, &canine)
	if len(canine.Units) != 0 {
		t.Errorf("canine units = %+v; want none (bos has no canine capability)", canine.Units)
	}
	if code, _ := h.do(http.MethodGet, "/v1/response?region=bos&lat=42&lon=-71", h.token(RolePlanner, "", ""), ""); code != http.StatusForbidden {
		t.Errorf("planner GET /v1/response = %d; want 403", code)
	}
}

func TestUnitPosition(t *testing.T) {
	t0 := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	points := map[string]geo.Point{"a": {Lat: 38.90, Lon: -77.00}, "b": {Lat: 38.95, Lon: -77.00}}
	tr := scheduler.DefaultTravel(scheduler.Vehicle)
	leg := tr.Minutes(points["a"], points["b"])
	rt := scheduler.Route{Visits: []scheduler.Visit{
		{Mission: "a", Arrive: t0, Depart: t0.Add(10 * time.Minute)},
		{Mission: "b", Arrive: t0.Add(time.Duration(60+leg) * time.Minute), Depart: t0.Add(time.Duration(70+leg) * time.Minute)},
	}}
	tests := []struct {
		at    time.Duration
		state string
		lat   float64
	}{
		{-5 * time.Minute, "waiting", 38.90},
		{5 * time.Minute, "at_visit", 38.90},
		{30 * time.Minute, "waiting", 38.90},
		{time.Duration(60+leg/2) * time.Minute, "travelling", 38.925},
		{time.Duration(65+leg) * time.Minute, "at_visit", 38.95},
	}
	for _, tt := range tests {
		p, state, ok := scheduler.PositionAt(rt, t0.Add(tt.at), func(m string) geo.Point { return points[m] }, tr)
		if !ok || string(state) != tt.state || math.Abs(p.Lat-tt.lat) > 0.002 {
			t.Errorf("PositionAt(t0%+v) = %v %s; want %s at lat %v", tt.at, p, state, tt.state, tt.lat)
		}
	}
}

func TestOutOfService(t *testing.T) {
	h, _, _, _, _, _ := opsSetup(t)
	sup := h.token(RoleSupervisor, "wfo", "") // wfo has units to take over
	code, body := h.do(http.MethodPost, "/v1/units/wfo-v01/out-of-service", h.token(RoleSupervisor, "chi", ""), "")
	if code != http.StatusForbidden {
		t.Errorf("other region's supervisor = %d %s; want 403", code, body)
	}
	code, body = h.do(http.MethodPost, "/v1/units/wfo-v01/out-of-service", sup, "")
	if code != http.StatusOK {
		t.Fatalf("out of service = %d %s; want 200", code, body)
	}
	var out struct{ Replan replanSummary }
	json.Unmarshal(body, &out)
	if out.Replan.Revision < 1 || out.Replan.VisitsDropped == 0 {
		t.Errorf("re-plan = %+v; want a new revision dropping the unit's later visits", out.Replan)
	}
	if code, _ := h.do(http.MethodPost, "/v1/units/wfo-v01/out-of-service", sup, ""); code != http.StatusConflict {
		t.Errorf("second out of service = %d; want 409", code)
	}
	if code, _ := h.do(http.MethodPost, "/v1/units/wfo-v99/out-of-service", sup, ""); code != http.StatusNotFound {
		t.Errorf("unknown unit = %d; want 404", code)
	}
	es, err := h.store.Events(context.Background(), "wfo", "", 100)
	if err != nil || len(es) == 0 || es[0].Type != EventUnitOutOfService {
		t.Errorf("events = %+v, %v; want unit_out_of_service first", es, err)
	}
	officerEvents := 0
	for _, e := range es {
		if e.Type == EventReplan && len(e.Officers) > 0 {
			officerEvents++
		}
	}
	if officerEvents == 0 {
		t.Errorf("no re-plan event for the unit's officers in %+v", es)
	}
	_ = errors.New
}
