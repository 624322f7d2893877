package api

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"vigil/scheduler"
)

// page sends a dashboard request on a session cookie holding token (none when ""), with
// a form body when form is not nil, and returns the response.
func (h *harness) page(method, path, token string, form url.Values, header map[string]string) *http.Response {
	h.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if token != "" {
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: h.session(token)})
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.srv.Handler().ServeHTTP(rec, req)
	return rec.Result()
}

// session returns the session credential signing in with token gives (the token itself
// when it is not one the server accepts, so that refusals are still tested).
func (h *harness) session(token string) string {
	h.t.Helper()
	if s, ok := testSessions.Load(token); ok {
		return s.(string)
	}
	cl, err := ParseToken(scheduler.TokenKey(testMaster), token, h.clock.Now())
	if err != nil || cl.Parent != "" {
		return token
	}
	tok, _, err := h.srv.newSession(cl)
	if err != nil {
		h.t.Fatal(err)
	}
	testSessions.Store(token, tok)
	return tok
}

// testSessions are the sessions harness.session issued, by bearer token (each token is
// random, so sessions are never shared between tests).
var testSessions sync.Map

func readBody(t *testing.T, r *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestDashboardSignIn(t *testing.T) {
	h := newHarness(t)
	tok := h.token(RoleSupervisor, "bos", "")
	tests := []struct {
		name     string
		url      string
		token    string
		origin   string
		status   int
		location string
		secure   bool
	}{
		{"supervisor", "/session", tok, "", http.StatusSeeOther, "/regions/bos", false},
		{"supervisor over TLS", "https://example.com/session", tok, "https://example.com", http.StatusSeeOther, "/regions/bos", true},
		{"officer", "/session", h.token(RoleOfficer, "", "o-bos-001"), "", http.StatusSeeOther, "/me", false},
		{"planner", "/session", h.token(RolePlanner, "", ""), "", http.StatusSeeOther, "/simulate", false},
		{"admin", "/session", h.token(RoleAdmin, "", ""), "", http.StatusSeeOther, "/regions", false},
		{"bad token", "/session", "not-a-token", "", http.StatusUnauthorized, "", false},
		{"empty", "/session", "", "", http.StatusBadRequest, "", false},
		{"other origin", "/session", tok, "https://evil.example", http.StatusForbidden, "", false},
	}
	for _, tt := range tests {
		hdr := map[string]string{}
		if tt.origin != "" {
			hdr["Origin"] = tt.origin
		}
		r := h.page(http.MethodPost, tt.url, "", url.Values{"token": {tt.token}}, hdr)
		body := readBody(t, r)
		if r.StatusCode != tt.status {
			t.Errorf("%s: POST /session = %d; want %d\n%s", tt.name, r.StatusCode, tt.status, body)
			continue
		}
		if loc := r.Header.Get("Location"); loc != tt.location {
			t.Errorf("%s: Location = %q; want %q", tt.name, loc, tt.location)
		}
		if len(tt.token) > 20 && (strings.Contains(body, tt.token) || strings.Contains(r.Header.Get("Location"), tt.token)) {
			t.Errorf("%s: the token appears in the answer", tt.name)
		}
		var ck *http.Cookie
		for _, c := range r.Cookies() {
			if c.Name == sessionCookie {
				ck = c
			}
		}
		if tt.status != http.StatusSeeOther {
			if ck != nil {
				t.Errorf("%s: a refused sign-in set the cookie %v", tt.name, ck)
			}
			continue
		}
		if ck == nil {
			t.Fatalf("%s: no session cookie set", tt.name)
		}
		if !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Path != "/" || ck.Secure != tt.secure || ck.MaxAge <= 0 {
			t.Errorf("%s: cookie HttpOnly=%v SameSite=%v Path=%q Secure=%v MaxAge=%d; want true, Strict, /, %v, > 0",
				tt.name, ck.HttpOnly, ck.SameSite, ck.Path, ck.Secure, ck.MaxAge, tt.secure)
		}
		if ck.Value == tt.token {
			t.Errorf("%s: cookie holds the bearer token; want a session credential of its own", tt.name)
		}
	}
}

func TestDashboardSignOutClearsCookie(t *testing.T) {
	h := newHarness(t)
	tok := h.token(RoleSupervisor, "bos", "")
	if r := h.page(http.MethodPost, "/session/end", tok, url.Values{}, nil); r.StatusCode != http.StatusForbidden {
		t.Errorf("POST /session/end without CSRF token = %d; want 403", r.StatusCode)
	}
	r := h.page(http.MethodPost, "/session/end", tok, url.Values{"csrf": {h.srv.csrfToken(h.session(tok))}}, nil)
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/" {
		t.Fatalf("POST /session/end = %d to %q; want 303 to /", r.StatusCode, r.Header.Get("Location"))
	}
	cleared := false
	for _, c := range r.Cookies() {
		cleared = cleared || (c.Name == sessionCookie && c.MaxAge < 0 && c.Value == "")
	}
	if !cleared {
		t.Errorf("POST /session/end cookies %v; want %s cleared", r.Cookies(), sessionCookie)
	}
}

