package api

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"testing"

	"vigil/scheduler"
)

// badIDs are path segments no id may be: traversal, SQL and HTML injection, NUL bytes,
// very long, unicode and invalid UTF-8. Each is already escaped for a URL path.
var badIDs = []string{
	url.PathEscape("../../etc/passwd"),
	"..",
	url.PathEscape("' OR 1=1 --"),
	url.PathEscape(`<script>alert(1)</script>`),
	"%00",
	"a%00b",
	strings.Repeat("a", 10000),
	url.PathEscape("ünïcödé-⚠"),
	"%F0%9F%92%A3",
	"%FF%FE",
	url.PathEscape("${jndi:ldap://x}"),
	"%252e%252e%252f",
}

// badDates are service dates no plan, roster or assignment is asked for: the first and
// last representable days, days that do not exist, other shapes.
var badDates = []string{
	"0001-01-01", "9999-12-31", "2026-02-30", "2026-13-01", "2026-11-31", "20261127",
	"-2026-11-27", "2026-11-27T00:00:00Z", "1900-01-01", "2100-01-01", url.PathEscape("<script>"),
}

// badBodies are request bodies malformed whatever the route: empty, truncated, not an
// object, trailing data, unknown fields, oversized, deeply nested.
var badBodies = []string{
	"",
	"   ",
	"{",
	"null",
	"[]",
	`"text"`,
	"123",
	`{}{}`,
	`{"zzz":1}`,
	`{"__proto__":{"admin":true}}`,
	`{"name":"` + strings.Repeat("a", 1<<20+16) + `"}`,
	strings.Repeat("[", 100000),
	strings.Repeat(`{"a":`, 5000),
	"\xff\xfe{}",
}

