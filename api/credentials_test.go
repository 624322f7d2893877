package api

import (
	"bufio"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"vigil/scheduler"
)

func testTokenKey() []byte { return scheduler.TokenKey(testMaster) }

// streamClosedWithin opens /v1/events with the header or cookie given, runs act, and
// returns how long after act the server ended the stream (fails past limit).
func streamClosedWithin(t *testing.T, url string, hdr map[string]string, act func(), limit time.Duration) time.Duration {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url+"/v1/events?region=bos", nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /v1/events = %d; want 200", resp.StatusCode)
	}
	br := bufio.NewReader(resp.Body)
	if _, err := br.ReadString('\n'); err != nil { // the stream's first comment
		t.Fatal(err)
	}
	done := make(chan time.Time, 1)
	go func() {
		_, _ = io.Copy(io.Discard, br)
		done <- time.Now()
	}()
	t0 := time.Now()
	act()
	select {
	case end := <-done:
		return end.Sub(t0)
	case <-time.After(limit):
		t.Fatalf("event stream still open %s after its credential ended", limit)
		return 0
	}
}

// TestStreamsEndWithTheirCredential: an open event stream closes within 1 s of its token's
// revocation, of its expiry, of its session's sign-out, and of the revocation of all an
// officer's credentials.
func TestStreamsEndWithTheirCredential(t *testing.T) {
	h := newHarness(t)
	srv := httptest.NewServer(h.srv.Handler())
	defer srv.Close()
	admin := h.token(RoleAdmin, "", "")

	sup := h.token(RoleSupervisor, "bos", "")
	d := streamClosedWithin(t, srv.URL, map[string]string{"Authorization": "Bearer " + sup}, func() {
		if code, body := h.do(http.MethodPost, "/v1/tokens/revoke", admin, `{"jti":"`+jtiOfToken(t, sup)+`"}`); code != http.StatusOK {
			t.Fatalf("revoke = %d %s", code, body)
		}
	}, time.Second)
	t.Logf("bearer stream closed %s after revocation", d)

	short, _, err := IssueToken(testTokenKey(), RoleSupervisor, "bos", "", 10*time.Second, h.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	d = streamClosedWithin(t, srv.URL, map[string]string{"Authorization": "Bearer " + short}, func() { h.clock.Add(11 * time.Second) }, time.Second)
	t.Logf("10 s token's stream closed %s after its expiry", d)

	sup2 := h.token(RoleSupervisor, "bos", "")
	sess := h.session(sup2)
	d = streamClosedWithin(t, srv.URL, map[string]string{"Cookie": sessionCookie + "=" + sess}, func() {
		r := h.page(http.MethodPost, "/session/end", sup2, url.Values{"csrf": {h.srv.csrfToken(sess)}}, nil)
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign out = %d", r.StatusCode)
		}
	}, time.Second)
	t.Logf("session stream closed %s after sign-out", d)

	sup3 := h.token(RoleSupervisor, "bos", "")
	d = streamClosedWithin(t, srv.URL, map[string]string{"Cookie": sessionCookie + "=" + h.session(sup3)}, func() {
		if code, body := h.do(http.MethodPost, "/v1/tokens/revoke", admin, `{"jti":"`+jtiOfToken(t, sup3)+`"}`); code != http.StatusOK {
			t.Fatalf("revoke = %d %s", code, body)
		}
	}, time.Second)
	t.Logf("session stream closed %s after its bearer token's revocation", d)

	off := h.token(RoleOfficer, "", "o-bos-001")
	d = streamClosedWithin(t, srv.URL, map[string]string{"Authorization": "Bearer " + off}, func() {
		if code, body := h.do(http.MethodPost, "/v1/officers/o-bos-001/revoke", admin, ""); code != http.StatusOK {
			t.Fatalf("revoke officer = %d %s", code, body)
		}
	}, time.Second)
	t.Logf("officer stream closed %s after the revocation of all their credentials", d)
}