func TestDashboardPagesByRole(t *testing.T) {
	h := newHarness(t)
	sup := h.token(RoleSupervisor, "bos", "")
	off := h.token(RoleOfficer, "", "o-bos-001")
	pln := h.token(RolePlanner, "", "")
	adm := h.token(RoleAdmin, "", "")
	d := scheduler.ServiceDateOf(start, h.ds.Force.Regions["bos"].Shifts, bosLoc)
	tests := []struct {
		token, path string
		status      int
		want        string // in the body
	}{
		{"", "/", http.StatusOK, `name="token"`},
		{sup, "/", http.StatusSeeOther, ""},
		{"", "/regions/bos", http.StatusUnauthorized, `name="token"`},
		{"garbage", "/regions/bos", http.StatusUnauthorized, `name="token"`},
		{sup, "/regions/bos", http.StatusOK, "<svg"},
		{sup, "/regions/bos?date=" + d.String() + "&shift=day&unit=all", http.StatusOK, `class="route"`},
		{sup, "/regions/bos?shift=lunch", http.StatusBadRequest, "shift"},
		{sup, "/regions/bos?date=" + d.AddDays(5).String(), http.StatusForbidden, "next service day"},
		{sup, "/regions/wfo", http.StatusForbidden, "Not for this sign-in"},
		{sup, "/regions", http.StatusSeeOther, ""},
		{sup, "/regions/bos/compliance", http.StatusOK, "Planned visits"},
		{sup, "/me", http.StatusForbidden, "Not for this sign-in"},
		{sup, "/simulate", http.StatusForbidden, "Not for this sign-in"},
		{off, "/regions/bos", http.StatusForbidden, "Not for this sign-in"},
		{off, "/regions/bos/compliance", http.StatusForbidden, ""},
		{off, "/me", http.StatusOK, "o-bos-001"},
		{off, "/simulate", http.StatusForbidden, ""},
		{pln, "/regions/bos", http.StatusForbidden, ""},
		{pln, "/simulate", http.StatusOK, `action="/simulate"`},
		{adm, "/regions", http.StatusOK, `href="/regions/wfo"`},
		{adm, "/regions/wfo", http.StatusOK, "<svg"},
		{adm, "/simulate", http.StatusOK, ""},
		{"", "/static/vigil.css", http.StatusOK, "body"},
		{"", "/static/nope.js", http.StatusNotFound, ""},
	}
	for _, tt := range tests {
		r := h.page(http.MethodGet, tt.path, tt.token, nil, nil)
		body := readBody(t, r)
		if r.StatusCode != tt.status {
			t.Errorf("GET %s as %s = %d; want %d\n%.400s", tt.path, roleName(tt.token, sup, off, pln, adm), r.StatusCode, tt.status, body)
			continue
		}
		if !strings.Contains(body, tt.want) {
			t.Errorf("GET %s as %s: body lacks %q", tt.path, roleName(tt.token, sup, off, pln, adm), tt.want)
		}
		for _, tok := range []string{sup, off, pln, adm} {
			if strings.Contains(body, tok) || strings.Contains(r.Header.Get("Location"), tok) {
				t.Errorf("GET %s: a token appears in the page", tt.path)
			}
		}
		if strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") && tt.path != "/" && r.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("GET %s: Cache-Control %q; want no-store", tt.path, r.Header.Get("Cache-Control"))
		}
	}
}