// mission is a valid mission body with one field replaced by raw JSON.
func missionWith(field, raw string) string {
	m := map[string]string{
		"id": `"x-new"`, "name": `"New"`, "kind": `"embassy"`, "lat": "42.36", "lon": "-71.06",
		"threat": "1", "region": `"bos"`,
	}
	m[field] = raw
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%q:%s", k, m[k])
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// badRequest is one malformed request and the token to send it with.
type badRequest struct {
	method, path, body, as string
	page                   bool // a dashboard page: HTML errors, not the JSON shape
	form                   bool // the body is a form, not JSON
}

// badRequests builds the table: every route with malformed bodies, ids, dates and query
// parameters.
func badRequests(d scheduler.Date, mission string) []badRequest {
	D := d.String()
	var out []badRequest
	add := func(method, path, body, as string) {
		out = append(out, badRequest{method: method, path: path, body: body, as: as})
	}
	// Bodies: every route that takes one, with every generic malformed body…
	bodyRoutes := []struct{ method, path, as string }{
		{"POST", "/v1/missions", "admin"},
		{"PATCH", "/v1/missions/" + mission, "admin"},
		{"PUT", "/v1/missions/" + mission + "/contacts", "admin"},
		{"PATCH", "/v1/force/bos", "admin"},
		{"POST", "/v1/checkins", "officer"},
		{"POST", "/v1/tokens/revoke", "admin"},
		{"POST", "/v1/simulations", "planner"},
	}
	for _, r := range bodyRoutes {
		for _, b := range badBodies {
			add(r.method, r.path, b, r.as)
		}
	}
	// …and with bodies of the right shape holding wrong types or impossible values.
	for _, kv := range [][2]string{
		{"id", "123"}, {"id", `"../x"`}, {"id", `"' OR 1=1"`}, {"id", `"<script>"`}, {"id", `"a\u0000b"`},
		{"id", `"` + strings.Repeat("a", 5000) + `"`}, {"id", `"ünï"`}, {"id", `""`}, {"id", "null"},
		{"name", `""`}, {"name", "[]"}, {"kind", `"castle"`},
		{"lat", "91"}, {"lat", "-90.0001"}, {"lon", "180.5"}, {"lat", `"NaN"`}, {"lat", "1e309"}, {"lat", `"42"`},
		{"lat", "0"}, {"lat", "48.85"}, {"threat", `"high"`}, {"threat", "1.5"}, {"threat", "0"}, {"threat", "6"},
		{"threat", "99999999999999999999"}, {"fixed_posts", "-1"}, {"fixed_posts", "1e10"},
		{"contacts", `"x"`}, {"contacts", "[1]"}, {"contacts", `[{"name":1}]`}, {"contacts", `[{"name":"a"}]`},
		{"region", `"../bos"`}, {"region", `"<script>"`}, {"region", `""`}, {"region", `"nowhere"`},
	} {
		add("POST", "/v1/missions", missionWith(kv[0], kv[1]), "admin")
	}
	for _, b := range []string{
		`{"threat":"x"}`, `{"threat":0}`, `{"lat":91,"lon":0}`, `{"lat":1e309,"lon":1}`, `{"lat":42}`,
		`{"name":""}`, `{"name":5}`, `{"kind":"castle"}`, `{"fixed_posts":-3}`,
		`{"threat":3,"from":"0001-01-01T00:00:00Z"}`, `{"threat":3,"from":"9999-12-31T00:00:00Z"}`,
		`{"threat":3,"until":"9999-12-31T23:59:59-23:59"}`, `{"threat":3,"from":"2026-02-30T00:00:00Z"}`,
		`{"threat":3,"until":"2026-11-27T09:00:00-05:00"}`, `{"threat":3,"from":"yesterday"}`,
		`{"until":"2027-01-01T00:00:00Z"}`,
	} {
		add("PATCH", "/v1/missions/"+mission, b, "admin")
	}
	for _, b := range []string{
		`{"contacts":"x"}`, `{"contacts":[1]}`, `{"contacts":[{"name":"a"}]}`, `{"contacts":[{"name":"","phone":"1"}]}`,
		`{"contacts":[` + strings.TrimSuffix(strings.Repeat(`{"name":"a","phone":"1"},`, 51), ",") + `]}`,
		`{"contacts":[{"name":"a","phone":"1","pager":"x"}]}`,
	} {
		add("PUT", "/v1/missions/"+mission+"/contacts", b, "admin")
	}
	for _, b := range []string{
		`{"officers":"5"}`, `{"officers":-1}`, `{"officers":1e10}`, `{"officers":1.5}`, `{"units":{"vehicle":-1}}`,
		`{"units":{"tank":1}}`, `{"units":[]}`, `{"capabilities":{"<script>":1}}`, `{"capabilities":{"canine":-1}}`,
		`{"capabilities":{"canine":1000}}`, `{"officers":1}`, `{"shifts":[]}`,
	} {
		add("PATCH", "/v1/force/bos", b, "admin")
	}
	for _, b := range []string{
		`{"mission":""}`, `{"mission":123}`, `{"mission":"cg-france-bos"}`, `{"mission":"cg-france-bos","lat":42.35}`,
		`{"mission":"cg-france-bos","lat":91,"lon":0}`, `{"mission":"cg-france-bos","lat":"NaN","lon":0}`,
		`{"mission":"cg-france-bos","lat":1e309,"lon":0}`, `{"mission":"cg-france-bos","lat":0,"lon":0}`,
		`{"mission":"` + strings.Repeat("m", 300) + `","lat":42.35,"lon":-71.06}`,
		`{"mission":"' OR 1=1","lat":42.35,"lon":-71.06}`, `{"mission":"<script>","lat":42.35,"lon":-71.06}`,
		`{"mission":"a\u0000b","lat":42.35,"lon":-71.06}`, `{"mission":"../x","lat":42.35,"lon":-71.06}`,
		`{"mission":"cg-france-bos","lat":42.35,"lon":-71.06,"client_time":"2026-02-30T10:00:00Z"}`,
		`{"mission":"cg-france-bos","lat":42.35,"lon":-71.06,"client_time":"9999-12-31T23:59:59-23:59"}`,
		`{"mission":"cg-france-bos","lat":42.35,"lon":-71.06,"client_time":"0000-01-01T00:00:00+01:00"}`,
		`{"mission":"cg-france-bos","lat":42.35,"lon":-71.06,"client_time":"0001-01-01T00:00:00Z"}`,
		`{"mission":"cg-france-bos","lat":42.35,"lon":-71.06,"client_time":12}`,
		`{"mission":"cg-france-bos","lat":42.35,"lon":-71.06,"officer":"o-bos-002"}`,
	} {
		add("POST", "/v1/checkins", b, "officer")
	}
	for _, b := range []string{
		`{"jti":""}`, `{"jti":123}`, `{"jti":"` + strings.Repeat("j", 200) + `"}`, `{"jti":"a","until":"x"}`,
		`{"jti":"a","until":"9999-12-31T23:59:59-23:59"}`, `{"jti":"a","until":"0001-01-01T00:00:00Z"}`,
	} {
		add("POST", "/v1/tokens/revoke", b, "admin")
	}
	for _, b := range []string{
		`{"region":"<script>"}`, `{"region":"nowhere","date":"2026-11-27"}`, `{"region":"bos","date":"9999-12-31"}`,
		`{"region":"bos","date":"0001-01-01"}`, `{"region":"bos","date":"2026-02-30"}`, `{"region":"bos","days":1e9}`,
		`{"region":"bos","days":-1}`, `{"region":"bos","days":"3"}`,
	} {
		add("POST", "/v1/simulations", b, "planner")
	}

	// Ids in the path.
	for _, id := range badIDs {
		add("GET", "/v1/missions/"+id, "", "admin")
		add("PATCH", "/v1/missions/"+id, `{"name":"x"}`, "admin")
		add("DELETE", "/v1/missions/"+id, "", "admin")
		add("GET", "/v1/missions/"+id+"/contacts", "", "admin")
		add("PUT", "/v1/missions/"+id+"/contacts", `{"contacts":[]}`, "admin")
		add("GET", "/v1/force/"+id, "", "admin")
		add("PATCH", "/v1/force/"+id, `{"officers":5}`, "admin")
		add("POST", "/v1/units/"+id+"/out-of-service", "", "admin")
		add("GET", "/v1/plans/"+id+"/"+D, "", "admin")
		add("GET", "/v1/plans/bos/"+D+"/units/"+id, "", "admin")
		add("GET", "/v1/plans/"+id+"/"+D+"/posts", "", "admin")
		add("GET", "/v1/plans/"+id+"/"+D+"/compliance", "", "admin")
		add("GET", "/v1/calendar/"+id+".ics", "", "")
		add("GET", "/v1/calendar/"+id, "", "")
		add("GET", "/v1/zones?region="+id, "", "admin")
		add("GET", "/v1/missions?region="+id, "", "admin")
		add("GET", "/v1/events?region="+id, "", "admin")
		add("GET", "/v1/response?region="+id+"&lat=42.35&lon=-71.06", "", "admin")
		add("GET", "/v1/roster?region="+id, "", "admin")
		add("GET", "/v1/roster?region=bos&officer="+id, "", "admin")
		out = append(out,
			badRequest{method: "GET", path: "/static/" + id, page: true},
			badRequest{method: "GET", path: "/regions/" + id, as: "admin", page: true},
			badRequest{method: "GET", path: "/regions/" + id + "/compliance", as: "admin", page: true},
		)
	}

	// Dates in the path and the query.
	for _, bd := range badDates {
		add("GET", "/v1/plans/bos/"+bd, "", "admin")
		add("GET", "/v1/plans/bos/"+bd+"/units/bos-v01", "", "admin")
		add("GET", "/v1/plans/bos/"+bd+"/posts", "", "admin")
		add("GET", "/v1/plans/bos/"+bd+"/compliance", "", "admin")
		add("GET", "/v1/roster?region=bos&from="+bd, "", "admin")
		add("GET", "/v1/roster?region=bos&from="+D+"&to="+bd, "", "admin")
		add("GET", "/v1/me/assignments?date="+bd, "", "officer")
		if !strings.Contains(bd, "T") {
			add("GET", "/v1/audit?since="+bd, "", "admin")
		}
		out = append(out, badRequest{method: "GET", path: "/regions/bos?date=" + bd, as: "admin", page: true})
	}

	// Other query parameters.
	for _, p := range []string{
		"/v1/plans/bos/" + D + "?format=xml",
		"/v1/plans/bos/" + D + "?format=" + url.QueryEscape("<script>"),
		"/v1/plans/bos/" + D + "?format=JSON",
		"/v1/roster?region=bos&from=" + D + "&to=" + d.AddDays(-1).String(),
		"/v1/roster?region=bos&from=" + D + "&to=" + d.AddDays(400).String(),
		"/v1/roster?region=bos&from=" + D + "&to=" + d.AddDays(100000).String(),
		"/v1/roster?region=bos&from=0001-01-01&to=0001-01-10",
		"/v1/roster?region=bos&from=9999-12-20&to=9999-12-31",
		"/v1/roster?region=bos&from=" + d.AddDays(600).String(),
		"/v1/roster?region=bos&from=" + d.AddDays(-600).String(),
		"/v1/roster?region=bos&officer=o-chi-001",
		"/v1/roster?region=bos&officer=o-bos-999999",
		"/v1/roster",
		"/v1/missions?flag=xml",
		"/v1/missions?region=nowhere",
		"/v1/zones",
		"/v1/events",
		"/v1/audit?limit=0", "/v1/audit?limit=-1", "/v1/audit?limit=1e9", "/v1/audit?limit=abc",
		"/v1/audit?limit=99999999999999999999",
		"/v1/response?region=bos&lat=91&lon=0",
		"/v1/response?region=bos&lat=NaN&lon=0",
		"/v1/response?region=bos&lat=1e309&lon=0",
		"/v1/response?region=bos&lat=Inf&lon=-Inf",
		"/v1/response?region=bos&lat=&lon=",
		"/v1/response?region=bos&lat=abc&lon=1",
		"/v1/response?region=bos&lat=0x1p-2&lon=0",
		"/v1/response?region=bos&lat=42.35&lon=-71.06&capability=" + url.QueryEscape("<script>"),
		"/v1/response?region=bos&lat=42.35&lon=-71.06&capability=" + strings.Repeat("c", 5000),
		"/v1/response?lat=42.35&lon=-71.06",
	} {
		add("GET", p, "", "admin")
	}
	for _, bd := range []string{d.AddDays(-600).String(), d.AddDays(600).String()} {
		add("GET", "/v1/plans/bos/"+bd, "", "admin")
		add("GET", "/v1/me/assignments?date="+bd, "", "officer")
	}
	// Dashboard forms (the bearer header stands in for the session cookie and its CSRF).
	form := func(path, as string, v url.Values) {
		out = append(out, badRequest{method: "POST", path: path, body: v.Encode(), as: as, page: true, form: true})
	}
	form("/session", "", url.Values{"token": {""}})
	form("/session", "", url.Values{"token": {"garbage"}})
	form("/session", "", url.Values{"token": {strings.Repeat("x", 70000)}})
	for _, v := range []url.Values{
		{"mission": {"<script>"}, "threat": {"3"}},
		{"mission": {"../x"}, "threat": {"3"}},
		{"mission": {"cg-france-bos"}, "threat": {"abc"}},
		{"mission": {"cg-france-bos"}, "threat": {"9"}},
		{"mission": {"cg-france-bos"}, "threat": {"99999999999999999999"}},
		{"mission": {"cg-france-bos"}, "threat": {"3"}, "hours": {"-5"}},
		{"mission": {"cg-france-bos"}, "threat": {"3"}, "hours": {"1e9"}},
		{"mission": {"cg-france-bos"}, "threat": {"3"}, "date": {"9999-12-31"}},
		{"mission": {"cg-chi-x"}, "threat": {"3"}},
	} {
		form("/regions/bos/threat", "admin", v)
	}
	for _, unit := range []string{"../x", "<script>", "chi-v01", "bos-v99", "bos-", strings.Repeat("b", 5000)} {
		form("/regions/bos/out-of-service", "admin", url.Values{"unit": {unit}})
	}
	for _, v := range []url.Values{
		{"region": {"<script>"}}, {"region": {"bos"}, "from": {"9999-12-31"}}, {"region": {"bos"}, "from": {"2026-02-30"}},
		{"region": {"bos"}, "days": {"100000"}}, {"region": {"bos"}, "vehicle": {"-1"}}, {"region": {"bos"}, "threat": {"abc"}},
		{"region": {"bos"}, "seed": {"zz"}}, {"region": {"bos"}, "incidents": {"1e9"}},
	} {
		form("/simulate", "planner", v)
	}

	// Wrong methods.
	for _, mp := range [][2]string{
		{"PUT", "/v1/regions"}, {"DELETE", "/v1/force/bos"}, {"POST", "/v1/plans/bos/" + D}, {"PATCH", "/v1/checkins"},
		{"GET", "/v1/checkins"}, {"POST", "/v1/audit"}, {"GET", "/v1/nope"}, {"GET", "/v2/regions"},
	} {
		add(mp[0], mp[1], "", "admin")
	}
	return out
}

// TestBadInput sends every route malformed requests: each is answered 4xx with the JSON
// error shape and a message (HTML for dashboard pages), never 5xx, never a panic (the
// Recover middleware would answer 500), never reflecting markup unescaped.
func TestBadInput(t *testing.T) {
	h := newHarness(t)
	d := scheduler.ServiceDateOf(start, scheduler.DefaultShifts(), bosLoc)
	tokens := map[string]string{
		"":        "",
		"admin":   h.token(RoleAdmin, "", ""),
		"officer": h.token(RoleOfficer, "", "o-bos-001"),
		"planner": h.token(RolePlanner, "", ""),
	}
	reqs := badRequests(d, "cg-france-bos")
	statuses := map[int]int{}
	for _, br := range reqs {
		var body io.Reader
		if br.body != "" {
			body = strings.NewReader(br.body)
		}
		req := httptest.NewRequest(br.method, "http://vigil.test"+br.path, body)
		switch {
		case br.form:
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		case br.body != "":
			req.Header.Set("Content-Type", "application/json")
		}
		if tok := tokens[br.as]; tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		rec := httptest.NewRecorder()
		h.srv.Handler().ServeHTTP(rec, req)
		statuses[rec.Code]++
		name := fmt.Sprintf("%s %s %s", br.method, short(br.path), short(br.body))
		if rec.Code < 400 || rec.Code >= 500 {
			t.Errorf("%s = %d %s; want 4xx", name, rec.Code, short(rec.Body.String()))
			continue
		}
		if strings.Contains(rec.Body.String(), "<script>") {
			t.Errorf("%s answers markup unescaped: %s", name, short(rec.Body.String()))
		}
		if br.page {
			continue
		}
		var e errorBody
		if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
			t.Errorf("%s = %d %s; want the JSON error shape with a message", name, rec.Code, short(rec.Body.String()))
		}
	}
	codes := make([]int, 0, len(statuses))
	for c := range statuses {
		codes = append(codes, c)
	}
	sort.Ints(codes)
	var sb strings.Builder
	for _, c := range codes {
		fmt.Fprintf(&sb, " %d×%d", c, statuses[c])
	}
	t.Logf("%d malformed requests; statuses:%s", len(reqs), sb.String())
	// The logs record no panic (the Recover middleware logs none, but a handler's
	// internal error would be).
	if logs := h.logs.String(); strings.Contains(logs, "internal error") || strings.Contains(logs, "panic") {
		t.Errorf("logs record an internal error or panic:\n%s", short(logs))
	}
}

// short abbreviates long strings in failure messages.
func short(s string) string {
	if len(s) > 160 {
		return fmt.Sprintf("%s…(%d bytes)", s[:160], len(s))
	}
	return s
}
