package api

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The simulate page's frontier button runs the frontier over the form's floors and shows
// its table and chart, under the page's limit of days × floors.
func TestDashboardSimulateFrontier(t *testing.T) {
	h := newHarness(t)
	pln := h.token(RolePlanner, "", "")
	csrf := h.srv.csrfToken(h.session(pln))
	form := url.Values{"csrf": {csrf}, "region": {"bos"}, "days": {"4"}, "train": {"2"}, "floors": {"0, 2"}, "frontier": {"1"}}
	r := h.page(http.MethodPost, "/simulate", pln, form, nil)
	body := readBody(t, r)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("POST /simulate frontier = %d\n%.800s", r.StatusCode, body)
	}
	for _, want := range []string{`id="sim-frontier"`, "live ratio 15/30/60", "From 0 to 2 visits per max gap", "Worst mission"} {
		if !strings.Contains(body, want) {
			t.Errorf("frontier page lacks %q", want)
		}
	}
	if n := strings.Count(body, "<svg"); n != 1 || strings.Contains(body, "Vigil intercepts") {
		t.Errorf("frontier page: %d charts, report shown %v; want the frontier chart alone", n, strings.Contains(body, "Vigil intercepts"))
	}

	form.Set("days", "15")
	form.Set("floors", "0,1,2,3,4,5,6")
	r = h.page(http.MethodPost, "/simulate", pln, form, nil)
	body = readBody(t, r)
	if r.StatusCode != http.StatusBadRequest || !strings.Contains(body, "15 days × 7 floors") {
		t.Errorf("POST /simulate frontier of 15 days × 7 floors = %d; want 400 naming the limit\n%.800s", r.StatusCode, body)
	}

	// Without the button, the form runs the report, whatever the floors field holds.
	form.Set("days", "4")
	form.Del("frontier")
	r = h.page(http.MethodPost, "/simulate", pln, form, nil)
	if body = readBody(t, r); r.StatusCode != http.StatusOK || !strings.Contains(body, "Vigil intercepts") || strings.Contains(body, "sim-frontier") {
		t.Errorf("POST /simulate without the frontier button = %d, want the report", r.StatusCode)
	}
}
