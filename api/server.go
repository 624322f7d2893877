// Package api is Vigil's HTTP service: Echo routes, thin handlers, DTOs, auth and the
// mapping of errors to statuses.
package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// Config is what the server needs from its caller.
type Config struct {
	Logger *slog.Logger
}

// Server is the HTTP service.
type Server struct {
	echo   *echo.Echo
	logger *slog.Logger
}

// New returns a server with every route registered.
func New(cfg Config) *Server {
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	// Trust no forwarding header unless a proxy is configured: clients cannot spoof IPs.
	e.IPExtractor = echo.ExtractIPDirect()
	e.Use(middleware.Recover())
	e.Use(middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogStatus: true, LogURIPath: true, LogMethod: true, LogLatency: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			// The path only, never the query or headers: they may carry secrets.
			cfg.Logger.Info("request", "method", v.Method, "path", v.URIPath, "status", v.Status, "latency", v.Latency)
			return nil
		},
	}))
	s := &Server{echo: e, logger: cfg.Logger}
	s.routes()
	return s
}

// routes registers every route of the service, in one place.
func (s *Server) routes() {
	s.echo.GET("/healthz", s.healthz)
}

func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// Handler returns the server as an http.Handler (for tests).
func (s *Server) Handler() http.Handler { return s.echo }

// Serve listens on addr until ctx is done, then shuts down gracefully.
func (s *Server) Serve(ctx context.Context, addr string) error {
	errc := make(chan error, 1)
	go func() { errc <- s.echo.Start(addr) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.echo.Shutdown(shut); err != nil {
		return err
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
