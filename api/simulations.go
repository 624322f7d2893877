package api

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"vigil/scheduler"
	"vigil/scheduler/simulate"
)

// Limits of a simulation run through the API: it runs on the service's machine, so it is
// bounded in days, incidents and time.
const (
	MaxSimulationDays        = 120
	MaxSimulationIncidents   = 1000
	DefaultSimulationTimeout = 60 * time.Second
)

// simulationIn is the body of POST /v1/simulations: a scenario (DESIGN.md §4, §5).
type simulationIn struct {
	Region    string         `json:"region"`
	Date      string         `json:"date"`      // first service date; default: the next to start
	Days      int            `json:"days"`      // training days included; default 2 × train
	Train     int            `json:"train"`     // default simulate.DefaultTrain
	Attack    int            `json:"attack"`    // minutes; default simulate.DefaultAttack
	Seed      string         `json:"seed"`      // hex; default simulate.DefaultSeed
	Units     map[string]int `json:"units"`     // on duty per shift, by mode
	Threat    map[string]int `json:"threat"`    // threat levels to set, by mission id
	Incidents *int           `json:"incidents"` // per service day; default simulate.DefaultIncidents
}

// scenario validates the body and turns it into a simulate.Scenario on the inputs.
func (in simulationIn) scenario(inputs scheduler.Inputs, now time.Time) (simulate.Scenario, error) {
	sc := simulate.Scenario{Train: simulate.DefaultTrain, Attack: simulate.DefaultAttack, Incidents: simulate.DefaultIncidents}
	if in.Train != 0 {
		sc.Train = in.Train
	}
	if sc.Train < 1 || sc.Train >= MaxSimulationDays {
		return sc, invalid("train %d: want 1 to %d training days", sc.Train, MaxSimulationDays-1)
	}
	sc.Days = in.Days
	if sc.Days == 0 {
		sc.Days = min(2*sc.Train, MaxSimulationDays)
	}
	if sc.Days <= sc.Train || sc.Days > MaxSimulationDays {
		return sc, invalid("days %d: want more than train (%d; the days include the training days) and at most %d", sc.Days, sc.Train, MaxSimulationDays)
	}
	if in.Attack != 0 {
		sc.Attack = in.Attack
	}
	if sc.Attack < 5 || sc.Attack > 24*60 {
		return sc, invalid("attack %d: want 5 to 1440 minutes", sc.Attack)
	}
	if in.Incidents != nil {
		sc.Incidents = *in.Incidents
	}
	if sc.Incidents < 0 || sc.Incidents > MaxSimulationIncidents {
		return sc, invalid("incidents %d: want 0 to %d a day", sc.Incidents, MaxSimulationIncidents)
	}
	seed, err := simulate.ParseSeed(in.Seed)
	if err != nil {
		return sc, invalid("seed: %v", err)
	}
	sc.Seed = seed
	if len(in.Units) > 0 {
		sc.Units = map[scheduler.Mode]int{}
		for m, n := range in.Units {
			sc.Units[scheduler.Mode(m)] = n
		}
	}
	if len(in.Threat) > 0 {
		sc.Threat = in.Threat
	}
	if in.Date == "" {
		sc.From = scheduler.NextServiceDate(now, inputs.Force.Shifts, inputs.Office.Location)
	} else if sc.From, err = scheduler.ParseDate(in.Date); err != nil {
		return sc, invalid("date: %v", err)
	}
	if lo, hi := scheduler.ServiceDateOf(now, inputs.Force.Shifts, inputs.Office.Location).AddDays(-3660), scheduler.ServiceDateOf(now, inputs.Force.Shifts, inputs.Office.Location).AddDays(3660); sc.From.Before(lo) || hi.Before(sc.From) {
		return sc, invalid("date %s: want a date within ten years of today", sc.From)
	}
	return sc, nil
}

// simulate runs a planner's scenario on a region's current inputs and answers the
// vigil.simulation/v1 report. The plan key comes from the scenario's seed, never from the
// live key; the run is bounded by the request's context and the simulation timeout.
func (s *Server) simulate(c echo.Context) error {
	var body simulationIn
	if err := decode(c, &body); err != nil {
		return err
	}
	if !scheduler.IDPattern.MatchString(body.Region) {
		return invalid("region %q: want a region id such as wfo", body.Region)
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), s.rel.simTimeout)
	defer cancel()
	o, f, err := s.region(ctx, body.Region)
	if err != nil {
		return err
	}
	sc, err := body.scenario(scheduler.Inputs{Office: o, Force: f}, s.now())
	if err != nil {
		return err
	}
	in, _, err := s.dayInputs(ctx, body.Region, sc.From)
	if err != nil {
		return err
	}
	select {
	case s.rel.sims <- struct{}{}:
		defer func() { <-s.rel.sims }()
	case <-ctx.Done():
		return errorf(KindUnavailable, "every simulation slot stayed busy for %s; try again later", s.rel.simTimeout)
	}
	res, err := simulate.Run(ctx, in, sc)
	if err != nil {
		var se *simulate.ScenarioError
		switch {
		case errors.As(err, &se):
			return invalid("%s", se.Msg)
		case errors.Is(err, context.DeadlineExceeded):
			return errorf(KindUnavailable, "the simulation did not finish within %s: simulate fewer days or incidents", s.rel.simTimeout)
		}
		return err
	}
	return c.JSON(http.StatusOK, res)
}
