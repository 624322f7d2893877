package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"vigil/scheduler/resilient"
)

// reliability is the server's state for rate limits and simulations.
type reliability struct {
	limiter    Limiter
	simTimeout time.Duration
	sims       chan struct{} // one slot per simulation allowed to run at once
}

// maxSimulations is how many simulations one replica runs at once; more wait their turn.
const maxSimulations = 2

func newReliability(cfg Config) reliability {
	r := reliability{limiter: cfg.RateLimit, simTimeout: cfg.SimulationTimeout, sims: make(chan struct{}, maxSimulations)}
	if r.simTimeout <= 0 {
		r.simTimeout = DefaultSimulationTimeout
	}
	return r
}

// outageReporter is a store that knows whether the store behind it is down
// (resilient.Store).
type outageReporter interface {
	Outage() resilient.Outage
}

// readyBody answers /readyz once the store has answered (from memory, during an outage):
// "degraded" while the shared store is down, still 200 since plans can be served.
func (s *Server) readyBody(c echo.Context) error {
	if r, ok := s.store.(outageReporter); ok {
		o := r.Outage()
		if o.Down {
			return c.JSON(http.StatusOK, map[string]any{
				"status": "degraded", "store": "unavailable",
				"since": o.Since.UTC().Format(time.RFC3339), "queued_audit": o.QueuedAudit,
			})
		}
		return c.JSON(http.StatusOK, map[string]any{"status": "ready", "queued_audit": o.QueuedAudit})
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
}
