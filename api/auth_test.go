package api

import (
	"crypto/sha256"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"vigil/scheduler"
)

// TestCachedTokenStillChecked checks that a token served from the verified-token cache is
// still refused once revoked or expired.
func TestCachedTokenStillChecked(t *testing.T) {
	h := newHarness(t)
	key := scheduler.TokenKey(testMaster)
	now := h.clock.Now()
	short, _, err := IssueToken(key, RoleAdmin, "", "", time.Hour, now)
	if err != nil {
		t.Fatal(err)
	}
	admin, _, err := IssueToken(key, RoleAdmin, "", "", 12*time.Hour, now)
	if err != nil {
		t.Fatal(err)
	}
	officer, jti, err := IssueToken(key, RoleOfficer, "", "o-bos-001", 12*time.Hour, now)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 { // the first verifies and caches, the others hit the cache
		if code, body := h.do("GET", "/v1/regions", short, ""); code != http.StatusOK {
			t.Fatalf("GET /v1/regions = %d %s; want 200", code, body)
		}
		if code, body := h.do("GET", "/v1/regions", officer, ""); code != http.StatusOK {
			t.Fatalf("GET /v1/regions as officer = %d %s; want 200", code, body)
		}
	}
	if code, body := h.do("POST", "/v1/tokens/revoke", admin, `{"jti":"`+jti+`"}`); code != http.StatusOK {
		t.Fatalf("revoke = %d %s", code, body)
	}
	if code, _ := h.do("GET", "/v1/regions", officer, ""); code != http.StatusUnauthorized {
		t.Errorf("GET with a cached, then revoked token = %d; want 401", code)
	}
	h.clock.Add(time.Hour) // exp is exclusive: a token is expired at its exp
	if code, _ := h.do("GET", "/v1/regions", short, ""); code != http.StatusUnauthorized {
		t.Errorf("GET with a cached token at its exp = %d; want 401", code)
	}
	if code, body := h.do("GET", "/v1/regions", admin, ""); code != http.StatusOK {
		t.Errorf("GET with a cached token within its time = %d %s; want 200", code, body)
	}
}

// TestTokenCacheBounded checks that the cache never holds more than maxCachedTokens, drops
// expired entries first, and refuses an entry outside its times.
func TestTokenCacheBounded(t *testing.T) {
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	claims := func(exp time.Time) *Claims {
		return &Claims{Role: RoleAdmin, RegisteredClaims: jwt.RegisteredClaims{ID: "x",
			NotBefore: jwt.NewNumericDate(now.Add(-time.Minute)), ExpiresAt: jwt.NewNumericDate(exp)}}
	}
	var tc tokenCache
	live := sha256.Sum256([]byte("live"))
	tc.put(live, claims(now.Add(time.Hour)), now)
	for i := range 3 * maxCachedTokens {
		tc.put(sha256.Sum256(fmt.Appendf(nil, "expired-%d", i)), claims(now.Add(time.Second)), now)
		if len(tc.m) > maxCachedTokens {
			t.Fatalf("after %d puts the cache holds %d; want at most %d", i+2, len(tc.m), maxCachedTokens)
		}
	}
	later := now.Add(time.Minute) // every "expired-" entry has expired
	tc.put(sha256.Sum256([]byte("new")), claims(now.Add(time.Hour)), later)
	if len(tc.m) > maxCachedTokens {
		t.Fatalf("the cache holds %d; want at most %d", len(tc.m), maxCachedTokens)
	}
	if _, ok := tc.get(sha256.Sum256([]byte("expired-5")), later); ok {
		t.Error("an expired entry was served")
	}
	if _, ok := tc.get(sha256.Sum256([]byte("new")), later); !ok {
		t.Error("a live entry was not served")
	}
	if _, ok := tc.get(sha256.Sum256([]byte("new")), now.Add(-2*time.Minute)); ok {
		t.Error("an entry was served before its nbf")
	}
}
