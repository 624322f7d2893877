package api

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// series counts the vigil_http_ series /metrics exposes.
func series(t *testing.T, h *harness) int {
	t.Helper()
	code, body := h.do(http.MethodGet, "/metrics", "", "")
	if code != http.StatusOK {
		t.Fatalf("GET /metrics = %d", code)
	}
	n := 0
	for _, l := range strings.Split(string(body), "\n") {
		if strings.HasPrefix(l, "vigil_http_") {
			n++
		}
	}
	return n
}

// TestMetricsBoundedByRoutes: 200 Host values, 200 unmatched paths and odd methods leave
// /metrics' series count unchanged once each route and status has been seen.
func TestMetricsBoundedByRoutes(t *testing.T) {
	h := newHarness(t)
	send := func(method, path, host string) {
		req := httptest.NewRequest(method, path, nil)
		req.Host = host
		h.srv.Handler().ServeHTTP(httptest.NewRecorder(), req)
	}
	send(http.MethodGet, "/healthz", "a.example")
	send(http.MethodGet, "/no-such-0", "a.example")
	send("FOO", "/healthz", "a.example")
	send(http.MethodGet, "/metrics", "a.example")
	before := series(t, h)
	for i := 0; i < 200; i++ {
		send(http.MethodGet, "/healthz", fmt.Sprintf("h%d.example", i))
		send(http.MethodGet, fmt.Sprintf("/no-such-%d", i), fmt.Sprintf("h%d.example", i))
		send(fmt.Sprintf("M%d", i), "/healthz", "a.example")
	}
	if after := series(t, h); after != before {
		t.Errorf("series: %d before, %d after 200 hosts, paths and methods; want unchanged", before, after)
	}
}
