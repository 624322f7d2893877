package api

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/labstack/echo/v4"

	"vigil/scheduler"
)

// Roles a token may carry (DESIGN.md §5).
const (
	RoleAdmin      = "admin"
	RoleSupervisor = "supervisor"
	RoleOfficer    = "officer"
	RolePlanner    = "planner"
)

// signingMethod is the only algorithm tokens are accepted with: "none" and every other
// algorithm (RS256 with the HMAC key as a "public key", …) are refused.
var signingMethod = jwt.SigningMethodHS256

// MaxTokenTTL is the longest lifetime IssueToken grants.
const MaxTokenTTL = 90 * 24 * time.Hour

// Claims are a Vigil bearer token's claims: the role, the supervisor's region or the
// officer's id, and the registered claims (jti for revocation, iat, nbf, exp).
type Claims struct {
	Role    string `json:"role"`
	Region  string `json:"region,omitempty"`
	Officer string `json:"officer,omitempty"`
	// Parent is set on a dashboard session only: the id of the bearer token it was signed in
	// with. A session is its own credential (its own id, at most SessionTTL, revoked at sign
	// out) and dies with its parent; it is accepted only from the session cookie.
	Parent string `json:"par,omitempty"`
	jwt.RegisteredClaims
}

// OfficerRegion returns the region of an officer id o-<region>-NNN, or "" if it is not one
// (scheduler.ParseOfficerID).
func OfficerRegion(id string) string {
	region, _, _ := scheduler.ParseOfficerID(id)
	return region
}

// Validate reports claims whose role and scope do not fit together.
func (c *Claims) Validate() error {
	switch c.Role {
	case RoleAdmin, RolePlanner:
		if c.Region != "" || c.Officer != "" {
			return fmt.Errorf("role %s takes neither region nor officer", c.Role)
		}
	case RoleSupervisor:
		if !scheduler.IDPattern.MatchString(c.Region) || c.Officer != "" {
			return errors.New("role supervisor needs a region and no officer")
		}
	case RoleOfficer:
		if OfficerRegion(c.Officer) == "" {
			return errors.New("role officer needs an officer id like o-wfo-001")
		}
		if c.Region != "" && c.Region != OfficerRegion(c.Officer) {
			return fmt.Errorf("officer %s is not of region %s", c.Officer, c.Region)
		}
	default:
		return fmt.Errorf("role %q: want admin, supervisor, officer or planner", c.Role)
	}
	if c.ID == "" {
		return errors.New("token has no id (jti)")
	}
	return nil
}

// regionScope returns the one region the token is limited to, "" for all.
func (c *Claims) regionScope() string {
	switch c.Role {
	case RoleSupervisor:
		return c.Region
	case RoleOfficer:
		return OfficerRegion(c.Officer)
	}
	return ""
}

// actor names the token's holder in logs and the audit log (never the token itself).
func (c *Claims) actor() string {
	switch c.Role {
	case RoleSupervisor:
		return "supervisor:" + c.Region + ":" + c.ID
	case RoleOfficer:
		return c.Officer
	}
	return c.Role + ":" + c.ID
}

// publicActor is who acted, as readers of other roles may see it: the role and region,
// or the officer, never the token's id.
func (c *Claims) publicActor() string {
	switch c.Role {
	case RoleSupervisor:
		return "supervisor:" + c.Region
	case RoleOfficer:
		return c.Officer
	}
	return c.Role
}

// IssueToken signs a token for role (with region for a supervisor, officer for an
// officer), valid from now for ttl, with a random id. It returns the token and its id.
func IssueToken(tokenKey []byte, role, region, officer string, ttl time.Duration, now time.Time) (token, jti string, err error) {
	if ttl <= 0 || ttl > MaxTokenTTL {
		return "", "", fmt.Errorf("token lifetime %s: want more than 0 and at most %s", ttl, MaxTokenTTL)
	}
	var id [16]byte
	if _, err := rand.Read(id[:]); err != nil {
		return "", "", err
	}
	now = now.Truncate(time.Second)
	c := &Claims{Role: role, Region: region, Officer: officer, RegisteredClaims: jwt.RegisteredClaims{
		ID:        hex.EncodeToString(id[:]),
		Subject:   "",
		IssuedAt:  jwt.NewNumericDate(now),
		NotBefore: jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
	}}
	c.Subject = c.actor()
	if err := c.Validate(); err != nil {
		return "", "", err
	}
	tok, err := jwt.NewWithClaims(signingMethod, c).SignedString(tokenKey)
	if err != nil {
		return "", "", err
	}
	return tok, c.ID, nil
}

