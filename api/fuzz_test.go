package api

import (
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"vigil/scheduler"
)

// fuzzServer is a server on the shipped fixtures and an embedded store, for fuzz targets
// (newHarness needs a *testing.T; a fuzz target's setup has a *testing.F).
type fuzzServer struct {
	srv    *Server
	tokens map[string]string
}

func newFuzzServer(tb testing.TB) *fuzzServer {
	tb.Helper()
	ds, st := seededStore(tb)
	clock := &fakeClock{clockwork.NewFakeClockAt(start)}
	fs := &fuzzServer{
		srv:    New(Config{Logger: slog.New(slog.DiscardHandler), Store: st, Offices: ds.Offices, MasterKey: testMaster, Clock: clock}),
		tokens: map[string]string{},
	}
	for name, c := range map[string][3]string{
		"admin":   {RoleAdmin, "", ""},
		"officer": {RoleOfficer, "", "o-bos-001"},
	} {
		tok, _, err := IssueToken(scheduler.TokenKey(testMaster), c[0], c[1], c[2], 12*time.Hour, start.Add(-time.Minute))
		if err != nil {
			tb.Fatal(err)
		}
		fs.tokens[name] = tok
	}
	return fs
}

// check sends one request and fails on a 5xx, or a 4xx without the JSON error shape.
func (fs *fuzzServer) check(t *testing.T, method, target, as, body string) {
	t.Helper()
	req := httptest.NewRequest(method, "http://vigil.test/", strings.NewReader(body))
	u, err := url.ParseRequestURI(target)
	if err != nil {
		t.Fatalf("request target %q does not parse: %v", target, err)
	}
	req.URL = u
	req.RequestURI = target
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+fs.tokens[as])
	rec := httptest.NewRecorder()
	fs.srv.Handler().ServeHTTP(rec, req)
	if rec.Code >= 500 {
		t.Fatalf("%s %s %q = %d %s; want below 500", method, target, body, rec.Code, rec.Body)
	}
	if rec.Code >= 400 {
		var e errorBody
		if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
			t.Fatalf("%s %s %q = %d %s; want the JSON error shape", method, target, body, rec.Code, rec.Body)
		}
	}
}

// fuzzBody runs one fuzz target sending its input as the body of method path.
func fuzzBody(f *testing.F, method, path, as string, seeds ...string) {
	for _, s := range append(seeds, "", "{}", "null", "[]", `{"x":1}`, "{") {
		f.Add(s)
	}
	fs := newFuzzServer(f)
	f.Fuzz(func(t *testing.T, body string) {
		fs.check(t, method, path, as, body)
	})
}

func FuzzMissionCreate(f *testing.F) {
	fuzzBody(f, "POST", "/v1/missions", "admin",
		`{"id":"f-1","name":"New","kind":"embassy","lat":42.36,"lon":-71.06,"threat":1,"region":"bos"}`,
		`{"id":"f-2","name":"New","kind":"consulate","lat":42.36,"lon":-71.06,"threat":5,"fixed_posts":2,"region":"bos","contacts":[{"name":"A","phone":"1"}]}`,
		`{"id":"f-3","name":"New","kind":"embassy","lat":91,"lon":1e309,"threat":1,"region":"bos"}`)
}

func FuzzMissionPatch(f *testing.F) {
	fuzzBody(f, "PATCH", "/v1/missions/cg-france-bos", "admin",
		`{"name":"Renamed","address":"1 Main St"}`, `{"lat":42.35,"lon":-71.05}`,
		`{"threat":4,"until":"2026-11-27T14:00:00-05:00"}`, `{"threat":2,"from":"2026-11-28T08:00:00-05:00"}`,
		`{"fixed_posts":1}`)
}

func FuzzCheckIn(f *testing.F) {
	fuzzBody(f, "POST", "/v1/checkins", "officer",
		`{"mission":"cg-france-bos","lat":42.3578,"lon":-71.0541,"client_time":"2026-11-27T09:58:00-05:00"}`,
		`{"mission":"nope","lat":42.35,"lon":-71.06}`, `{"mission":"cg-france-bos","lat":0.1,"lon":0.1}`)
}

