package api

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"vigil/scheduler"
)

// Known-answer vectors of the token format (DESIGN.md §5, issue 19), for testMaster
// (32 bytes of 0x42). Computed once, outside Go, with python3's hmac, hashlib and base64:
//
//	key = hkdf(b'\x42'*32, b'vigil/v1/token-key')   # HKDF-SHA256, zero salt (scheduler/keys_vectors_test.go)
//	b = lambda x: base64.urlsafe_b64encode(x).rstrip(b'=').decode()
//	hdr = '{"alg":"HS256","typ":"JWT"}'
//	pl = '{"role":"officer","officer":"o-bos-001","sub":"o-bos-001","exp":1795831200,' \
//	     '"nbf":1795788000,"iat":1795788000,"jti":"000102030405060708090a0b0c0d0e0f"}'
//	si = b(hdr.encode()) + '.' + b(pl.encode())
//	si + '.' + b(hmac.new(key, si.encode(), hashlib.sha256).digest())   # kvToken
//
// (iat 14:00Z on 2026-11-27, an hour before the harness's clock; exp 12 hours later.)
const (
	kvTokenKey42 = "70ef96c552a8aa7b5371df853ba077bd8f9671f1dc1bd02f2e51416f7b35c37f"
	kvToken      = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9." +
		"eyJyb2xlIjoib2ZmaWNlciIsIm9mZmljZXIiOiJvLWJvcy0wMDEiLCJzdWIiOiJvLWJvcy0wMDEiLCJleHAiOjE3OTU4MzEyMDAsIm5iZiI6MTc5NTc4ODAwMCwiaWF0IjoxNzk1Nzg4MDAwLCJqdGkiOiIwMDAxMDIwMzA0MDUwNjA3MDgwOTBhMGIwYzBkMGUwZiJ9." +
		"AlsvMaARu9lRseT2Pqet3dN3D1J2Lf8niJIxoYa_s0A"
)

// TestTokenFormatVector checks that IssueToken writes exactly the vector's format (header,
// claim names and order, second-resolution times, a 128-bit hex jti, an HS256 signature
// with the HKDF token key), and that the server accepts the vector token and refuses it
// with any part changed.
func TestTokenFormatVector(t *testing.T) {
	key := scheduler.TokenKey(testMaster)
	if got := hex.EncodeToString(key); got != kvTokenKey42 {
		t.Fatalf("TokenKey(0x42…) = %s; want %s", got, kvTokenKey42)
	}
	now := time.Date(2026, 11, 27, 14, 0, 0, 500e6, time.UTC)
	tok, jti, err := IssueToken(key, RoleOfficer, "", "o-bos-001", 12*time.Hour, now)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(jti) {
		t.Fatalf("jti %q; want 32 hex digits", jti)
	}
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("token %q: want three dot-separated parts", tok)
	}
	want := strings.Split(kvToken, ".")
	if parts[0] != want[0] {
		t.Errorf("header %q; want %q", parts[0], want[0])
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("payload not unpadded base64url: %v", err)
	}
	wantPayload := `{"role":"officer","officer":"o-bos-001","sub":"o-bos-001","exp":1795831200,"nbf":1795788000,"iat":1795788000,"jti":"` + jti + `"}`
	if string(payload) != wantPayload {
		t.Errorf("payload %s; want %s", payload, wantPayload)
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(parts[0] + "." + parts[1]))
	if sig := base64.RawURLEncoding.EncodeToString(mac.Sum(nil)); parts[2] != sig {
		t.Errorf("signature %q; want HMAC-SHA256(token key, header.payload) %q", parts[2], sig)
	}
	// The vector token itself, issued elsewhere, is accepted by a server with testMaster.
	var claims struct{ Officer, Role string }
	if err := json.Unmarshal(mustB64(t, want[1]), &claims); err != nil || claims.Officer != "o-bos-001" {
		t.Fatalf("vector payload: %v %+v", err, claims)
	}
	h := newHarness(t)
	if code, body := h.do(http.MethodGet, "/v1/me/calendar", kvToken, ""); code != http.StatusOK {
		t.Errorf("GET /v1/me/calendar with the vector token = %d %s; want 200", code, body)
	}
	flip := func(s string) string {
		b := []byte(s)
		if b[len(b)-2] == 'A' {
			b[len(b)-2] = 'B'
		} else {
			b[len(b)-2] = 'A'
		}
		return string(b)
	}
	for i, name := range []string{"header", "payload", "signature"} {
		p := append([]string{}, want...)
		p[i] = flip(p[i])
		if code, _ := h.do(http.MethodGet, "/v1/me/calendar", strings.Join(p, "."), ""); code != http.StatusUnauthorized {
			t.Errorf("vector token with its %s changed = %d; want 401", name, code)
		}
	}
}

func mustB64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