// ParseToken verifies a token's signature (HS256 only), times (expired or not yet valid
// tokens are refused) and claims.
func ParseToken(tokenKey []byte, token string, now time.Time) (*Claims, error) {
	c := &Claims{}
	_, err := jwt.ParseWithClaims(token, c, func(t *jwt.Token) (any, error) { return tokenKey, nil },
		jwt.WithValidMethods([]string{signingMethod.Alg()}),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(func() time.Time { return now }),
	)
	if err != nil {
		return nil, err
	}
	if err := strictTimes(token, c, now); err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// iatLeeway is how far ahead of the server's clock a token's iat may be (clock skew).
const iatLeeway = time.Minute

// strictTimes refuses what the JWT library lets through: exp, iat or nbf given as
// anything but a JSON number, a lifetime past MaxTokenTTL, and an iat in the future.
func strictTimes(token string, c *Claims, now time.Time) error {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return errors.New("malformed token")
	}
	raw, err := jwt.NewParser().DecodeSegment(parts[1])
	if err != nil {
		return err
	}
	var times map[string]json.RawMessage
	if err := json.Unmarshal(raw, &times); err != nil {
		return err
	}
	for _, k := range []string{"exp", "iat", "nbf"} {
		if v, ok := times[k]; ok {
			var n json.Number
			if len(v) == 0 || v[0] == '"' || json.Unmarshal(v, &n) != nil {
				return fmt.Errorf("claim %s is not a number", k)
			}
		}
	}
	if c.IssuedAt != nil && c.IssuedAt.After(now.Add(iatLeeway)) {
		return errors.New("token issued in the future")
	}
	from := now
	if c.IssuedAt != nil {
		from = c.IssuedAt.Time
	}
	if c.ExpiresAt.Sub(from) > MaxTokenTTL+time.Minute {
		return errors.New("token lives longer than the maximum")
	}
	return nil
}

const claimsKey = "vigil.claims"

// revocationKeys are the store's revocation entries that refuse the credential: its id,
// its parent token's (a session's), and for an officer the entries POST
// /v1/officers/{id}/revoke writes for every credential issued up to then (officerKeys).
func (c *Claims) revocationKeys() []string {
	keys := []string{c.ID}
	if c.Parent != "" {
		keys = append(keys, c.Parent)
	}
	if c.Role == RoleOfficer {
		keys = append(keys, officerKeys(c.Officer, c.IssuedAt)...)
	}
	return keys
}

// officerKeys are the revocation entries of an officer's credentials issued at iat: the
// UTC day of issue and its hour (a revocation of all revokes every day before it and the
// hours of its own day up to it).
func officerKeys(officer string, iat *jwt.NumericDate) []string {
	if iat == nil {
		return []string{"officer:" + officer + ":no-iat"}
	}
	t := iat.UTC()
	return []string{"officer:" + officer + ":" + t.Format("2006-01-02"), "officer:" + officer + ":" + t.Format("2006-01-02T15")}
}

// checkCredential refuses a credential that is no longer good: expired, revoked, its
// session's parent revoked, or its officer's credentials all revoked. Every channel asks it:
// each request, each open event stream every streamCheck, each calendar feed read.
func (s *Server) checkCredential(ctx context.Context, cl *Claims) error {
	if !timesValid(cl, s.now()) {
		return errorf(KindUnauthorized, "token expired")
	}
	for _, k := range cl.revocationKeys() {
		revoked, err := s.store.Revoked(ctx, k)
		if err != nil {
			return err
		}
		if revoked {
			return errorf(KindUnauthorized, "token revoked")
		}
	}
	return nil
}

// authenticate is the middleware that requires a valid, unrevoked bearer token. The token
// is read from the Authorization header or, without one, the dashboard's session cookie;
// never from the URL.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Request().Header.Get(echo.HeaderAuthorization)
		tok, ok := strings.CutPrefix(h, "Bearer ")
		session := h == ""
		if session { // else the dashboard's session cookie, CSRF-checked (session.go)
			var err error
			if tok, err = s.sessionToken(c); err != nil {
				return err
			}
			ok = tok != ""
		}
		if !ok || tok == "" {
			return errorf(KindUnauthorized, "a bearer token is required in the Authorization header")
		}
		if s.tokenKey == nil || s.store == nil {
			return errorf(KindUnavailable, "the server has no key")
		}
		cl, err := s.parseOnce(c, tok)
		if err != nil {
			return errorf(KindUnauthorized, "invalid token")
		}
		if session != (cl.Parent != "") {
			// A session only from its cookie, a bearer token never from a cookie.
			return errorf(KindUnauthorized, "invalid token")
		}
		if err := s.checkCredential(c.Request().Context(), cl); err != nil {
			return err
		}
		c.Set(claimsKey, cl)
		return next(c)
	}
}

