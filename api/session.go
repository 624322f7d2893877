package api

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/labstack/echo/v4"
)

// The dashboard's session (DESIGN.md §5): the browser signs in once by posting a token,
// which the server keeps in an HttpOnly, SameSite=Strict cookie (Secure over TLS); pages,
// the API and the event stream then accept the cookie. The token is never put in a URL,
// and script cannot read it.
const (
	sessionCookie = "vigil_session"
	csrfField     = "csrf"         // the CSRF token in a dashboard form
	csrfHeader    = "X-CSRF-Token" // the CSRF token of a script's request
)

// csrfToken is the session's CSRF token: an HMAC of the session's token under the token
// key, so it needs no server-side state and dies with the session.
func (s *Server) csrfToken(token string) string {
	mac := hmac.New(sha256.New, s.tokenKey)
	mac.Write([]byte("vigil csrf\x00"))
	mac.Write([]byte(token))
	return hex.EncodeToString(mac.Sum(nil)[:16])
}

// safeMethod reports methods that change nothing.
func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// sameOrigin refuses a request that a browser says comes from another site: an Origin
// header naming another host, or a Sec-Fetch-Site other than same-origin or none.
func sameOrigin(c echo.Context) error {
	r := c.Request()
	if o := r.Header.Get(echo.HeaderOrigin); o != "" {
		u, err := url.Parse(o)
		if err != nil || u.Host != r.Host {
			return forbidden("cross-origin request refused (Origin %q)", o)
		}
	}
	if sf := r.Header.Get("Sec-Fetch-Site"); sf != "" && sf != "same-origin" && sf != "none" {
		return forbidden("cross-site request refused (Sec-Fetch-Site %s)", sf)
	}
	return nil
}

// sessionToken returns the token of the dashboard's session cookie, "" when there is none.
// A request that changes something on a session must come from the dashboard itself: from
// the same origin, with the session's CSRF token in the form field csrf or the header
// X-CSRF-Token (SameSite=Strict already keeps the cookie off other sites' requests).
func (s *Server) sessionToken(c echo.Context) (string, error) {
	ck, err := c.Cookie(sessionCookie)
	if err != nil || ck.Value == "" {
		return "", nil
	}
	if !safeMethod(c.Request().Method) {
		if err := sameOrigin(c); err != nil {
			return "", err
		}
		got := c.Request().Header.Get(csrfHeader)
		if got == "" && strings.HasPrefix(c.Request().Header.Get(echo.HeaderContentType), echo.MIMEApplicationForm) {
			got = c.FormValue(csrfField)
		}
		if s.tokenKey == nil || !hmac.Equal([]byte(got), []byte(s.csrfToken(ck.Value))) {
			return "", forbidden("the request lacks the session's CSRF token")
		}
	}
	return ck.Value, nil
}

// setSession sets the session cookie to token until exp.
func (s *Server) setSession(c echo.Context, token string, exp time.Time) {
	c.SetCookie(&http.Cookie{
		Name: sessionCookie, Value: token, Path: "/", Expires: exp, MaxAge: int(exp.Sub(s.now()).Seconds()),
		HttpOnly: true, Secure: c.Scheme() == "https", SameSite: http.SameSiteStrictMode,
	})
}

// clearSession removes the session cookie.
func (s *Server) clearSession(c echo.Context) {
	c.SetCookie(&http.Cookie{
		Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, Expires: time.Unix(0, 0),
		HttpOnly: true, Secure: c.Scheme() == "https", SameSite: http.SameSiteStrictMode,
	})
}

// signIn takes a token from the sign-in form, checks it as the API would and starts a
// session; the browser is sent on to the role's home page.
func (s *Server) signIn(c echo.Context) error {
	if err := sameOrigin(c); err != nil {
		return s.renderError(c, err)
	}
	tok := strings.TrimSpace(c.FormValue("token"))
	tok = strings.TrimPrefix(tok, "Bearer ")
	if tok == "" {
		return s.renderSignIn(c, http.StatusBadRequest, "Paste a token to sign in.")
	}
	if s.tokenKey == nil || s.store == nil {
		return s.renderSignIn(c, http.StatusServiceUnavailable, "The server has no key; sign-in is unavailable.")
	}
	cl, err := ParseToken(s.tokenKey, tok, s.now())
	if err != nil || cl.Parent != "" {
		return s.renderSignIn(c, http.StatusUnauthorized, "That token is not valid.")
	}
	if err := s.checkCredential(c.Request().Context(), cl); err != nil {
		var ae *Error
		if errors.As(err, &ae) && ae.Kind == KindUnauthorized {
			return s.renderSignIn(c, http.StatusUnauthorized, "That token is not valid any more.")
		}
		return s.renderError(c, err)
	}
	sess, exp, err := s.newSession(cl)
	if err != nil {
		return s.renderError(c, err)
	}
	s.setSession(c, sess, exp)
	s.logger.Info("dashboard sign-in", "actor", cl.actor(), "role", cl.Role)
	return c.Redirect(http.StatusSeeOther, homeOf(cl))
}

// SessionTTL bounds a dashboard session, whatever its parent token's lifetime.
const SessionTTL = 12 * time.Hour

// newSession issues the session credential of a signed-in bearer token: its own id, the
// parent's role and scope, the parent's id (revoking the parent ends the session) and iat
// (an officer's revocation of all covers it), and an expiry at most SessionTTL away and
// never after the parent's.
func (s *Server) newSession(parent *Claims) (string, time.Time, error) {
	now := s.now()
	exp := now.Add(SessionTTL)
	if parent.ExpiresAt != nil && parent.ExpiresAt.Before(exp) {
		exp = parent.ExpiresAt.Time
	}
	var id [16]byte
	if _, err := rand.Read(id[:]); err != nil {
		return "", time.Time{}, err
	}
	cl := &Claims{Role: parent.Role, Region: parent.Region, Officer: parent.Officer, Parent: parent.ID}
	cl.ID = hex.EncodeToString(id[:])
	cl.Subject = parent.Subject
	cl.IssuedAt = parent.IssuedAt
	cl.NotBefore = jwt.NewNumericDate(now.Add(-time.Second))
	cl.ExpiresAt = jwt.NewNumericDate(exp)
	tok, err := jwt.NewWithClaims(signingMethod, cl).SignedString(s.tokenKey)
	return tok, exp, err
}

// signOut ends the session: its credential is revoked, not only its cookie cleared. It
// needs no valid session (an expired one is cleared too), but a cookie's sign-out must
// carry its CSRF token.
func (s *Server) signOut(c echo.Context) error {
	tok, err := s.sessionToken(c)
	if err != nil {
		return s.renderError(c, err)
	}
	if tok != "" && s.tokenKey != nil && s.store != nil {
		if cl, err := ParseToken(s.tokenKey, tok, s.now()); err == nil && cl.Parent != "" {
			if err := s.store.Revoke(c.Request().Context(), cl.ID, cl.ExpiresAt.Time); err != nil {
				return s.renderError(c, err)
			}
		}
	}
	s.clearSession(c)
	return c.Redirect(http.StatusSeeOther, "/")
}

// homeOf is a role's first page.
func homeOf(cl *Claims) string {
	switch cl.Role {
	case RoleSupervisor:
		return "/regions/" + url.PathEscape(cl.Region)
	case RoleOfficer:
		return "/me"
	case RolePlanner:
		return "/simulate"
	}
	return "/regions"
}
