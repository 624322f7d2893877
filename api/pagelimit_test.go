package api

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"vigil/rediskit"
)

// TestEveryRouteLimited: pages, sign-in and the calendar feed are rate limited like /v1.
func TestEveryRouteLimited(t *testing.T) {
	h := newHarness(t)
	h.withLimiter(rediskit.NewMemoryLimiter(1, 5, h.clock))
	sup := h.token(RoleSupervisor, "bos", "")
	checks := []struct {
		name string
		send func() int
	}{
		{"page", func() int { return h.page(http.MethodGet, "/regions/bos", sup, nil, nil).StatusCode }},
		{"sign-in", func() int {
			return h.page(http.MethodPost, "/session", "", url.Values{"token": {"not-a-token"}}, nil).StatusCode
		}},
		{"feed", func() int { c, _ := h.do(http.MethodGet, "/v1/calendar/nope.ics", "", ""); return c }},
	}
	for _, ck := range checks {
		h.clock.Add(time.Minute) // refill
		limited := 0
		for i := 0; i < 20; i++ {
			if ck.send() == http.StatusTooManyRequests {
				limited++
			}
		}
		if limited < 10 {
			t.Errorf("%s: %d of 20 quick requests answered 429; want those past the burst of 5", ck.name, limited)
		}
	}
}

// TestPageViewsAuditedOncePerMinute: 50 loads of a region page in a minute make one audit
// record per read, not 50.
func TestPageViewsAuditedOncePerMinute(t *testing.T) {
	h := newHarness(t)
	sup := h.token(RoleSupervisor, "bos", "")
	count := func() int {
		recs, err := h.store.AuditLog(context.Background(), time.Time{}, 10000)
		if err != nil {
			t.Fatal(err)
		}
		return len(recs)
	}
	before := count()
	for i := 0; i < 50; i++ {
		if r := h.page(http.MethodGet, "/regions/bos", sup, nil, nil); r.StatusCode != http.StatusOK {
			t.Fatalf("GET /regions/bos = %d", r.StatusCode)
		}
	}
	one := count() - before
	if one < 1 || one > 3 {
		t.Errorf("50 page loads in a minute made %d audit records; want one per read (1–3)", one)
	}
	h.clock.Add(time.Minute)
	h.page(http.MethodGet, "/regions/bos", sup, nil, nil)
	if n := count() - before; n != 2*one {
		t.Errorf("a load the next minute: %d records in all; want %d", n, 2*one)
	}
}
