package api

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"time"

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
	if err != nil {
		return s.renderSignIn(c, http.StatusUnauthorized, "That token is not valid: "+err.Error())
	}
	revoked, err := s.store.Revoked(c.Request().Context(), cl.ID)
	if err != nil {
		return s.renderError(c, err)
	}
	if revoked {
		return s.renderSignIn(c, http.StatusUnauthorized, "That token has been revoked.")
	}
	exp := s.now().Add(12 * time.Hour)
	if cl.ExpiresAt != nil && cl.ExpiresAt.Before(exp) {
		exp = cl.ExpiresAt.Time
	}
	s.setSession(c, tok, exp)
	s.logger.Info("dashboard sign-in", "actor", cl.actor(), "role", cl.Role)
	return c.Redirect(http.StatusSeeOther, homeOf(cl))
}

// signOut ends the session. It needs no valid session (an expired one is cleared too),
// but a cookie's sign-out must carry its CSRF token.
func (s *Server) signOut(c echo.Context) error {
	if _, err := s.sessionToken(c); err != nil {
		return s.renderError(c, err)
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
