package api

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"testing"
	"time"

	"vigil/rediskit"
)

// withLimiter rebuilds the harness's server with a rate limiter.
func (h *harness) withLimiter(l Limiter) {
	h.srv = New(Config{
		Logger: slog.New(slog.NewJSONHandler(h.logs, nil)), Store: h.store, Offices: h.ds.Offices,
		MasterKey: testMaster, Clock: h.clock, RateLimit: l,
	})
}

func TestRateLimit(t *testing.T) {
	h := newHarness(t)
	h.withLimiter(rediskit.NewMemoryLimiter(1, 3, h.clock))
	a, b := h.token(RoleAdmin, "", ""), h.token(RolePlanner, "", "")
	for i := 0; i < 3; i++ {
		if code, body := h.do("GET", "/v1/regions", a, ""); code != http.StatusOK {
			t.Fatalf("request %d within the burst = %d %s; want 200", i+1, code, body)
		}
	}
	req, _ := http.NewRequest("GET", "/v1/regions", nil)
	req.Header.Set("Authorization", "Bearer "+a)
	rec := httptest.NewRecorder()
	h.srv.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusTooManyRequests {
		t.Fatalf("request over the burst = %d %s; want 429", rec.Code, rec.Body)
	}
	if ra := rec.Header().Get("Retry-After"); ra != "1" {
		t.Errorf("Retry-After = %q; want 1 (one request a second refills)", ra)
	}
	var e errorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error.Code != "rate_limited" || e.Error.Message == "" {
		t.Errorf("429 body = %s; want {\"error\":{\"code\":\"rate_limited\",…}}", rec.Body)
	}
	// The limiter runs on the server's clock: a second later one more request passes.
	h.clock.Add(time.Second)
	if code, body := h.do("GET", "/v1/regions", a, ""); code != http.StatusOK {
		t.Errorf("request a second after the burst = %d %s; want 200", code, body)
	}
	if code, _ := h.do("GET", "/v1/regions", a, ""); code != http.StatusTooManyRequests {
		t.Errorf("the next request = %d; want 429", code)
	}
	// Another token has its own allowance.
	if code, body := h.do("GET", "/v1/regions", b, ""); code != http.StatusOK {
		t.Errorf("another token = %d %s; want 200", code, body)
	}
	// Requests without a valid token are limited by client IP: guessing tokens is slowed.
	codes := []int{}
	for i := 0; i < 5; i++ {
		code, _ := h.do("GET", "/v1/regions", "guess-"+strconv.Itoa(i), "")
		codes = append(codes, code)
	}
	if want := []int{401, 401, 401, 429, 429}; !slices.Equal(codes, want) {
		t.Errorf("bad tokens from one IP = %v; want %v", codes, want)
	}
	// Health checks are never limited.
	for i := 0; i < 10; i++ {
		if code, _ := h.do("GET", "/healthz", "", ""); code != http.StatusOK {
			t.Fatalf("/healthz = %d; want 200", code)
		}
	}
}
