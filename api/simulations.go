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

// DefaultSimulationTimeout bounds a simulation run through the API; its days and
// incidents are bounded by simulate.ServiceLimits.
const DefaultSimulationTimeout = 60 * time.Second

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

// draft is the body as a scenario draft.
func (in simulationIn) draft() simulate.Draft {
	return simulate.Draft{Date: in.Date, Days: simulate.Given(in.Days), Train: simulate.Given(in.Train), Attack: simulate.Given(in.Attack), Incidents: in.Incidents,
		Seed: in.Seed, Units: in.Units, Threat: in.Threat}
}

// scenarioError turns a scenario the simulator refuses into bad input.
func scenarioError(err error) error {
	var se *simulate.ScenarioError
	if errors.As(err, &se) {
		return invalid("%s", se.Msg)
	}
	return err
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
	res, err := s.runSimulation(c.Request().Context(), body.Region, body.draft(), simulate.ServiceLimits)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}

// runSimulation runs a scenario on a region's current inputs under limits: the one path of
// POST /v1/simulations and the dashboard's form, with the same validation (a first date
// within DateWindow days of today), the same queue (s.rel.sims: two at a time) and the same
// timeout. Errors are the API's: bad input says what is wrong, nothing internal leaks.
func (s *Server) runSimulation(ctx context.Context, region string, dr simulate.Draft, limits simulate.Limits) (*simulate.Result, error) {
	ctx, cancel := context.WithTimeout(ctx, s.rel.simTimeout)
	defer cancel()
	o, f, err := s.region(ctx, region)
	if err != nil {
		return nil, err
	}
	today := s.currentDate(o, f)
	if dr.Date != "" {
		d, err := scheduler.ParseDate(dr.Date)
		if err != nil {
			return nil, invalid("date %q: want YYYY-MM-DD", dr.Date)
		}
		if d.Before(today.AddDays(-DateWindow)) || today.AddDays(DateWindow).Before(d) {
			return nil, invalid("date %s: want a date within %d days of %s", d, DateWindow, today)
		}
	}
	sc, err := simulate.ParseScenario(dr, limits, f.Shifts, o.Location, s.now())
	if err != nil {
		return nil, scenarioError(err)
	}
	in, _, err := s.dayInputs(ctx, region, sc.From)
	if err != nil {
		return nil, err
	}
	select {
	case s.rel.sims <- struct{}{}:
		defer func() { <-s.rel.sims }()
	case <-ctx.Done():
		return nil, errorf(KindUnavailable, "every simulation slot stayed busy for %s; try again later", s.rel.simTimeout)
	}
	res, err := simulate.Run(ctx, in, sc)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return nil, errorf(KindUnavailable, "the simulation did not finish within %s: simulate fewer days or incidents", s.rel.simTimeout)
		}
		var se *simulate.ScenarioError
		if errors.As(err, &se) {
			return nil, invalid("%s", se.Msg)
		}
		s.logger.Warn("simulation failed", "region", region, "err", err)
		return nil, errorf(KindInfeasible, "the scenario cannot be planned with this force")
	}
	return res, nil
}