func FuzzContacts(f *testing.F) {
	fuzzBody(f, "PUT", "/v1/missions/cg-france-bos/contacts", "admin",
		`{"contacts":[{"name":"A","phone":"1"},{"name":"B","role":"RSO","phone":"2","email":"b@x"}]}`, `{"contacts":[]}`)
}

func FuzzForcePatch(f *testing.F) {
	fuzzBody(f, "PATCH", "/v1/force/bos", "admin",
		`{"officers":30}`, `{"units":{"vehicle":2,"foot":1}}`, `{"capabilities":{"canine":1}}`, `{"officers":1}`)
}

// FuzzQuery sends fuzzed dates, numbers and names as path segments and query parameters
// of every route that parses them.
func FuzzQuery(f *testing.F) {
	for _, s := range []string{"2026-11-27", "2026-02-30", "9999-12-31", "0001-01-01", "42.35", "NaN", "1e309",
		"-Inf", "0x1p-2", "bos", "o-bos-001", "2026-11-27T10:00:00Z", "10", "-1", "json", "csv", "%00", "../x"} {
		f.Add(s, s)
	}
	fs := newFuzzServer(f)
	f.Fuzz(func(t *testing.T, a, b string) {
		pa, qa, qb := url.PathEscape(a), url.QueryEscape(a), url.QueryEscape(b)
		for _, r := range []struct{ path, as string }{
			{"/v1/plans/bos/" + pa, "admin"},
			{"/v1/plans/bos/" + pa + "/posts", "admin"},
			{"/v1/plans/bos/" + pa + "/compliance", "admin"},
			{"/v1/plans/bos/2026-11-27/units/" + pa, "admin"},
			{"/v1/plans/bos/2026-11-27?format=" + qa, "admin"},
			{"/v1/roster?region=bos&from=" + qa + "&to=" + qb, "admin"},
			{"/v1/roster?region=bos&officer=" + qa, "admin"},
			{"/v1/me/assignments?date=" + qa, "officer"},
			{"/v1/response?region=bos&lat=" + qa + "&lon=" + qb, "admin"},
			{"/v1/response?region=bos&lat=42.35&lon=-71.06&capability=" + qa, "admin"},
			{"/v1/audit?since=" + qa + "&limit=" + qb, "admin"},
			{"/v1/missions?region=" + qa + "&flag=" + qb, "admin"},
			{"/v1/zones?region=" + qa, "admin"},
			{"/v1/missions/" + pa, "admin"},
			{"/v1/force/" + pa, "admin"},
		} {
			fs.check(t, "GET", r.path, r.as, "")
		}
	})
}

// FuzzParseToken checks that ParseToken never panics and accepts a token only when it is
// HS256, signed with the token key, unexpired and with claims that fit together.
func FuzzParseToken(f *testing.F) {
	key := scheduler.TokenKey(testMaster)
	good, _, err := IssueToken(key, RoleOfficer, "", "o-bos-001", time.Hour, start)
	if err != nil {
		f.Fatal(err)
	}
	parts := strings.Split(good, ".")
	for _, s := range []string{
		good,
		b64(`{"alg":"none","typ":"JWT"}`) + "." + parts[1] + ".",
		b64(`{"alg":"HS512","typ":"JWT"}`) + "." + parts[1] + "." + parts[2],
		parts[0] + "." + b64(`{"role":"admin","jti":"x","exp":9999999999}`) + "." + parts[2],
		"", ".", "..", "a.b.c", strings.Repeat("A", 1000),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, tok string) {
		c, err := ParseToken(key, tok, start.Add(time.Minute))
		if err != nil {
			return
		}
		head, _, _ := strings.Cut(tok, ".")
		raw, derr := base64.RawURLEncoding.DecodeString(strings.TrimRight(head, "="))
		var h struct {
			Alg string `json:"alg"`
		}
		if derr != nil || json.Unmarshal(raw, &h) != nil || h.Alg != "HS256" {
			t.Fatalf("ParseToken(%q) accepted a token whose header is %q; want only HS256", tok, raw)
		}
		if c.Validate() != nil || c.ExpiresAt == nil || !c.ExpiresAt.After(start.Add(time.Minute)) {
			t.Fatalf("ParseToken(%q) = %+v; accepted invalid or expired claims", tok, c)
		}
	})
}