func claimsOf(c echo.Context) *Claims {
	cl, _ := c.Get(claimsKey).(*Claims)
	return cl
}

// allow is middleware admitting only the given roles.
func allow(roles ...string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			cl := claimsOf(c)
			for _, r := range roles {
				if cl != nil && cl.Role == r {
					return next(c)
				}
			}
			return errorf(KindForbidden, "role %s may not use this route", roleOf(cl))
		}
	}
}

func roleOf(cl *Claims) string {
	if cl == nil {
		return "(none)"
	}
	return cl.Role
}

// parsedKey holds a request's parsed token, so the rate limiter and authenticate verify
// its signature once between them.
const parsedKey = "vigil.parsed-token"

type parsedToken struct {
	raw string
	cl  *Claims
	err error
}

// parseOnce returns ParseToken(tok) for this request, parsing it only the first time it
// is asked for that exact token; a token verified by an earlier request comes from the
// server's verified-token cache (tokenCache) instead.
func (s *Server) parseOnce(c echo.Context, tok string) (*Claims, error) {
	if p, ok := c.Get(parsedKey).(*parsedToken); ok && p.raw == tok {
		return p.cl, p.err
	}
	now := s.now()
	sum := sha256.Sum256([]byte(tok))
	cl, ok := s.tokens.get(sum, now)
	var err error
	if !ok {
		if cl, err = ParseToken(s.tokenKey, tok, now); err == nil {
			s.tokens.put(sum, cl, now)
		}
	}
	c.Set(parsedKey, &parsedToken{raw: tok, cl: cl, err: err})
	return cl, err
}

// maxCachedTokens bounds the verified-token cache.
const maxCachedTokens = 4096

// tokenCache keeps the claims of tokens whose signature and claims were verified
// (ParseToken), keyed by the SHA-256 of the token string (the token itself is not kept),
// so that a token sent again is not verified again: verifying (HMAC, base64 and JSON
// decoding, the claims' checks) was the largest cost of a cached read. A hit still checks
// the token's times (exp, nbf) against the clock, so an entry is never used outside them;
// revocation is not cached: authenticate asks the store on every request. The cached
// claims are shared between requests and must not be modified. Safe for concurrent use.
type tokenCache struct {
	mu sync.Mutex
	m  map[[sha256.Size]byte]*Claims
}

// timesValid reports whether now is within the claims' validity as ParseToken checks it
// (no leeway): not before nbf, before exp, and exp present.
func timesValid(cl *Claims, now time.Time) bool {
	if cl.ExpiresAt == nil || !now.Before(cl.ExpiresAt.Time) {
		return false
	}
	return cl.NotBefore == nil || !now.Before(cl.NotBefore.Time)
}

// get returns the claims of the verified token whose SHA-256 is sum, if it is cached and
// valid at now.
func (t *tokenCache) get(sum [sha256.Size]byte, now time.Time) (*Claims, bool) {
	t.mu.Lock()
	cl, ok := t.m[sum]
	if ok && !timesValid(cl, now) {
		delete(t.m, sum) // expired: the next use is verified again (and refused)
		ok = false
	}
	t.mu.Unlock()
	return cl, ok
}

// put caches a verified token's claims. When the cache is full it forgets expired entries
// and, if it is still full, half of the rest.
func (t *tokenCache) put(sum [sha256.Size]byte, cl *Claims, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.m == nil {
		t.m = map[[sha256.Size]byte]*Claims{}
	}
	if len(t.m) >= maxCachedTokens {
		for k, v := range t.m {
			if !timesValid(v, now) {
				delete(t.m, k)
			}
		}
		for k := range t.m {
			if len(t.m) < maxCachedTokens/2 {
				break
			}
			delete(t.m, k)
		}
	}
	t.m[sum] = cl
}

// scopedRegion returns the region a request names, or the caller's own when it names
// none; a region is required, and the caller must be allowed to see it.
func scopedRegion(cl *Claims, region string) (string, error) {
	if region == "" {
		region = cl.regionScope()
	}
	if region == "" {
		return "", invalid("region is required")
	}
	if err := inRegion(cl, region); err != nil {
		return "", err
	}
	return region, nil
}
