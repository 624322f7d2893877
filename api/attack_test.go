package api

import (
	"bufio"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"vigil/scheduler"
)

// TestTamperedTokens refuses tokens whose payload was changed after signing, tokens
// signed right but with claims that do not fit, and tokens anywhere but the header
// (TestTokensRefused covers alg none, HS512, another key, expired, not yet valid,
// revoked).
func TestTamperedTokens(t *testing.T) {
	h := newHarness(t)
	key := scheduler.TokenKey(testMaster)
	now := h.clock.Now()
	off := h.token(RoleOfficer, "", "o-bos-001")
	sup := h.token(RoleSupervisor, "bos", "")
	exp := now.Add(time.Hour).Unix()
	swap := func(tok, payload string) string {
		p := strings.Split(tok, ".")
		return p[0] + "." + b64(payload) + "." + p[2]
	}
	signed := func(payload string) string { return mustSign(t, "HS256", b64(payload), key) }
	tests := []struct {
		name, token string
	}{
		{"officer payload made admin", swap(off, `{"role":"admin","jti":"x","exp":`+itoa(exp)+`}`)},
		{"supervisor region bos made chi", swap(sup, `{"role":"supervisor","region":"chi","jti":"x","exp":`+itoa(exp)+`}`)},
		{"officer id changed", swap(off, `{"role":"officer","officer":"o-bos-002","jti":"x","exp":`+itoa(exp)+`}`)},
		{"signature dropped", strings.Join(strings.Split(off, ".")[:2], ".") + "."},
		{"signature of another token", strings.Join(strings.Split(off, ".")[:2], ".") + "." + strings.Split(sup, ".")[2]},
		{"alg None", b64(`{"alg":"None","typ":"JWT"}`) + "." + strings.Split(off, ".")[1] + "."},
		{"alg NONE", b64(`{"alg":"NONE"}`) + "." + strings.Split(off, ".")[1] + "."},
		{"wrong role, right key", signed(`{"role":"root","jti":"x","exp":` + itoa(exp) + `}`)},
		{"admin with a region", signed(`{"role":"admin","region":"bos","jti":"x","exp":` + itoa(exp) + `}`)},
		{"supervisor without region", signed(`{"role":"supervisor","jti":"x","exp":` + itoa(exp) + `}`)},
		{"officer of another region", signed(`{"role":"officer","officer":"o-bos-001","region":"chi","jti":"x","exp":` + itoa(exp) + `}`)},
		{"no expiry", signed(`{"role":"admin","jti":"x"}`)},
		{"no id", signed(`{"role":"admin","exp":` + itoa(exp) + `}`)},
		{"expired a second ago", signed(`{"role":"admin","jti":"x","exp":` + itoa(now.Unix()-1) + `}`)},
		{"not valid for an hour", signed(`{"role":"admin","jti":"x","exp":` + itoa(exp+3600) + `,"nbf":` + itoa(exp) + `}`)},
		{"empty key", mustSign(t, "HS256", b64(`{"role":"admin","jti":"x","exp":`+itoa(exp)+`}`), []byte{})},
		{"master key instead of token key", mustSign(t, "HS256", b64(`{"role":"admin","jti":"x","exp":`+itoa(exp)+`}`), testMaster)},
		{"plan key instead of token key", mustSign(t, "HS256", b64(`{"role":"admin","jti":"x","exp":`+itoa(exp)+`}`), scheduler.PlanKey(testMaster))},
	}
	for _, tt := range tests {
		code, body := h.do("GET", "/v1/regions", tt.token, "")
		if code != http.StatusUnauthorized {
			t.Errorf("GET /v1/regions with %s = %d %s; want 401", tt.name, code, body)
		}
		if code, _ := h.do("GET", "/v1/audit", tt.token, ""); code != http.StatusUnauthorized {
			t.Errorf("GET /v1/audit with %s = %d; want 401", tt.name, code)
		}
	}
	// A good token sent anywhere but the Authorization header is no credential.
	admin := h.token(RoleAdmin, "", "")
	for _, p := range []string{"/v1/regions?token=" + admin, "/v1/regions?access_token=" + admin, "/v1/regions?jwt=" + admin} {
		if code, _ := h.do("GET", p, "", ""); code != http.StatusUnauthorized {
			t.Errorf("GET %s (token in the URL) = %d; want 401", short(p), code)
		}
	}
	for _, hd := range []string{"Bearer", "bearer " + admin, "Basic " + admin, "Bearer  " + admin, admin} {
		req := httptest.NewRequest("GET", "/v1/regions", nil)
		req.Header.Set("Authorization", hd)
		rec := httptest.NewRecorder()
		h.srv.Handler().ServeHTTP(rec, req)
		if rec.Code != http.StatusUnauthorized {
			t.Errorf("GET /v1/regions with Authorization %q = %d; want 401", short(hd), rec.Code)
		}
	}
	// A session cookie alone does not change anything without the CSRF token.
	req := httptest.NewRequest("POST", "/v1/tokens/revoke", strings.NewReader(`{"jti":"x"}`))
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: admin})
	rec := httptest.NewRecorder()
	h.srv.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusForbidden {
		t.Errorf("POST with the session cookie and no CSRF token = %d %s; want 403", rec.Code, rec.Body)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestOfficerCannotReachAnother has officer B ask for officer A's data by every route.
func TestOfficerCannotReachAnother(t *testing.T) {
	h, d, admin, offA, offB, route := opsSetup(t)
	D := d.String()
	tokA, tokB := h.token(RoleOfficer, "", offA), h.token(RoleOfficer, "", offB)
	mission := route.Visits[0].Mission
	var bDay assignmentsOut
	h.getJSON("/v1/me/assignments?date="+D, tokB, &bDay)
	bMissions := map[string]bool{}
	for _, r := range bDay.Routes {
		for _, v := range r.Visits {
			bMissions[v.Mission] = true
		}
	}
	for _, p := range bDay.Posts {
		bMissions[p.Mission] = true
	}
	tests := []struct {
		method, path, body string
		want               int
	}{
		{"GET", "/v1/plans/bos/" + D + "/units/" + route.Unit, "", http.StatusForbidden},
		{"GET", "/v1/plans/bos/" + D, "", http.StatusForbidden},
		{"GET", "/v1/plans/bos/" + D + "/posts", "", http.StatusForbidden},
		{"GET", "/v1/plans/bos/" + D + "/compliance", "", http.StatusForbidden},
		{"GET", "/v1/roster?region=bos&officer=" + offA, "", http.StatusForbidden},
		{"GET", "/v1/roster?officer=" + offA, "", http.StatusForbidden},
		{"GET", "/v1/missions?region=bos&flag=contacts", "", http.StatusForbidden},
		{"GET", "/v1/response?region=bos&lat=42.35&lon=-71.06", "", http.StatusForbidden},
		{"GET", "/v1/audit", "", http.StatusForbidden},
		{"POST", "/v1/units/" + route.Unit + "/out-of-service", "", http.StatusForbidden},
		{"PATCH", "/v1/missions/" + mission, `{"name":"x"}`, http.StatusForbidden},
		{"POST", "/v1/checkins", `{"mission":"` + mission + `","lat":42.35,"lon":-71.06,"officer":"` + offA + `"}`, http.StatusBadRequest},
	}
	if !bMissions[mission] {
		tests = append(tests,
			struct {
				method, path, body string
				want               int
			}{"GET", "/v1/missions/" + mission, "", http.StatusForbidden},
			struct {
				method, path, body string
				want               int
			}{"GET", "/v1/missions/" + mission + "/contacts", "", http.StatusForbidden})
	}
	for _, tt := range tests {
		if code, body := h.do(tt.method, tt.path, tokB, tt.body); code != tt.want {
			t.Errorf("%s %s as %s (A is %s) = %d %s; want %d", tt.method, tt.path, offB, offA, code, short(string(body)), tt.want)
		}
	}
	// Parameters naming A are ignored where the route is one's own.
	for _, p := range []string{"/v1/me/assignments?date=" + D + "&officer=" + offA, "/v1/me/assignments?officer=" + offA + "&region=bos"} {
		var a assignmentsOut
		h.getJSON(p, tokB, &a)
		if a.Officer != offB {
			t.Errorf("GET %s as %s answers officer %s; want %s", p, offB, a.Officer, offB)
		}
		for _, r := range a.Routes {
			if !slices.Contains(r.Officers, offB) {
				t.Errorf("GET %s as %s lists route %s %s of %v", p, offB, r.Unit, r.Shift, r.Officers)
			}
		}
	}
	// The mission list holds only B's released missions.
	var ml struct {
		Missions []missionOut `json:"missions"`
	}
	h.getJSON("/v1/missions?region=bos", tokB, &ml)
	for _, m := range ml.Missions {
		if !bMissions[m.ID] {
			t.Errorf("officer %s's mission list has %s, not on their released routes", offB, m.ID)
		}
	}
	// B's calendar feed names no one else's duty.
	var feed struct{ URL string }
	h.getJSON("/v1/me/calendar", tokB, &feed)
	code, body := h.do("GET", feed.URL, "", "")
	if code != http.StatusOK {
		t.Fatalf("GET B's feed = %d", code)
	}
	if strings.Contains(string(body), offA) {
		t.Errorf("officer %s's calendar feed names %s", offB, offA)
	}
	// B checking in at A's visit is flagged, and does not count as A's visit done.
	v := isolated(t, route)
	lat, lon := h.missionPoint(v.Mission)
	h.clock.Set(v.Arrive)
	var before complianceOut
	h.getJSON("/v1/plans/bos/"+D+"/compliance", admin, &before)
	if code, ci := h.checkIn(tokB, v.Mission, lat, lon); code != http.StatusCreated || ci.Verified || ci.Officer != offB {
		t.Errorf("B's check-in at A's visit = %d verified %v officer %s; want 201, flagged, B's", code, ci.Verified, ci.Officer)
	}
	var after complianceOut
	h.getJSON("/v1/plans/bos/"+D+"/compliance", admin, &after)
	if after.Figures.Done != before.Figures.Done {
		t.Errorf("done visits %d → %d after B's check-in at A's visit; want unchanged", before.Figures.Done, after.Figures.Done)
	}
	// A's own check-in there counts.
	if code, ci := h.checkIn(tokA, v.Mission, lat, lon); code != http.StatusCreated || !ci.Verified {
		t.Errorf("A's check-in = %d verified %v; want 201 verified", code, ci.Verified)
	}
}

// TestSupervisorOtherRegion has a supervisor of chi ask for bos by every route: refused,
// never answered.
func TestSupervisorOtherRegion(t *testing.T) {
	h, d, _, _, _, route := opsSetup(t)
	D := d.String()
	chi := h.token(RoleSupervisor, "chi", "")
	mission := route.Visits[0].Mission
	for _, tt := range []struct{ method, path, body string }{
		{"GET", "/v1/missions?region=bos", ""},
		{"GET", "/v1/missions?region=bos&flag=contacts", ""},
		{"GET", "/v1/missions/" + mission, ""},
		{"PATCH", "/v1/missions/" + mission, `{"threat":5}`},
		{"DELETE", "/v1/missions/" + mission, ""},
		{"GET", "/v1/missions/" + mission + "/contacts", ""},
		{"PUT", "/v1/missions/" + mission + "/contacts", `{"contacts":[]}`},
		{"POST", "/v1/missions", `{"id":"x-chi","name":"X","kind":"embassy","lat":42.36,"lon":-71.06,"threat":1,"region":"bos"}`},
		{"GET", "/v1/force/bos", ""},
		{"PATCH", "/v1/force/bos", `{"officers":5}`},
		{"POST", "/v1/units/" + route.Unit + "/out-of-service", ""},
		{"GET", "/v1/zones?region=bos", ""},
		{"GET", "/v1/plans/bos/" + D, ""},
		{"GET", "/v1/plans/bos/" + D + "?format=geojson", ""},
		{"GET", "/v1/plans/bos/" + D + "/units/" + route.Unit, ""},
		{"GET", "/v1/plans/bos/" + D + "/posts", ""},
		{"GET", "/v1/plans/bos/" + D + "/compliance", ""},
		{"GET", "/v1/roster?region=bos", ""},
		{"GET", "/v1/roster?region=bos&officer=o-bos-001", ""},
		{"GET", "/v1/response?region=bos&lat=42.35&lon=-71.06", ""},
		{"GET", "/v1/audit", ""},
		{"GET", "/regions/bos", ""},
		{"GET", "/regions/bos/compliance", ""},
	} {
		code, body := h.do(tt.method, tt.path, chi, tt.body)
		if code != http.StatusForbidden {
			t.Errorf("%s %s as chi's supervisor = %d %s; want 403", tt.method, tt.path, code, short(string(body)))
		}
	}
	// The events stream of a chi supervisor is chi's whatever the query says: a bos
	// event never reaches it, the next chi event does.
	h.srv.ops.poll = 20 * time.Millisecond
	ts := httptest.NewServer(h.srv.Handler())
	defer ts.Close()
	req, _ := http.NewRequest("GET", ts.URL+"/v1/events?region=bos", nil)
	req.Header.Set("Authorization", "Bearer "+chi)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /v1/events?region=bos as chi = %d; want 200 (chi's stream)", resp.StatusCode)
	}
	stream := &sse{resp: resp, sc: bufio.NewScanner(resp.Body)}
	onBos := h.token(RoleOfficer, "", route.Officers[0])
	if code, ci := h.checkIn(onBos, mission, 42.40, -71.00); code != http.StatusCreated || ci.Verified {
		t.Fatalf("bos check-in = %d verified %v; want 201 flagged", code, ci.Verified)
	}
	if code, ci := h.checkIn(h.token(RoleOfficer, "", "o-chi-001"), "nope", 41.88, -87.63); code != http.StatusCreated || ci.Verified {
		t.Fatalf("chi check-in = %d verified %v; want 201 flagged", code, ci.Verified)
	}
	if _, _, ev := stream.next(t); ev.Region != "chi" {
		t.Errorf("chi supervisor's stream got an event of %s; want only chi's", ev.Region)
	}
}

// TestPlannerNoLiveData: planners never see live plans, positions, rosters or events.
func TestPlannerNoLiveData(t *testing.T) {
	h, d, _, _, _, route := opsSetup(t)
	D := d.String()
	pl := h.token(RolePlanner, "", "")
	for _, p := range []string{
		"/v1/plans/bos/" + D, "/v1/plans/bos/" + D + "?format=csv", "/v1/plans/bos/" + d.AddDays(1).String(),
		"/v1/plans/bos/" + d.AddDays(-1).String(), "/v1/plans/bos/" + D + "/units/" + route.Unit,
		"/v1/plans/bos/" + D + "/posts", "/v1/plans/bos/" + D + "/compliance",
		"/v1/response?region=bos&lat=42.35&lon=-71.06", "/v1/events?region=bos", "/v1/roster?region=bos",
		"/v1/me/assignments", "/v1/me/calendar", "/v1/audit", "/v1/missions?region=bos&flag=contacts",
		"/v1/missions/" + route.Visits[0].Mission + "/contacts", "/regions/bos",
	} {
		if code, body := h.do("GET", p, pl, ""); code != http.StatusForbidden {
			t.Errorf("GET %s as planner = %d %s; want 403", p, code, short(string(body)))
		}
	}
	for _, tt := range [][3]string{
		{"POST", "/v1/units/" + route.Unit + "/out-of-service", ""},
		{"POST", "/v1/checkins", `{"mission":"cg-france-bos","lat":42.35,"lon":-71.06}`},
		{"PATCH", "/v1/missions/cg-france-bos", `{"threat":5}`},
	} {
		if code, _ := h.do(tt[0], tt[1], pl, tt[2]); code != http.StatusForbidden {
			t.Errorf("%s %s as planner = %d; want 403", tt[0], tt[1], code)
		}
	}
}

// TestOfficerBeforeRelease: an officer on tomorrow's routes sees the roster but neither
// the routes, their post blocks, their missions nor calendar entries before release.
func TestOfficerBeforeRelease(t *testing.T) {
	h, d, admin, _, _, _ := opsSetup(t)
	next := d.AddDays(1)
	var u unitOut
	h.getJSON("/v1/plans/bos/"+next.String()+"/units/bos-v01", admin, &u)
	var today unitOut
	h.getJSON("/v1/plans/bos/"+d.String()+"/units/bos-v01", admin, &today)
	todays := map[string]bool{} // officers with a route today: released missions of theirs are visible
	for _, r := range today.Routes {
		for _, o := range r.Officers {
			todays[o] = true
		}
	}
	var officer string
	var r scheduler.Route
	for _, x := range u.Routes {
		for _, o := range x.Officers {
			if officer == "" && !todays[o] && len(x.Visits) > 0 {
				officer, r = o, x
			}
		}
	}
	if officer == "" {
		t.Fatalf("no officer on tomorrow's bos-v01 routes without a route today: %+v", u.Routes)
	}
	tok := h.token(RoleOfficer, "", officer)
	if code, body := h.do("GET", "/v1/plans/bos/"+next.String()+"/units/bos-v01", tok, ""); code != http.StatusForbidden {
		t.Errorf("GET tomorrow's unit as %s before release = %d %s; want 403", officer, code, short(string(body)))
	}
	var a assignmentsOut
	h.getJSON("/v1/me/assignments?date="+next.String(), tok, &a)
	if len(a.Routes) != 0 || len(a.Posts) != 0 || len(a.Missions) != 0 {
		t.Errorf("assignments of %s on %s before release: %d routes, %d posts, %d missions; want none",
			officer, next, len(a.Routes), len(a.Posts), len(a.Missions))
	}
	if !slices.ContainsFunc(a.Shifts, func(s assignmentShift) bool { return s.Shift == r.Shift && !s.Released }) {
		t.Errorf("assignments of %s on %s: shifts %+v; want the %s shift, not released", officer, next, a.Shifts, r.Shift)
	}
	if code, _ := h.do("GET", "/v1/missions/"+r.Visits[0].Mission, tok, ""); code != http.StatusForbidden {
		t.Errorf("GET mission %s of an unreleased route as %s = %d; want 403", r.Visits[0].Mission, officer, code)
	}
	var feed struct{ URL string }
	h.getJSON("/v1/me/calendar", tok, &feed)
	_, body := h.do("GET", feed.URL, "", "")
	cal, err := ics.ParseCalendar(strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range cal.Events() {
		if strings.HasPrefix(ev.Id(), "route-") || strings.HasPrefix(ev.Id(), "post-") {
			t.Errorf("calendar of %s has %s before any release", officer, ev.Id())
		}
	}
	// At release it is all there.
	h.clock.Set(r.Start.Add(-60 * time.Minute))
	tok = h.token(RoleOfficer, "", officer)
	h.getJSON("/v1/me/assignments?date="+next.String(), tok, &a)
	if len(a.Routes) == 0 {
		t.Errorf("assignments of %s at release: no routes; want the %s route", officer, r.Shift)
	}
}

// TestSecretsNeverLeak runs a full scenario — every role, good and bad tokens, errors,
// the calendar feed, the dashboard sign-in — and checks that no key (master, plan,
// token; hex or base64), no bearer token and no feed token appears in the logs, the
// metrics, the audit log or any response body (the calendar URL answer excepted, and
// the session cookie, which is the token by design).
func TestSecretsNeverLeak(t *testing.T) {
	h, d, admin, on, _, route := opsSetup(t)
	D := d.String()
	sup := h.token(RoleSupervisor, "bos", "")
	off := h.token(RoleOfficer, "", on)
	pl := h.token(RolePlanner, "", "")
	var feed struct{ URL string }
	h.getJSON("/v1/me/calendar", off, &feed)
	feedTok := strings.TrimSuffix(strings.TrimPrefix(feed.URL, "/v1/calendar/"), ".ics")
	bodies := map[string]string{}
	send := func(method, path, tok, body string) {
		code, out := h.do(method, path, tok, body)
		bodies[method+" "+path+" "+itoa(int64(code))] = string(out)
	}
	for _, tok := range []string{admin, sup, off, pl, "bad-" + admin, admin + "x"} {
		for _, p := range []string{
			"/v1/regions", "/v1/missions?region=bos", "/v1/missions/cg-france-bos", "/v1/force/bos", "/v1/zones?region=bos",
			"/v1/plans/bos/" + D, "/v1/plans/bos/" + D + "/units/" + route.Unit, "/v1/plans/bos/" + D + "/posts",
			"/v1/plans/bos/" + D + "/compliance", "/v1/roster?region=bos", "/v1/me/assignments", "/v1/audit",
			"/v1/response?region=bos&lat=42.35&lon=-71.06", "/v1/nope", "/v1/plans/bos/2026-13-01",
			"/v1/regions?token=" + tok, "/v1/calendar/" + feedTok + "x.ics",
		} {
			send("GET", p, tok, "")
		}
		send("POST", "/v1/checkins", tok, `{"mission":"cg-france-bos","lat":42.35,"lon":-71.06}`)
		send("PATCH", "/v1/missions/cg-france-bos", tok, `{"threat":2}`)
		send("POST", "/v1/missions", tok, `{"id":"`+tok[:8]+`"}`)
	}
	send("GET", feed.URL, "", "")
	send("POST", "/v1/tokens/revoke", admin, `{"jti":"`+jtiOfToken(t, pl)+`"}`)
	send("GET", "/v1/regions", pl, "")
	// Dashboard sign-in with a token in the form, and a bad one.
	for _, tok := range []string{sup, "garbage." + admin} {
		req := httptest.NewRequest("POST", "/session", strings.NewReader(url.Values{"token": {tok}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		h.srv.Handler().ServeHTTP(rec, req)
		bodies["POST /session"+itoa(int64(rec.Code))] = rec.Body.String()
	}
	_, metrics := h.do("GET", "/metrics", "", "")
	_, audit := h.do("GET", "/v1/audit", admin, "")
	secrets := map[string]string{
		"master key (hex)":    hex.EncodeToString(testMaster),
		"master key (base64)": base64.StdEncoding.EncodeToString(testMaster),
		"plan key (hex)":      hex.EncodeToString(scheduler.PlanKey(testMaster)),
		"plan key (base64)":   base64.RawURLEncoding.EncodeToString(scheduler.PlanKey(testMaster)),
		"token key (hex)":     hex.EncodeToString(scheduler.TokenKey(testMaster)),
		"token key (base64)":  base64.RawURLEncoding.EncodeToString(scheduler.TokenKey(testMaster)),
		"feed token":          feedTok,
		"feed token hash":     feedHash(feedTok),
	}
	for name, tok := range map[string]string{"admin": admin, "supervisor": sup, "officer": off, "planner": pl} {
		secrets[name+" token signature"] = tok[strings.LastIndex(tok, ".")+1:]
	}
	places := map[string]string{"logs": h.logs.String(), "metrics": string(metrics), "audit log": string(audit)}
	for k, v := range bodies {
		places["response to "+k] = v
	}
	if !strings.Contains(places["logs"], "/v1/plans/bos/") {
		t.Fatalf("the logs lack the scenario's requests")
	}
	for name, secret := range secrets {
		for where, text := range places {
			if strings.Contains(text, secret) {
				t.Errorf("the %s appears in the %s", name, where)
			}
		}
	}
	t.Logf("%d secrets checked against the logs, /metrics, the audit log and %d responses", len(secrets), len(bodies))
}

// jtiOfToken returns a token's id (jti) without verifying it.
func jtiOfToken(t *testing.T, tok string) string {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[1])
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		ID string `json:"jti"`
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	return c.ID
}
