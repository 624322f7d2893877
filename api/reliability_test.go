package api

import (
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"vigil/scheduler/simulate"
	"vigil/scheduler/storetest"
)

// withLimiter rebuilds the harness's server with a rate limiter.
func (h *harness) withLimiter(l Limiter) {
	h.srv = New(Config{
		Logger: slog.New(slog.NewJSONHandler(h.logs, nil)), Store: h.store, Offices: h.ds.Offices,
		MasterKey: testMaster, Now: h.clock.Now, RateLimit: l,
	})
}

func TestRateLimit(t *testing.T) {
	h := newHarness(t)
	h.withLimiter(NewMemoryLimiter(1, 3))
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
	if ra, err := strconv.Atoi(rec.Header().Get("Retry-After")); err != nil || ra < 1 {
		t.Errorf("Retry-After = %q; want whole seconds ≥ 1", rec.Header().Get("Retry-After"))
	}
	var e errorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error.Code != "rate_limited" || e.Error.Message == "" {
		t.Errorf("429 body = %s; want {\"error\":{\"code\":\"rate_limited\",…}}", rec.Body)
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
	if want := []int{401, 401, 401, 429, 429}; !equalInts(codes, want) {
		t.Errorf("bad tokens from one IP = %v; want %v", codes, want)
	}
	// Health checks are never limited.
	for i := 0; i < 10; i++ {
		if code, _ := h.do("GET", "/healthz", "", ""); code != http.StatusOK {
			t.Fatalf("/healthz = %d; want 200", code)
		}
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestMemoryLimiterRefills(t *testing.T) {
	l := NewMemoryLimiter(50, 1)
	ctx := context.Background()
	if ok, _ := l.Allow(ctx, "k"); !ok {
		t.Fatal("first request refused")
	}
	ok, wait := l.Allow(ctx, "k")
	if ok || wait <= 0 || wait > 20*time.Millisecond {
		t.Fatalf("second request = %v, wait %v; want refused with a wait of at most 20ms", ok, wait)
	}
	time.Sleep(wait + 5*time.Millisecond)
	if ok, _ := l.Allow(ctx, "k"); !ok {
		t.Errorf("request after the wait refused")
	}
}

// TestRedisLimiterFallsBack checks that, with Redis unreachable, limits still hold per
// replica.
func TestRedisLimiterFallsBack(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	rdb := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialTimeout: 100 * time.Millisecond})
	defer rdb.Close()
	lim := NewRedisLimiter(rdb, "{vigil-test}:rate:", 1, 2, nil)
	got := []bool{}
	for i := 0; i < 3; i++ {
		ok, _ := lim.Allow(context.Background(), "jti:x")
		got = append(got, ok)
	}
	if got[0] != true || got[1] != true || got[2] != false {
		t.Errorf("Allow ×3 with Redis down = %v; want [true true false] from the fallback", got)
	}
}

// TestRedisLimiterShared checks the limiter on a real Redis, if one answers on the shared
// port, under a prefix of its own: two limiters (two replicas) share one allowance.
func TestRedisLimiterShared(t *testing.T) {
	opt, err := redis.ParseURL(storetest.RedisURL(t))
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	prefix := "{vigil-ratetest-" + strconv.FormatInt(time.Now().UnixNano(), 36) + "}:"
	defer storetest.DeletePrefix(context.Background(), rdb, prefix)
	a := NewRedisLimiter(rdb, prefix, 1, 3, nil)
	b := NewRedisLimiter(rdb, prefix, 1, 3, nil)
	got := []bool{}
	for _, l := range []*RedisLimiter{a, b, a, b} {
		ok, _ := l.Allow(context.Background(), "jti:shared")
		got = append(got, ok)
	}
	if want := []bool{true, true, true, false}; got[0] != want[0] || got[1] != want[1] || got[2] != want[2] || got[3] != want[3] {
		t.Errorf("Allow over two replicas = %v; want %v", got, want)
	}
}

func TestSimulations(t *testing.T) {
	h := newHarness(t)
	body := `{"region":"bos","date":"2026-11-27","days":3,"train":2,"incidents":5,"seed":"abcd"}`
	tests := []struct {
		role string
		want int
	}{
		{RolePlanner, 200},
		{RoleAdmin, 200},
		{RoleSupervisor, 403},
		{RoleOfficer, 403},
	}
	for _, tt := range tests {
		region, officer := "", ""
		switch tt.role {
		case RoleSupervisor:
			region = "bos"
		case RoleOfficer:
			officer = "o-bos-001"
		}
		code, resp := h.do("POST", "/v1/simulations", h.token(tt.role, region, officer), body)
		if code != tt.want {
			t.Errorf("POST /v1/simulations as %s = %d %.300s; want %d", tt.role, code, resp, tt.want)
			continue
		}
		if code != 200 {
			continue
		}
		var out struct {
			Schema   string `json:"schema"`
			Scenario struct {
				Region string `json:"region"`
				Days   int    `json:"days"`
				Seed   string `json:"seed"`
			} `json:"scenario"`
			Planners map[string]json.RawMessage `json:"planners"`
		}
		if err := json.Unmarshal(resp, &out); err != nil {
			t.Fatal(err)
		}
		if out.Schema != simulate.Schema || out.Scenario.Region != "bos" || out.Scenario.Days != 3 || out.Scenario.Seed != "abcd" || len(out.Planners) != 3 {
			t.Errorf("simulation report = %+v; want schema %s, region bos, 3 days, seed abcd, three planners", out, simulate.Schema)
		}
	}
}

func TestSimulationValidation(t *testing.T) {
	h := newHarness(t)
	planner := h.token(RolePlanner, "", "")
	tests := []struct {
		body, want string
	}{
		{`{"date":"2026-11-27"}`, "region"},
		{`{"region":"nowhere","days":3,"train":2}`, "nowhere"},
		{`{"region":"bos","days":121,"train":2}`, "days 121"},
		{`{"region":"bos","days":2,"train":2}`, "days 2"},
		{`{"region":"bos","days":3,"train":2,"attack":1}`, "attack"},
		{`{"region":"bos","days":3,"train":2,"incidents":5000}`, "incidents"},
		{`{"region":"bos","days":3,"train":2,"seed":"xyz"}`, "seed"},
		{`{"region":"bos","days":3,"train":2,"date":"27/11/2026"}`, "date"},
		{`{"region":"bos","days":3,"train":2,"date":"2199-01-01"}`, "date"},
		{`{"region":"bos","days":3,"train":2,"threat":{"no-such-mission":5}}`, "no-such-mission"},
		{`{"region":"bos","days":3,"train":2,"units":{"horse":3}}`, "horse"},
		{`{"region":"bos","days":3,"train":2,"key":"00"}`, "key"},
		{`not json`, "body"},
	}
	for _, tt := range tests {
		code, resp := h.do("POST", "/v1/simulations", planner, tt.body)
		if code != 400 && !(strings.Contains(tt.body, "nowhere") && code == 404) {
			t.Errorf("POST /v1/simulations %s = %d %s; want 400", tt.body, code, resp)
			continue
		}
		var e errorBody
		if err := json.Unmarshal(resp, &e); err != nil || !strings.Contains(e.Error.Message, tt.want) {
			t.Errorf("POST /v1/simulations %s: message %q; want one naming %q", tt.body, e.Error.Message, tt.want)
		}
	}
}

func TestSimulationTimeout(t *testing.T) {
	h := newHarness(t)
	h.srv = New(Config{Store: h.store, Offices: h.ds.Offices, MasterKey: testMaster, Now: h.clock.Now, SimulationTimeout: time.Nanosecond})
	code, resp := h.do("POST", "/v1/simulations", h.token(RolePlanner, "", ""), `{"region":"bos","days":3,"train":2}`)
	if code != http.StatusServiceUnavailable || !strings.Contains(string(resp), "did not finish") && !strings.Contains(string(resp), "busy") {
		t.Errorf("simulation past its timeout = %d %s; want 503 saying so", code, resp)
	}
}
