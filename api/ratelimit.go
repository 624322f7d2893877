package api

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// Limiter decides whether one more request under key may go ahead now (rediskit's
// MemoryLimiter and RedisLimiter). It is safe for concurrent use.
type Limiter interface {
	// Allow takes one request from key's allowance; when there is none left it reports
	// false and how long to wait before trying again.
	Allow(ctx context.Context, key string) (ok bool, retryAfter time.Duration)
}

// rateKey is what a request is limited by: its bearer token's id when the token is valid
// (whether or not it is revoked), else the client's IP.
func (s *Server) rateKey(c echo.Context) string {
	if tok, ok := strings.CutPrefix(c.Request().Header.Get(echo.HeaderAuthorization), "Bearer "); ok && tok != "" && s.tokenKey != nil {
		if cl, err := s.parseOnce(c, tok); err == nil {
			return "jti:" + cl.ID
		}
	}
	if ck, err := c.Cookie(sessionCookie); err == nil && ck.Value != "" && s.tokenKey != nil {
		if cl, err := s.parseOnce(c, ck.Value); err == nil {
			return "jti:" + cl.ID
		}
	}
	return "ip:" + c.RealIP()
}

// rateLimit is the middleware that answers 429, with Retry-After, to a token or client
// over its allowance.
func (s *Server) rateLimit(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if p := c.Request().URL.Path; s.rel.limiter == nil || p == "/healthz" || p == "/readyz" {
			return next(c) // the load balancer's probes are never refused
		}
		ok, wait := s.rel.limiter.Allow(c.Request().Context(), s.rateKey(c))
		if !ok {
			secs := max(1, int(math.Ceil(wait.Seconds())))
			c.Response().Header().Set("Retry-After", strconv.Itoa(secs))
			return errorf(KindRateLimited, "too many requests: try again in %s", fmt.Sprintf("%d s", secs))
		}
		return next(c)
	}
}