func atoiT(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func roleName(tok string, sup, off, pln, adm string) string {
	switch tok {
	case sup:
		return "supervisor"
	case off:
		return "officer"
	case pln:
		return "planner"
	case adm:
		return "admin"
	}
	return "anonymous"
}

func TestDashboardRegionAudited(t *testing.T) {
	h := newHarness(t)
	sup := h.token(RoleSupervisor, "bos", "")
	if r := h.page(http.MethodGet, "/regions/bos", sup, nil, nil); r.StatusCode != http.StatusOK {
		t.Fatalf("GET /regions/bos = %d; want 200", r.StatusCode)
	}
	recs, err := h.store.AuditLog(t.Context(), time.Time{}, 100)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range recs {
		found = found || (r.Action == "read-plan" && r.Region == "bos" && r.Role == RoleSupervisor && r.Target == "/regions/bos")
	}
	if !found {
		t.Errorf("audit log %+v; want a read-plan of bos by the supervisor at /regions/bos", recs)
	}
}

var visitsOf = regexp.MustCompile(`id="m-cg-france-bos" data-visits="(\d+)"`)

func TestDashboardThreatChangeCSRF(t *testing.T) {
	h := newHarness(t)
	sup := h.token(RoleSupervisor, "bos", "")
	csrf := h.srv.csrfToken(h.session(sup))
	form := func(extra ...string) url.Values {
		v := url.Values{"mission": {"cg-france-bos"}, "threat": {"5"}, "shift": {"day"}, "unit": {"all"}}
		for i := 0; i+1 < len(extra); i += 2 {
			v.Set(extra[i], extra[i+1])
		}
		return v
	}
	tests := []struct {
		name   string
		form   url.Values
		header map[string]string
		status int
	}{
		{"no CSRF token", form(), nil, http.StatusForbidden},
		{"wrong CSRF token", form("csrf", "00"), nil, http.StatusForbidden},
		{"other origin", form("csrf", csrf), map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden},
		{"cross-site fetch", form("csrf", csrf), map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"bad level", form("csrf", csrf, "threat", "9"), nil, http.StatusBadRequest},
		{"other region's mission", form("csrf", csrf, "mission", "emb-france"), nil, http.StatusBadRequest},
	}
	for _, tt := range tests {
		r := h.page(http.MethodPost, "/regions/bos/threat", sup, tt.form, tt.header)
		if body := readBody(t, r); r.StatusCode != tt.status {
			t.Errorf("%s: POST /regions/bos/threat = %d; want %d\n%.300s", tt.name, r.StatusCode, tt.status, body)
		}
	}
	before := readBody(t, h.page(http.MethodGet, "/regions/bos?shift=day&unit=all", sup, nil, nil))
	r := h.page(http.MethodPost, "/regions/bos/threat", sup, form("csrf", csrf), map[string]string{"Origin": "http://example.com"})
	after := readBody(t, r)
	if r.StatusCode != http.StatusOK || !strings.Contains(after, `id="replan"`) || !strings.Contains(after, "from 1 to 5") {
		t.Fatalf("POST /regions/bos/threat = %d; want 200 with the re-plan summary\n%s", r.StatusCode, after)
	}
	b, a := visitsOf.FindStringSubmatch(before), visitsOf.FindStringSubmatch(after)
	if b == nil || a == nil || atoiT(t, a[1]) <= atoiT(t, b[1]) {
		t.Errorf("visits of cg-france-bos before %v, after %v; want more after raising its threat to 5", b, a)
	}
	// The API takes the cookie too, with the same CSRF rule.
	patch := func(hdr map[string]string) int {
		req := httptest.NewRequest(http.MethodPatch, "/v1/missions/cg-france-bos", strings.NewReader(`{"name":"Consulate General of France"}`))
		req.Header.Set("Content-Type", "application/json")
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: h.session(sup)})
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		h.srv.Handler().ServeHTTP(rec, req)
		return rec.Code
	}
	if code := patch(nil); code != http.StatusForbidden {
		t.Errorf("PATCH /v1/missions on the cookie without X-CSRF-Token = %d; want 403", code)
	}
	if code := patch(map[string]string{csrfHeader: csrf}); code != http.StatusOK {
		t.Errorf("PATCH /v1/missions on the cookie with X-CSRF-Token = %d; want 200", code)
	}
	if code, _ := h.do(http.MethodGet, "/v1/regions", "", ""); code != http.StatusUnauthorized {
		t.Errorf("GET /v1/regions with neither header nor cookie = %d; want 401", code)
	}
	req := httptest.NewRequest(http.MethodGet, "/v1/regions", nil)
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: h.session(sup)})
	rec := httptest.NewRecorder()
	h.srv.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Errorf("GET /v1/regions on the session cookie = %d; want 200", rec.Code)
	}
}

