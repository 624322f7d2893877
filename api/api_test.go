package api

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/jonboulle/clockwork"

	"vigil/fixtures"
	"vigil/scheduler"
	"vigil/scheduler/boltstore"
)

// testMaster is a fixed master key: tests are deterministic.
var testMaster = bytes.Repeat([]byte{0x42}, scheduler.MasterKeySize)

// fakeClock is a settable fake clock.
type fakeClock struct{ *clockwork.FakeClock }

func (c *fakeClock) Set(t time.Time)     { c.Advance(t.Sub(c.Now())) }
func (c *fakeClock) Add(d time.Duration) { c.Advance(d) }

type harness struct {
	t     *testing.T
	srv   *Server
	store scheduler.Store
	clock *fakeClock
	ds    *fixtures.Dataset
	logs  *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}
func (b *syncBuffer) String() string { b.mu.Lock(); defer b.mu.Unlock(); return b.b.String() }

// bosLoc is Boston's zone; the tests work in the small bos region (3 missions, 1 unit).
var bosLoc = mustLoc("America/New_York")

func mustLoc(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

// start is 10:00 on service date 2026-11-27 in Boston: the day shift is running.
var start = time.Date(2026, 11, 27, 10, 0, 0, 0, bosLoc)

func newHarness(t *testing.T) *harness {
	t.Helper()
	ds, st := seededStore(t)
	return newHarnessOn(t, ds, st)
}

// newHarnessOn is newHarness over st, seeded with ds.
func newHarnessOn(t *testing.T, ds *fixtures.Dataset, st scheduler.Store) *harness {
	t.Helper()
	clock := &fakeClock{clockwork.NewFakeClockAt(start)}
	logs := &syncBuffer{}
	srv := New(Config{
		Logger: slog.New(slog.NewJSONHandler(logs, nil)), Store: st, Offices: ds.Offices,
		MasterKey: testMaster, Clock: clock,
	})
	return &harness{t: t, srv: srv, store: st, clock: clock, ds: ds, logs: logs}
}

func (h *harness) token(role, region, officer string) string {
	h.t.Helper()
	tok, _, err := IssueToken(scheduler.TokenKey(testMaster), role, region, officer, 12*time.Hour, h.clock.Now().Add(-time.Minute))
	if err != nil {
		h.t.Fatal(err)
	}
	return tok
}

// do sends a request with the token (none when ""), returning the status and body.
func (h *harness) do(method, path, token, body string) (int, []byte) {
	h.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, r)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	h.srv.Handler().ServeHTTP(rec, req)
	return rec.Code, rec.Body.Bytes()
}

