// Package api is Vigil's HTTP service: Echo routes, thin handlers, DTOs, auth and the
// mapping of errors to statuses.
package api

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"vigil/scheduler"
)

// Config is what the server needs from its caller.
type Config struct {
	Logger *slog.Logger
	// Store holds the service's state; without one only /healthz and /openapi.yaml work.
	Store scheduler.Store
	// Offices are the regions' DS offices (time zone, name), by region id.
	Offices map[string]scheduler.Office
	// MasterKey is the 32-byte master key; the plan and token keys are derived from it.
	MasterKey []byte
	// Clock is the server's clock, the one the jobs run on too; nil means the wall
	// clock. Tests pass a fake one.
	Clock clockwork.Clock
	// RateLimit limits requests per token, or per client IP without a valid token
	// (rediskit's limiters, api/ratelimit.go); nil means no limit.
	RateLimit Limiter
	// SimulationTimeout bounds POST /v1/simulations; 0 means DefaultSimulationTimeout.
	SimulationTimeout time.Duration
	// Timeouts are the HTTP server's timeouts and per-IP connection cap (listen.go).
	Timeouts Timeouts
	// MaxStreams caps open event streams: per token (default 4) and in all (default 256).
	MaxStreamsPerToken, MaxStreams int
}

// Server is the HTTP service.
type Server struct {
	echo      *echo.Echo
	logger    *slog.Logger
	store     scheduler.Store
	offices   map[string]scheduler.Office
	planKey   []byte
	tokenKey  []byte
	now       func() time.Time // Config.Clock's Now
	registry  *prometheus.Registry
	metrics   metrics
	plans     *planMemo
	tokens    tokenCache  // verified tokens' claims (auth.go); zero value ready
	reads     readCache   // decoded forces, missions and day inputs by store revision (readcache.go)
	ops       opsState    // check-ins, events, calendar, jobs (api/events.go); zero value ready
	rel       reliability // rate limits, simulations (api/outage.go)
	timeouts  Timeouts    // the HTTP server's (listen.go)
	streams   streamCaps  // open event streams (events.go)
	pageViews pageViews   // page reads audited this minute (handlers.go)
}

type metrics struct {
	planSeconds prometheus.Histogram
	planCache   *prometheus.CounterVec
}

// New returns a server with every route registered.
func New(cfg Config) *Server {
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	// Trust no forwarding header unless a proxy is configured: clients cannot spoof IPs.
	e.IPExtractor = echo.ExtractIPDirect()
	s := &Server{echo: e, logger: cfg.Logger, store: cfg.Store, offices: cfg.Offices, plans: newPlanMemo(64)}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Clock == nil {
		cfg.Clock = clockwork.NewRealClock()
	}
	s.now = cfg.Clock.Now
	if len(cfg.MasterKey) > 0 {
		s.planKey = scheduler.PlanKey(cfg.MasterKey)
		s.tokenKey = scheduler.TokenKey(cfg.MasterKey)
	}
	s.registry = prometheus.NewRegistry()
	s.registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	s.metrics.planSeconds = prometheus.NewHistogram(prometheus.HistogramOpts{
		Namespace: "vigil", Name: "plan_generation_seconds",
		Help:    "Time to generate or re-plan one service day.",
		Buckets: prometheus.ExponentialBuckets(0.005, 2, 12),
	})
	s.metrics.planCache = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "vigil", Name: "plan_cache_total",
		Help: "Plan cache lookups by result (hit or miss).",
	}, []string{"result"})
	s.registry.MustRegister(s.metrics.planSeconds, s.metrics.planCache)
	s.registerReadiness() // api/ready.go
	e.HTTPErrorHandler = s.handleError
	e.Use(middleware.Recover())
	e.Use(securityHeaders)
	e.Use(middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogStatus: true, LogURIPath: true, LogMethod: true, LogLatency: true, HandleError: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			// The path only, never the query or headers: they may carry secrets.
			s.logger.LogAttrs(context.Background(), slog.LevelInfo, "request", slog.String("method", v.Method),
				slog.String("path", calendarLogPath(v.URIPath)), slog.Int("status", v.Status), slog.Duration("latency", v.Latency))
			return nil
		},
	}))
	s.rel = newReliability(cfg)
	s.timeouts = cfg.Timeouts.withDefaults()
	s.streams = streamCaps{perToken: cfg.MaxStreamsPerToken, total: cfg.MaxStreams, open: map[string]int{}}
	if s.streams.perToken <= 0 {
		s.streams.perToken = 4
	}
	if s.streams.total <= 0 {
		s.streams.total = 256
	}
	s.routes()
	return s
}

// securityHeaders sets X-Content-Type-Options: nosniff on every answer, and
// Cache-Control: no-store on every answer but the static files and the API description:
// plans, positions, CSV exports, feeds and their URLs, events and pages hold live data.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("X-Content-Type-Options", "nosniff")
		if p := c.Request().URL.Path; !strings.HasPrefix(p, "/static/") && p != "/openapi.yaml" {
			h.Set(echo.HeaderCacheControl, "no-store")
		}
		return next(c)
	}
}

func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// Handler returns the server as an http.Handler (for tests).
func (s *Server) Handler() http.Handler { return s.echo }

// Serve listens on addr until ctx is done, then shuts down gracefully.
func (s *Server) Serve(ctx context.Context, addr string) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return s.ServeListener(ctx, l)
}

// ServeListener serves on l, with the server's timeouts and its per-IP connection cap,
// until ctx is done, then shuts down gracefully.
func (s *Server) ServeListener(ctx context.Context, l net.Listener) error {
	hs := s.httpServer()
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(LimitPerIP(l, s.timeouts.PerIP)) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(shut); err != nil {
		return err
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
