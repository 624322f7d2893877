package api

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/labstack/echo/v4"

	"vigil/scheduler"
)

// The access rules' edges that the route-level tests leave loose (issue 19: found by the
// mutation run of `make mutate`).

// A token lives more than 0 and at most MaxTokenTTL.
func TestAccessRulesTokenLifetime(t *testing.T) {
	key := scheduler.TokenKey(testMaster)
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		ttl time.Duration
		ok  bool
	}{
		{-time.Second, false}, {0, false}, {time.Second, true}, {MaxTokenTTL, true}, {MaxTokenTTL + time.Second, false},
	} {
		tok, _, err := IssueToken(key, RoleAdmin, "", "", tc.ttl, now)
		if (err == nil) != tc.ok {
			t.Errorf("IssueToken(ttl %v) error %v; want ok %v", tc.ttl, err, tc.ok)
		}
		if err == nil {
			cl, err := ParseToken(key, tok, now)
			if err != nil || !cl.ExpiresAt.Time.Equal(now.Add(tc.ttl)) {
				t.Errorf("ttl %v: parsed %v, %v; want exp %v", tc.ttl, cl, err, now.Add(tc.ttl))
			}
		}
	}
}

// A request without claims is refused by allow and named "(none)".
func TestAccessRulesNoClaims(t *testing.T) {
	c := echo.New().NewContext(httptest.NewRequest(http.MethodGet, "/", nil), httptest.NewRecorder())
	err := allow(RoleAdmin)(func(echo.Context) error { return nil })(c)
	var e *Error
	if !errors.As(err, &e) || e.Kind != KindForbidden || !strings.Contains(e.Msg, "role (none) may not") {
		t.Fatalf("allow without claims = %v; want forbidden naming (none)", err)
	}
	c.Set(claimsKey, &Claims{Role: RolePlanner})
	err = allow(RoleAdmin, RoleSupervisor)(func(echo.Context) error { return nil })(c)
	if !errors.As(err, &e) || e.Kind != KindForbidden || !strings.Contains(e.Msg, "role planner may not") {
		t.Fatalf("allow(admin, supervisor) for a planner = %v; want forbidden naming planner", err)
	}
	if err := allow(RoleAdmin, RolePlanner)(func(echo.Context) error { return nil })(c); err != nil {
		t.Fatalf("allow(admin, planner) for a planner = %v", err)
	}
}

// A full cache of live entries drops to half (the new entry included) on the next put.
func TestAccessRulesCacheHalves(t *testing.T) {
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	cl := &Claims{Role: RoleAdmin, RegisteredClaims: jwt.RegisteredClaims{ID: "x",
		NotBefore: jwt.NewNumericDate(now.Add(-time.Minute)), ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour))}}
	var tc tokenCache
	for i := range maxCachedTokens {
		tc.put(sha256.Sum256(fmt.Appendf(nil, "t-%d", i)), cl, now)
	}
	if len(tc.m) != maxCachedTokens {
		t.Fatalf("after %d puts the cache holds %d; want all", maxCachedTokens, len(tc.m))
	}
	last := sha256.Sum256([]byte("last"))
	tc.put(last, cl, now)
	if len(tc.m) != maxCachedTokens/2 {
		t.Fatalf("after one more put the cache holds %d; want %d", len(tc.m), maxCachedTokens/2)
	}
	if _, ok := tc.get(last, now); !ok {
		t.Fatal("the entry just put is not served")
	}
}
