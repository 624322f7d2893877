package api

import (
	"errors"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"vigil/scheduler"
)

// /readyz has three answers, which a load balancer tells apart by status and a person by
// the body's "status":
//
//	200 {"status":"ready", …}     the store answers
//	200 {"status":"degraded", …}  the shared store is down; plans and reads are served from
//	                              the inputs this replica holds, writes answer 503, audit
//	                              records queue on local disk (readyBody, outage.go)
//	503 {"error":{"code":"unavailable", …}}  down: the store cannot be reached and this
//	                              replica holds nothing to serve from
//
// A balancer that routes only to 200 keeps degraded replicas in service (they serve
// reads); the gauge vigil_store_degraded (1 while degraded) is for alerting.
func (s *Server) readyz(c echo.Context) error {
	if s.store == nil {
		return errorf(KindUnavailable, "down: no store")
	}
	if _, err := s.store.Forces(c.Request().Context()); err != nil {
		if errors.Is(err, scheduler.ErrUnavailable) {
			return errorf(KindUnavailable, "down: the store cannot be reached and this replica holds no inputs to serve from")
		}
		return err
	}
	return s.readyBody(c)
}

// registerReadiness registers the gauge vigil_store_degraded: 1 while the shared store is
// unavailable and the replica serves from memory, else 0 (always 0 for a store that does
// not report outages, such as the embedded one).
func (s *Server) registerReadiness() {
	s.registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Namespace: "vigil", Name: "store_degraded",
		Help: "1 while the shared store is unavailable and this replica serves reads from memory (/readyz degraded), else 0.",
	}, func() float64 {
		if r, ok := s.store.(outageReporter); ok && r.Outage().Down {
			return 1
		}
		return 0
	}))
}
