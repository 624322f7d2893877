package api

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestPageSimulateLimits: the dashboard's simulation runs through the API's limits: the
// date range, the queue (a third run waits, then is refused), and no internal message in
// an answer.
func TestPageSimulateLimits(t *testing.T) {
	h := newHarness(t)
	pln := h.token(RolePlanner, "", "")
	csrf := h.srv.csrfToken(h.session(pln))
	for _, from := range []string{"0001-01-01", "9999-12-31"} {
		r := h.page(http.MethodPost, "/simulate", pln, url.Values{"csrf": {csrf}, "region": {"bos"}, "days": {"4"}, "train": {"2"}, "from": {from}}, nil)
		body := readBody(t, r)
		if r.StatusCode != http.StatusBadRequest || !strings.Contains(body, "within 400 days") {
			t.Errorf("POST /simulate from=%s = %d; want 400 naming the date range\n%.300s", from, r.StatusCode, body)
		}
	}
	// Both slots taken: the page's run waits its timeout and is refused, as the API's is.
	h.srv.rel.simTimeout = 200 * time.Millisecond
	for i := 0; i < cap(h.srv.rel.sims); i++ {
		h.srv.rel.sims <- struct{}{}
	}
	t0 := time.Now()
	r := h.page(http.MethodPost, "/simulate", pln, url.Values{"csrf": {csrf}, "region": {"bos"}, "days": {"4"}, "train": {"2"}}, nil)
	if r.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("POST /simulate with both slots busy = %d after %s; want 503", r.StatusCode, time.Since(t0))
	}
}
