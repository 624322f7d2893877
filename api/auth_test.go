package api

import (
	"crypto/sha256"
	"fmt"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"vigil/scheduler"
)

// TestOfficerRegionMatchesPattern checks the hand-written OfficerRegion against the
// pattern it implements.
func TestOfficerRegionMatchesPattern(t *testing.T) {
	pattern := regexp.MustCompile(`^o-([a-z0-9][a-z0-9-]*)-([0-9]{3,})$`)
	ids := []string{
		"o-wfo-001", "o-wfo-1234", "o-bos-01", "o-bos-0001x", "o-a-123-456", "o-a-12-456", "o-a--123",
		"o--a-123", "o-1-000", "o-Wfo-001", "o-wfo-", "o-wfo", "o--123", "o-123", "o-x-123-",
		"x-wfo-001", "o-wfo-001\n", "o-wf_o-001", "o-wfo-00a1", "o-é-001", "", "o-", "o-a-b-c-999",
		"o-a-999-99", "o-9-9-999", "o-wfo-001 ",
	}
	// Every string of up to 7 characters over an alphabet that reaches every branch.
	alphabet := []byte("o-a1Z")
	var gen func(prefix []byte)
	gen = func(prefix []byte) {
		ids = append(ids, "o-"+string(prefix))
		if len(prefix) == 7 {
			return
		}
		for _, ch := range alphabet {
			gen(append(prefix, ch))
		}
	}
	gen(nil)
	for _, id := range ids {
		want := ""
		if m := pattern.FindStringSubmatch(id); m != nil {
			want = m[1]
		}
		if got := OfficerRegion(id); got != want {
			t.Errorf("OfficerRegion(%q) = %q; want %q", id, got, want)
		}
	}
}

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