func (h *harness) getJSON(path, token string, v any) {
	h.t.Helper()
	code, body := h.do(http.MethodGet, path, token, "")
	if code != http.StatusOK {
		h.t.Fatalf("GET %s = %d %s; want 200", path, code, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		h.t.Fatalf("GET %s: %v", path, err)
	}
}

// crew returns the officer on bos-v01's route of the shift running at t, and an officer of
// bos who is not on it.
func (h *harness) crew(admin string, d scheduler.Date, t time.Time) (onRoute, other string, route scheduler.Route) {
	h.t.Helper()
	var u unitOut
	h.getJSON("/v1/plans/bos/"+d.String()+"/units/bos-v01", admin, &u)
	for _, r := range u.Routes {
		if !t.Before(r.Start) && t.Before(r.End) {
			route = r
		}
	}
	if len(route.Officers) == 0 || len(route.Visits) == 0 {
		h.t.Fatalf("no crewed route with visits for bos-v01 at %v: %+v", t, u.Routes)
	}
	onRoute = route.Officers[0]
	for n := 1; n <= 5; n++ {
		if id := scheduler.OfficerID("bos", n); !slices.Contains(route.Officers, id) {
			return onRoute, id, route
		}
	}
	h.t.Fatal("every bos officer is on the route")
	return
}

func TestHealthzStillOK(t *testing.T) {
	h := newHarness(t)
	for _, path := range []string{"/healthz", "/readyz", "/openapi.yaml", "/metrics"} {
		if code, body := h.do(http.MethodGet, path, "", ""); code != http.StatusOK {
			t.Errorf("GET %s = %d %s; want 200", path, code, body)
		}
	}
}

// TestAccessMatrix is the allow/deny matrix of DESIGN.md §5: every route with every role,
// officer A asking for officer B's data and a supervisor of another region.
func TestAccessMatrix(t *testing.T) {
	h := newHarness(t)
	d := scheduler.ServiceDateOf(start, scheduler.DefaultShifts(), bosLoc)
	admin := h.token(RoleAdmin, "", "")
	offA, offB, route := h.crew(admin, d, start)
	mission := route.Visits[0].Mission
	tokens := map[string]string{
		"admin":      admin,
		"supervisor": h.token(RoleSupervisor, "bos", ""),
		"other-sup":  h.token(RoleSupervisor, "chi", ""),
		"officer-A":  h.token(RoleOfficer, "", offA),
		"officer-B":  h.token(RoleOfficer, "", offB),
		"planner":    h.token(RolePlanner, "", ""),
		"none":       "",
	}
	roles := []string{"admin", "supervisor", "other-sup", "officer-A", "officer-B", "planner", "none"}
	D, far := d.String(), d.AddDays(5).String()
	const (
		ok  = http.StatusOK
		new = http.StatusCreated
		no  = http.StatusForbidden
		un  = http.StatusUnauthorized
	)
	tests := []struct {
		method, path, body string
		want               [7]int // in the order of roles
	}{
		{"GET", "/v1/regions", "", [7]int{ok, ok, ok, ok, ok, ok, un}},
		{"GET", "/v1/missions?region=bos", "", [7]int{ok, ok, no, ok, ok, ok, un}},
		{"GET", "/v1/missions?region=bos&flag=contacts", "", [7]int{ok, ok, no, no, no, no, un}},
		{"GET", "/v1/missions/" + mission, "", [7]int{ok, ok, no, ok, no, ok, un}},
		{"GET", "/v1/missions/" + mission + "/contacts", "", [7]int{ok, ok, no, ok, no, no, un}},
		{"PATCH", "/v1/missions/" + mission, `{"address":"1 Main St"}`, [7]int{ok, ok, no, no, no, no, un}},
		{"PUT", "/v1/missions/" + mission + "/contacts", `{"contacts":[{"name":"A","phone":"1"},{"name":"B","phone":"2"}]}`, [7]int{ok, ok, no, no, no, no, un}},
		{"POST", "/v1/missions", `{"id":"new-%s","name":"New","kind":"embassy","lat":42.36,"lon":-71.06,"threat":1,"region":"bos"}`, [7]int{new, new, no, no, no, no, un}},
		{"GET", "/v1/force/bos", "", [7]int{ok, ok, no, no, no, ok, un}},
		{"PATCH", "/v1/force/bos", `{"officers":5}`, [7]int{ok, ok, no, no, no, no, un}},
		{"GET", "/v1/zones?region=bos", "", [7]int{ok, ok, no, no, no, ok, un}},
		{"GET", "/v1/plans/bos/" + D, "", [7]int{ok, ok, no, no, no, no, un}},
		{"GET", "/v1/plans/bos/" + D + "?format=csv", "", [7]int{ok, ok, no, no, no, no, un}},
		{"GET", "/v1/plans/bos/" + far, "", [7]int{ok, no, no, no, no, no, un}},
		{"GET", "/v1/plans/bos/" + D + "/units/bos-v01", "", [7]int{ok, ok, no, ok, no, no, un}},
		{"GET", "/v1/plans/bos/" + D + "/posts", "", [7]int{ok, ok, no, no, no, no, un}},
		{"GET", "/v1/roster?region=bos", "", [7]int{ok, ok, no, ok, ok, no, un}},
		{"GET", "/v1/roster?region=bos&officer=" + offA, "", [7]int{ok, ok, no, ok, no, no, un}},
		{"GET", "/v1/me/assignments", "", [7]int{no, no, no, ok, ok, no, un}},
		{"GET", "/v1/audit", "", [7]int{ok, no, no, no, no, no, un}},
		{"POST", "/v1/tokens/revoke", `{"jti":"dummy-%s"}`, [7]int{ok, no, no, no, no, no, un}},
		{"POST", "/v1/simulations", `{"region":"bos","date":"2026-11-27","days":3,"train":2,"incidents":5}`, [7]int{ok, no, no, no, no, ok, un}},
	}
	for _, tt := range tests {
		for i, role := range roles {
			body := tt.body
			if strings.Contains(body, "%s") {
				body = strings.ReplaceAll(body, "%s", strings.ToLower(strings.ReplaceAll(role, "-", "")))
			}
			code, resp := h.do(tt.method, tt.path, tokens[role], body)
			if code != tt.want[i] {
				t.Errorf("%s %s as %s = %d %s; want %d", tt.method, tt.path, role, code, resp, tt.want[i])
			}
			if code >= 400 {
				var e errorBody
				if err := json.Unmarshal(resp, &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
					t.Errorf("%s %s as %s: error body %s is not {\"error\":{\"code\",\"message\"}}", tt.method, tt.path, role, resp)
				}
			}
		}
	}
}

func TestOfficerSeesNoThreat(t *testing.T) {
	h := newHarness(t)
	d := scheduler.ServiceDateOf(start, scheduler.DefaultShifts(), bosLoc)
	admin := h.token(RoleAdmin, "", "")
	offA, _, route := h.crew(admin, d, start)
	var m map[string]any
	h.getJSON("/v1/missions/"+route.Visits[0].Mission, h.token(RoleOfficer, "", offA), &m)
	if _, ok := m["threat"]; ok {
		t.Errorf("officer's view of a mission has a threat level: %v", m)
	}
	if _, ok := m["threat_history"]; ok {
		t.Errorf("officer's view of a mission has a threat history: %v", m)
	}
	h.getJSON("/v1/missions/"+route.Visits[0].Mission, h.token(RolePlanner, "", ""), &m)
	if _, ok := m["threat"]; !ok {
		t.Errorf("planner's view of a mission has no threat level: %v", m)
	}
	if _, ok := m["contacts"]; ok {
		t.Errorf("planner's view of a mission has contacts: %v", m)
	}
}

// TestReleaseWindow checks that an officer sees a shift's route only from
// release_before_minutes before it starts, and the roster ahead of that.
func TestReleaseWindow(t *testing.T) {
	h := newHarness(t)
	d := scheduler.ServiceDateOf(start, scheduler.DefaultShifts(), bosLoc)
	admin := h.token(RoleAdmin, "", "")
	wins := scheduler.ShiftWindows(d, scheduler.DefaultShifts(), bosLoc)
	evening := wins[1]
	var u unitOut
	h.getJSON("/v1/plans/bos/"+d.String()+"/units/bos-v01", admin, &u)
	var officer string
	for _, r := range u.Routes {
		if r.Shift == evening.Name && len(r.Officers) > 0 {
			officer = r.Officers[0]
		}
	}
	if officer == "" {
		t.Fatalf("no crewed evening route: %+v", u.Routes)
	}
	tok := h.token(RoleOfficer, "", officer)
	eveningRoutes := func() int {
		var a assignmentsOut
		h.getJSON("/v1/me/assignments?date="+d.String(), tok, &a)
		n := 0
		for _, r := range a.Routes {
			if r.Shift == evening.Name {
				n++
			}
		}
		if !slices.ContainsFunc(a.Shifts, func(s assignmentShift) bool { return s.Shift == evening.Name }) {
			t.Errorf("assignments of %s lack the evening shift of the roster: %+v", officer, a.Shifts)
		}
		return n
	}
	unitCode := func() int {
		code, _ := h.do("GET", "/v1/plans/bos/"+d.String()+"/units/bos-v01", tok, "")
		return code
	}
	release := evening.Start.Add(-60 * time.Minute)
	tests := []struct {
		at       time.Time
		routes   int
		unitCode int
	}{
		{release.Add(-time.Minute), 0, http.StatusForbidden},
		{release, 1, http.StatusOK},
		{evening.Start.Add(time.Hour), 1, http.StatusOK},
	}
	for _, tt := range tests {
		h.clock.Set(tt.at)
		if got := eveningRoutes(); got != tt.routes {
			t.Errorf("at %v: %s sees %d evening routes; want %d", tt.at, officer, got, tt.routes)
		}
		// Before release the officer is not on a released route of the unit (the day
		// shift is someone else's when the crews differ).
		if tt.routes > 0 {
			if got := unitCode(); got != tt.unitCode {
				t.Errorf("at %v: GET unit as %s = %d; want %d", tt.at, officer, got, tt.unitCode)
			}
		}
	}
	// The roster is known weeks ahead.
	var ro rosterOut
	h.getJSON("/v1/roster?from="+d.AddDays(14).String()+"&to="+d.AddDays(20).String(), tok, &ro)
	if len(ro.Days) != 7 {
		t.Fatalf("roster weeks ahead: %d days; want 7", len(ro.Days))
	}
	for _, day := range ro.Days {
		for _, s := range day.Shifts {
			if !slices.Equal(s.Officers, []string{officer}) {
				t.Errorf("officer's roster on %s lists %v; want only %s", day.Date, s.Officers, officer)
			}
		}
	}
}

// TestThreatChangeReplans raises a threat level through the API: the history keeps it,
// the day is re-planned from the change, and the plan served afterwards is the re-plan.
func TestThreatChangeReplans(t *testing.T) {
	h := newHarness(t)
	d := scheduler.ServiceDateOf(start, scheduler.DefaultShifts(), bosLoc)
	sup := h.token(RoleSupervisor, "bos", "")
	var before scheduler.Plan
	h.getJSON("/v1/plans/bos/"+d.String(), sup, &before)
	if before.ServiceDays[0].Revision != 0 {
		t.Fatalf("revision before any change = %d; want 0", before.ServiceDays[0].Revision)
	}
	until := start.Add(4 * time.Hour).Format(time.RFC3339)
	code, body := h.do("PATCH", "/v1/missions/cg-france-bos", sup, `{"threat":4,"until":"`+until+`"}`)
	if code != http.StatusOK {
		t.Fatalf("PATCH threat = %d %s; want 200", code, body)
	}
	var resp struct {
		Mission missionOut     `json:"mission"`
		Replan  *replanSummary `json:"replan"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		t.Fatal(err)
	}
	if resp.Replan == nil || resp.Replan.Revision != 1 || resp.Replan.Date != d.String() {
		t.Fatalf("replan = %+v; want revision 1 of %s", resp.Replan, d)
	}
	if resp.Replan.VisitsAdded == 0 {
		t.Errorf("raising threat 1 → 4 added no visits: %+v", resp.Replan)
	}
	if n := len(resp.Mission.ThreatHistory); n != 2 || resp.Mission.ThreatHistory[1].Threat != 4 || resp.Mission.ThreatHistory[1].Until == nil {
		t.Errorf("threat history = %+v; want the raise to 4 with until", resp.Mission.ThreatHistory)
	}
	if resp.Mission.Threat == nil || *resp.Mission.Threat != 4 {
		t.Errorf("threat now = %v; want 4", resp.Mission.Threat)
	}
	var after scheduler.Plan
	h.getJSON("/v1/plans/bos/"+d.String(), sup, &after)
	sd := after.ServiceDays[0]
	if sd.Revision != 1 || sd.Version != resp.Replan.Version || sd.Version == before.ServiceDays[0].Version {
		t.Errorf("plan after change: revision %d version %s; want 1, %s", sd.Revision, sd.Version, resp.Replan.Version)
	}
	// Visits that started before the change are kept.
	kept := visitSet(sd)
	for k := range visitSet(before.ServiceDays[0]) {
		if k.arrive < start.Unix() && !kept[k] {
			t.Errorf("visit %+v before the change was dropped", k)
		}
	}
	// After until the level is back to 1.
	h.clock.Set(start.Add(5 * time.Hour))
	var m missionOut
	h.getJSON("/v1/missions/cg-france-bos", sup, &m)
	if m.Threat == nil || *m.Threat != 1 {
		t.Errorf("threat after until = %v; want 1", m.Threat)
	}
	// A backdated change is refused.
	if code, body := h.do("PATCH", "/v1/missions/cg-france-bos", sup, `{"threat":3,"from":"2020-01-01T00:00:00Z"}`); code != http.StatusBadRequest {
		t.Errorf("backdated threat change = %d %s; want 400", code, body)
	}
}

func TestTokensRefused(t *testing.T) {
	h := newHarness(t)
	key := scheduler.TokenKey(testMaster)
	now := h.clock.Now()
	good, jti, err := IssueToken(key, RoleAdmin, "", "", time.Hour, now)
	if err != nil {
		t.Fatal(err)
	}
	other, _, _ := IssueToken(scheduler.TokenKey(bytes.Repeat([]byte{1}, 32)), RoleAdmin, "", "", time.Hour, now)
	expired, _, _ := IssueToken(key, RoleAdmin, "", "", time.Hour, now.Add(-2*time.Hour))
	future, _, _ := IssueToken(key, RoleAdmin, "", "", time.Hour, now.Add(time.Hour))
	parts := strings.Split(good, ".")
	none := b64(`{"alg":"none","typ":"JWT"}`) + "." + parts[1] + "."
	hs512 := mustSign(t, "HS512", parts[1], key)
	tests := []struct {
		name, token string
		want        int
	}{
		{"good", good, http.StatusOK},
		{"alg none", none, http.StatusUnauthorized},
		{"HS512", hs512, http.StatusUnauthorized},
		{"other key", other, http.StatusUnauthorized},
		{"expired", expired, http.StatusUnauthorized},
		{"not yet valid", future, http.StatusUnauthorized},
		{"garbage", "abc.def.ghi", http.StatusUnauthorized},
	}
	for _, tt := range tests {
		if code, body := h.do("GET", "/v1/regions", tt.token, ""); code != tt.want {
			t.Errorf("GET /v1/regions with %s token = %d %s; want %d", tt.name, code, body, tt.want)
		}
	}
	if code, body := h.do("POST", "/v1/tokens/revoke", good, `{"jti":"`+jti+`"}`); code != http.StatusOK {
		t.Fatalf("revoke = %d %s", code, body)
	}
	if code, _ := h.do("GET", "/v1/regions", good, ""); code != http.StatusUnauthorized {
		t.Errorf("GET with a revoked token = %d; want 401", code)
	}
	for _, bad := range []struct{ role, region, officer string }{
		{"root", "", ""}, {RoleSupervisor, "", ""}, {RoleOfficer, "", "bob"}, {RoleAdmin, "wfo", ""},
	} {
		if _, _, err := IssueToken(key, bad.role, bad.region, bad.officer, time.Hour, now); err == nil {
			t.Errorf("IssueToken(%q, %q, %q) = nil error; want one", bad.role, bad.region, bad.officer)
		}
	}
}

// TestAuditedReads checks that every live plan read lands in the audit log.
func TestAuditedReads(t *testing.T) {
	h := newHarness(t)
	d := scheduler.ServiceDateOf(start, scheduler.DefaultShifts(), bosLoc).String()
	sup := h.token(RoleSupervisor, "bos", "")
	for _, p := range []string{"/v1/plans/bos/" + d, "/v1/plans/bos/" + d + "/posts", "/v1/plans/bos/" + d + "/units/bos-v01"} {
		if code, body := h.do("GET", p, sup, ""); code != http.StatusOK {
			t.Fatalf("GET %s = %d %s", p, code, body)
		}
	}
	h.do("GET", "/v1/plans/chi/"+d, sup, "") // refused: not audited as a read
	var out struct {
		Records []scheduler.AuditRecord `json:"records"`
	}
	h.getJSON("/v1/audit", h.token(RoleAdmin, "", ""), &out)
	if len(out.Records) != 3 {
		t.Fatalf("audit log has %d records; want 3: %+v", len(out.Records), out.Records)
	}
	for _, r := range out.Records {
		if r.Role != RoleSupervisor || r.Region != "bos" || !strings.HasPrefix(r.Target, "/v1/plans/bos/") {
			t.Errorf("audit record %+v; want a bos supervisor's plan read", r)
		}
	}
}

// TestLogsHoldNoSecret checks that neither tokens nor keys reach the logs.
func TestLogsHoldNoSecret(t *testing.T) {
	h := newHarness(t)
	tok := h.token(RoleAdmin, "", "")
	h.do("GET", "/v1/regions", tok, "")
	h.do("GET", "/v1/regions?token="+tok, "bad-"+tok, "")
	h.do("GET", "/v1/nope", tok, "")
	logs := h.logs.String()
	if !strings.Contains(logs, "/v1/regions") {
		t.Fatalf("logs lack the requests: %s", logs)
	}
	sig := tok[strings.LastIndex(tok, ".")+1:]
	for name, secret := range map[string]string{
		"token signature": sig,
		"master key":      hex.EncodeToString(testMaster),
		"token key":       hex.EncodeToString(scheduler.TokenKey(testMaster)),
		"plan key":        hex.EncodeToString(scheduler.PlanKey(testMaster)),
	} {
		if strings.Contains(logs, secret) {
			t.Errorf("logs contain the %s", name)
		}
	}
}

func TestValidation(t *testing.T) {
	h := newHarness(t)
	admin := h.token(RoleAdmin, "", "")
	tests := []struct {
		method, path, body string
		want               int
	}{
		{"POST", "/v1/missions", `{"id":"Bad Id","name":"x","kind":"embassy","lat":1,"lon":1,"threat":1,"region":"bos"}`, 400},
		{"POST", "/v1/missions", `{"id":"ok","name":"x","kind":"castle","lat":1,"lon":1,"threat":1,"region":"bos"}`, 400},
		{"POST", "/v1/missions", `{"id":"ok","name":"x","kind":"embassy","lat":1,"lon":1,"threat":9,"region":"bos"}`, 400},
		{"POST", "/v1/missions", `{"id":"ok","name":"x","kind":"embassy","lat":1,"lon":1,"threat":1,"region":"bos","typo":1}`, 400},
		{"POST", "/v1/missions", `{"id":"ok","name":"x","kind":"embassy","lat":1,"lon":1,"threat":1,"region":"nowhere"}`, 404},
		{"POST", "/v1/missions", `{"id":"cg-france-bos","name":"x","kind":"embassy","lat":42.36,"lon":-71.06,"threat":1,"region":"bos"}`, 409},
		{"PATCH", "/v1/missions/cg-france-bos", `{"threat":0}`, 400},
		{"PATCH", "/v1/missions/cg-france-bos", `{"until":"2030-01-01T00:00:00Z"}`, 400},
		{"PATCH", "/v1/missions/nope", `{"name":"x"}`, 404},
		{"PUT", "/v1/missions/cg-france-bos/contacts", `{"contacts":[{"name":"","phone":"1"}]}`, 400},
		{"PATCH", "/v1/force/bos", `{"units":{"vehicle":-1}}`, 400},
		{"PATCH", "/v1/force/bos", `{"officers":1}`, 422},
		{"GET", "/v1/plans/bos/2026-13-01", "", 400},
		{"GET", "/v1/plans/bos/2026-11-27?format=pdf", "", 400},
		{"GET", "/v1/plans/nowhere/2026-11-27", "", 404},
		{"GET", "/v1/audit?limit=0", "", 400},
		{"DELETE", "/v1/missions/cg-france-bos", "", 204},
		{"DELETE", "/v1/missions/cg-france-bos", "", 404},
	}
	for _, tt := range tests {
		if code, body := h.do(tt.method, tt.path, admin, tt.body); code != tt.want {
			t.Errorf("%s %s %s = %d %s; want %d", tt.method, tt.path, tt.body, code, body, tt.want)
		}
	}
	var out struct {
		Missions []missionOut `json:"missions"`
	}
	h.getJSON("/v1/missions?region=bos&flag=contacts", admin, &out)
	if len(out.Missions) != 2 {
		t.Errorf("flag=contacts lists %d bos missions; want 2 (none has contacts, one deleted)", len(out.Missions))
	}
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// mustSign signs payload (already base64url) with alg and key, as an attacker could.
func mustSign(t *testing.T, alg, payload string, key []byte) string {
	t.Helper()
	signing := b64(`{"alg":"`+alg+`","typ":"JWT"}`) + "." + payload
	sig, err := jwt.GetSigningMethod(alg).Sign(signing, key)
	if err != nil {
		t.Fatal(err)
	}
	return signing + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// seededStore returns the shipped fixtures and a bbolt store in a temp dir seeded with
// them, threat levels set a day before start.
func seededStore(tb testing.TB) (*fixtures.Dataset, *boltstore.Store) {
	tb.Helper()
	ds, err := fixtures.Default()
	if err != nil {
		tb.Fatal(err)
	}
	st, err := boltstore.Open(filepath.Join(tb.TempDir(), "vigil.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	seedStore(tb, ds, st)
	return ds, st
}

// seedStore seeds st with the missions and forces of ds.
func seedStore(tb testing.TB, ds *fixtures.Dataset, st scheduler.Store) {
	tb.Helper()
	ms := []scheduler.MissionRecord{}
	for _, m := range ds.Missions {
		ms = append(ms, scheduler.NewMissionRecord(m, "fixtures", start.Add(-24*time.Hour)))
	}
	forces := []scheduler.RegionForce{}
	for _, f := range ds.Force.Regions {
		forces = append(forces, *f)
	}
	if _, err := st.Seed(context.Background(), ms, forces); err != nil {
		tb.Fatal(err)
	}
}
