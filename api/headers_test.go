package api

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"vigil/scheduler"
)

// TestSecurityHeaders: nosniff on every answer, errors included; no-store on every answer
// holding live data: plans (JSON, GeoJSON, CSV), units' positions, assignments, the feed
// URL and the feed.
func TestSecurityHeaders(t *testing.T) {
	h := newHarness(t)
	d := scheduler.ServiceDateOf(start, scheduler.DefaultShifts(), bosLoc).String()
	sup := h.token(RoleSupervisor, "bos", "")
	off := h.token(RoleOfficer, "", "o-bos-001")
	get := func(path, tok string) http.Header {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		rec := httptest.NewRecorder()
		h.srv.Handler().ServeHTTP(rec, req)
		return rec.Result().Header
	}
	for _, path := range []string{"/healthz", "/openapi.yaml", "/no-such", "/v1/regions", "/"} {
		if got := get(path, "").Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("GET %s: X-Content-Type-Options = %q; want nosniff", path, got)
		}
	}
	live := map[string]string{
		"/v1/plans/bos/" + d:                           sup,
		"/v1/plans/bos/" + d + "?format=csv":           sup,
		"/v1/plans/bos/" + d + "?format=geojson":       sup,
		"/v1/plans/bos/" + d + "/units/bos-v01":        sup,
		"/v1/plans/bos/" + d + "/posts":                sup,
		"/v1/me/assignments?date=" + d:                 off,
		"/v1/me/calendar":                              off,
		"/v1/response?region=bos&lat=42.35&lon=-71.06": sup,
	}
	for path, tok := range live {
		hd := get(path, tok)
		if got := hd.Get("Cache-Control"); got != "no-store" {
			t.Errorf("GET %s: Cache-Control = %q; want no-store", path, got)
		}
		if got := hd.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("GET %s: X-Content-Type-Options = %q; want nosniff", path, got)
		}
	}
}