func TestDashboardSimulate(t *testing.T) {
	h := newHarness(t)
	pln := h.token(RolePlanner, "", "")
	csrf := h.srv.csrfToken(h.session(pln))
	tests := []struct {
		form   url.Values
		status int
		want   string
	}{
		{url.Values{"csrf": {csrf}, "region": {"bos"}, "days": {"4"}, "train": {"2"}, "incidents": {"5"}}, http.StatusOK, "Vigil intercepts"},
		{url.Values{"csrf": {csrf}, "region": {"bos"}, "days": {"400"}}, http.StatusBadRequest, "days"},
		{url.Values{"csrf": {csrf}, "region": {"bos"}, "days": {"4"}, "train": {"2"}, "threat": {"emb-nowhere=5"}}, http.StatusBadRequest, "emb-nowhere"},
	}
	for _, tt := range tests {
		r := h.page(http.MethodPost, "/simulate", pln, tt.form, nil)
		body := readBody(t, r)
		if r.StatusCode != tt.status || !strings.Contains(body, tt.want) {
			t.Errorf("POST /simulate %v = %d; want %d with %q\n%.500s", tt.form, r.StatusCode, tt.status, tt.want, body)
		}
		if tt.status == http.StatusOK && strings.Count(body, "<svg") < 4 {
			t.Errorf("POST /simulate: %d charts; want 4", strings.Count(body, "<svg"))
		}
	}
}

func TestDashboardOfficerSeesOwnShiftOnly(t *testing.T) {
	h := newHarness(t)
	adm := h.token(RoleAdmin, "", "")
	d := scheduler.ServiceDateOf(start, h.ds.Force.Regions["bos"].Shifts, bosLoc)
	onRoute, other, route := h.crew(adm, d, start)
	r := h.page(http.MethodGet, "/me", h.token(RoleOfficer, "", onRoute), nil, nil)
	body := readBody(t, r)
	if r.StatusCode != http.StatusOK || !strings.Contains(body, "Route "+route.Unit) || !strings.Contains(body, "<svg") {
		t.Fatalf("GET /me as %s = %d; want 200 with route %s and a map\n%s", onRoute, r.StatusCode, route.Unit, body)
	}
	if strings.Contains(body, "threat") || strings.Contains(body, `class="zone"`) {
		t.Errorf("GET /me shows threat levels or zones to an officer")
	}
	r = h.page(http.MethodGet, "/me", h.token(RoleOfficer, "", other), nil, nil)
	body = readBody(t, r)
	if r.StatusCode != http.StatusOK || strings.Contains(body, "Route "+route.Unit) {
		t.Errorf("GET /me as %s (not on %s) = %d, shows the route: %v", other, route.Unit, r.StatusCode, strings.Contains(body, "Route "+route.Unit))
	}
}