// TestSessionIsItsOwnCredential: the cookie is not the bearer token, a session is not
// accepted as a bearer token, and signing out revokes it.
func TestSessionIsItsOwnCredential(t *testing.T) {
	h := newHarness(t)
	sup := h.token(RoleSupervisor, "bos", "")
	// A bearer token in the cookie is refused.
	req := httptest.NewRequest(http.MethodGet, "/v1/regions", nil)
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: sup})
	rec := httptest.NewRecorder()
	h.srv.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusUnauthorized {
		t.Errorf("bearer token as the session cookie = %d; want 401", rec.Code)
	}
	sess := h.session(sup)
	if code, _ := h.do(http.MethodGet, "/v1/regions", sess, ""); code != http.StatusUnauthorized {
		t.Errorf("session as a bearer token = %d; want 401", code)
	}
	if r := h.page(http.MethodGet, "/regions/bos", sup, nil, nil); r.StatusCode != http.StatusOK {
		t.Fatalf("GET /regions/bos on the session = %d; want 200", r.StatusCode)
	}
	if r := h.page(http.MethodPost, "/session/end", sup, url.Values{"csrf": {h.srv.csrfToken(sess)}}, nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out = %d", r.StatusCode)
	}
	if r := h.page(http.MethodGet, "/regions/bos", sup, nil, nil); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("GET /regions/bos on the old cookie after sign-out = %d; want 401", r.StatusCode)
	}
	// The bearer token itself still works: signing out ends the session only.
	if code, _ := h.do(http.MethodGet, "/v1/regions", sup, ""); code != http.StatusOK {
		t.Errorf("bearer token after its session's sign-out = %d; want 200", code)
	}
	// The session is bounded by SessionTTL whatever the token's lifetime.
	long, _, err := IssueToken(testTokenKey(), RoleSupervisor, "bos", "", 80*24*time.Hour, h.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	cl, err := ParseToken(testTokenKey(), h.session(long), h.clock.Now())
	if err != nil || cl.ExpiresAt.Sub(h.clock.Now()) > SessionTTL {
		t.Errorf("session of an 80-day token: %v, expires in %v; want at most %s", err, cl.ExpiresAt.Sub(h.clock.Now()), SessionTTL)
	}
}

// TestFeedDiesWithItsToken: a calendar feed stops with its officer's revoked token, and an
// admin revokes every credential of an officer, feed included, in one call.
func TestFeedDiesWithItsToken(t *testing.T) {
	h := newHarness(t)
	admin := h.token(RoleAdmin, "", "")
	feed := func(tok string) string {
		var got struct{ URL string }
		h.getJSON("/v1/me/calendar", tok, &got)
		if code, body := h.do(http.MethodGet, got.URL, "", ""); code != http.StatusOK {
			t.Fatalf("GET fresh feed = %d %s", code, body)
		}
		return got.URL
	}
	off := h.token(RoleOfficer, "", "o-bos-001")
	u := feed(off)
	h.do(http.MethodPost, "/v1/tokens/revoke", admin, `{"jti":"`+jtiOfToken(t, off)+`"}`)
	if code, _ := h.do(http.MethodGet, u, "", ""); code != http.StatusNotFound {
		t.Errorf("feed after its token's revocation = %d; want 404", code)
	}
	off2 := h.token(RoleOfficer, "", "o-bos-002")
	u = feed(off2)
	sess := h.session(off2)
	if code, body := h.do(http.MethodPost, "/v1/officers/o-bos-002/revoke", off2, ""); code != http.StatusForbidden {
		t.Errorf("officer revoking all = %d %s; want 403", code, body)
	}
	if code, body := h.do(http.MethodPost, "/v1/officers/o-bos-002/revoke", admin, ""); code != http.StatusOK {
		t.Fatalf("admin revoking all = %d %s; want 200", code, body)
	}
	if code, _ := h.do(http.MethodGet, u, "", ""); code != http.StatusNotFound {
		t.Errorf("feed after revoke-all = %d; want 404", code)
	}
	if code, _ := h.do(http.MethodGet, "/v1/me/assignments", off2, ""); code != http.StatusUnauthorized {
		t.Errorf("bearer after revoke-all = %d; want 401", code)
	}
	if r := h.page(http.MethodGet, "/me", sess, nil, nil); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("session after revoke-all = %d; want 401", r.StatusCode)
	}
	// Another officer is untouched.
	if code, _ := h.do(http.MethodGet, "/v1/me/assignments", h.token(RoleOfficer, "", "o-bos-003"), ""); code != http.StatusOK {
		t.Errorf("another officer after revoke-all = %d; want 200", code)
	}
}

// TestStrictClaims: exp as a string, a lifetime past the maximum and a future iat are
// refused, and the refusal does not echo the JWT library.
func TestStrictClaims(t *testing.T) {
	h := newHarness(t)
	key := testTokenKey()
	now := h.clock.Now().Unix()
	tests := []struct{ name, payload string }{
		{"exp as string", `{"role":"admin","jti":"a1","iat":` + itoa(now-60) + `,"exp":"` + itoa(now+3600) + `"}`},
		{"exp past 90 days", `{"role":"admin","jti":"a2","iat":` + itoa(now-60) + `,"exp":` + itoa(now+91*86400) + `}`},
		{"future iat", `{"role":"admin","jti":"a3","iat":` + itoa(now+3600) + `,"exp":` + itoa(now+7200) + `}`},
		{"iat as string", `{"role":"admin","jti":"a4","iat":"` + itoa(now-60) + `","exp":` + itoa(now+3600) + `}`},
	}
	for _, tt := range tests {
		tok := mustSign(t, "HS256", b64(tt.payload), key)
		code, body := h.do(http.MethodGet, "/v1/regions", tok, "")
		if code != http.StatusUnauthorized {
			t.Errorf("%s: = %d; want 401", tt.name, code)
		}
		if strings.Contains(string(body), "token is") || strings.Contains(string(body), "claim") || strings.Contains(string(body), "jwt") {
			t.Errorf("%s: answer echoes the parser: %s", tt.name, body)
		}
	}
}
