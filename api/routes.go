package api

import (
	_ "embed"
	"net/http"

	"github.com/labstack/echo-contrib/echoprometheus"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

//go:embed openapi.yaml
var openapiSpec []byte

// routes registers every route of the service, in one place, with the roles each admits.
// Handlers apply the finer need to know (regions, service days, release windows).
func (s *Server) routes() {
	e := s.echo
	e.Use(s.metricsMiddleware())
	// Every route is rate limited, pages, sign-in and the feed included (issue 17).
	e.Use(s.rateLimit)
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", echoprometheus.NewHandlerWithConfig(echoprometheus.HandlerConfig{Gatherer: s.registry}))
	e.GET("/openapi.yaml", func(c echo.Context) error { return c.Blob(http.StatusOK, "application/yaml", openapiSpec) })

	const (
		admin      = RoleAdmin
		supervisor = RoleSupervisor
		officer    = RoleOfficer
		planner    = RolePlanner
	)
	all := allow(admin, supervisor, officer, planner)
	editors := allow(admin, supervisor)
	v1 := e.Group("/v1", middleware.BodyLimit("1M"), s.authenticate)

	v1.GET("/regions", s.listRegions, all)

	v1.GET("/missions", s.listMissions, all)
	v1.POST("/missions", s.createMission, editors)
	v1.GET("/missions/:id", s.getMission, all)
	v1.PATCH("/missions/:id", s.patchMission, editors)
	v1.DELETE("/missions/:id", s.deleteMission, editors)
	v1.GET("/missions/:id/contacts", s.getContacts, allow(admin, supervisor, officer))
	v1.PUT("/missions/:id/contacts", s.putContacts, editors)

	v1.GET("/force/:region", s.getForce, allow(admin, supervisor, planner))
	v1.PATCH("/force/:region", s.patchForce, editors)
	v1.POST("/units/:id/out-of-service", s.outOfService, editors)
	v1.POST("/officers/:id/call-off", s.callOff, editors)
	v1.GET("/officers/:id/leave", s.getLeave, allow(admin, supervisor, officer))
	v1.POST("/officers/:id/leave", s.postLeave, allow(supervisor))
	v1.DELETE("/officers/:id/leave", s.deleteLeave, allow(supervisor))

	v1.GET("/zones", s.zones, allow(admin, supervisor, planner))

	v1.GET("/plans/:region/:date", s.getPlan, editors)
	v1.GET("/plans/:region/:date/units/:unit", s.getPlanUnit, allow(admin, supervisor, officer))
	v1.GET("/plans/:region/:date/posts", s.getPlanPosts, editors)
	v1.GET("/plans/:region/:date/compliance", s.getCompliance, editors)

	v1.GET("/roster", s.roster, allow(admin, supervisor, officer))
	v1.GET("/me/assignments", s.myAssignments, allow(officer))
	v1.GET("/me/calendar", s.myCalendar, allow(officer))
	v1.DELETE("/me/calendar", s.revokeMyCalendar, allow(officer))
	// The one URL credential: calendar apps cannot send a bearer header (DESIGN.md §5).
	e.GET("/v1/calendar/:feed", s.calendarFeed)

	v1.POST("/checkins", s.checkIn, allow(officer))
	v1.GET("/events", s.events, allow(admin, supervisor, officer))
	v1.GET("/response", s.response, editors)

	v1.GET("/audit", s.auditLog, allow(admin))
	v1.POST("/tokens/revoke", s.revokeToken, allow(admin))
	v1.POST("/officers/:id/revoke", s.revokeOfficer, allow(admin))

	// Planners run simulations (DESIGN.md §5); supervisors and officers do not.
	v1.POST("/simulations", s.simulate, allow(admin, planner))

	// The dashboard (package web, mounted in dashboard.go): HTML pages on the session
	// cookie (session.go).
	pg := s.pages()
	e.GET("/", s.signInPage)
	e.POST("/session", s.signIn, middleware.BodyLimit("64K"))
	e.POST("/session/end", s.signOut, middleware.BodyLimit("64K"))
	e.GET("/static/*", pg.Static)
	e.GET("/regions", pg.RegionsPage, s.page(admin, supervisor)...)
	e.GET("/regions/:region", pg.RegionPage, s.page(admin, supervisor)...)
	e.GET("/regions/:region/compliance", pg.CompliancePart, s.page(admin, supervisor)...)
	e.GET("/regions/:region/positions", pg.PositionsJSON, s.page(admin, supervisor)...)
	e.POST("/regions/:region/threat", pg.ThreatForm, s.page(admin, supervisor)...)
	e.POST("/regions/:region/out-of-service", pg.OutOfServiceForm, s.page(admin, supervisor)...)
	e.GET("/regions/:region/roster", pg.RosterPage, s.page(admin, supervisor)...)
	e.POST("/regions/:region/call-off", pg.CallOffForm, s.page(admin, supervisor)...)
	e.GET("/me", pg.OfficerPage, s.page(officer)...)
	e.GET("/sw.js", pg.ServiceWorker)
	e.GET("/simulate", pg.SimulatePage, s.page(admin, planner)...)
	e.POST("/simulate", pg.SimulateRun, s.page(admin, planner)...)
}

// metricsMiddleware counts requests and their durations by route (the route table's
// patterns only).
func (s *Server) metricsMiddleware() echo.MiddlewareFunc {
	return echoprometheus.NewMiddlewareWithConfig(echoprometheus.MiddlewareConfig{
		Namespace: "vigil", Subsystem: "http", Registerer: s.registry, DoNotUseRequestPathFor404: true,
		// Labels only from the route table: no host, the route's pattern (one label for
		// every unmatched path), the standard methods (one label for the rest), so no
		// request can add series (issue 17).
		LabelFuncs: map[string]echoprometheus.LabelValueFunc{
			"host": func(echo.Context, error) string { return "" },
			"url": func(c echo.Context, _ error) string {
				if c.Path() == "" || c.Path() == "/*" {
					return "unmatched"
				}
				return c.Path()
			},
			"method": func(c echo.Context, _ error) string {
				switch m := c.Request().Method; m {
				case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
					return m
				}
				return "other"
			},
		},
	})
}
