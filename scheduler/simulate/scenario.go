package simulate

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"vigil/scheduler"
)

// Limits bound a scenario. Every way in (the CLI, POST /v1/simulations and the
// dashboard's form) validates with ParseScenario under its own Limits, named here.
type Limits struct {
	// MaxDays is the most service days, training days included.
	MaxDays int
	// MaxIncidents is the most random incidents per service day.
	MaxIncidents int
	// DateYears, when positive, is how far from today the first date may be.
	DateYears int
	// MaxFrontierDays is the most service days × floors of a frontier run, which plans the
	// scenario once per floor; 0 offers no frontier.
	MaxFrontierDays int
	// Prefix goes before every field name in messages: "--" for flags.
	Prefix string
}

var (
	// CommandLimits bound `vigil simulate`: it runs on the planner's own machine.
	CommandLimits = Limits{MaxDays: 3660, MaxIncidents: 100000, MaxFrontierDays: 3660 * MaxFrontierFloors, Prefix: "--"}
	// ServiceLimits bound POST /v1/simulations: it runs on the service's machine.
	ServiceLimits = Limits{MaxDays: 120, MaxIncidents: 1000, DateYears: 10}
	// PageLimits bound the dashboard's form: the page waits for the run, so it stays
	// shorter than the API's; its frontier is 14 days × 7 floors at most, about as much
	// planning as a 100-day report.
	PageLimits = Limits{MaxDays: 60, MaxIncidents: 1000, MaxFrontierDays: 14 * 7, DateYears: 10}
)

// Attack bounds in minutes.
const (
	MinAttack = 5
	MaxAttack = 24 * 60
)

// Most units per mode a scenario may set.
const MaxUnits = 999

// Draft is a scenario as asked for; a nil or empty field takes its default.
type Draft struct {
	Date      string         // first service date; default: the next service day to start
	Days      *int           // training days included; default 2 × Train, at most MaxDays
	Train     *int           // default DefaultTrain
	Attack    *int           // minutes; default DefaultAttack
	Incidents *int           // per service day; default DefaultIncidents
	Seed      string         // hex; default DefaultSeed
	Units     map[string]int // units on duty per shift, by mode
	Threat    map[string]int // threat levels to set, by mission id
	// Frontier lists the floors of a frontier run (visits per max gap); none: no frontier.
	Frontier []float64
}

// ParseScenario validates d under lim and turns it into a Scenario for a region with
// these shifts and location, as of now. Its errors are *ScenarioError naming the field.
// Missions named in Threat are checked against the region by Run.
func ParseScenario(d Draft, lim Limits, shifts []scheduler.Shift, loc *time.Location, now time.Time) (Scenario, error) {
	p := lim.Prefix
	sc := Scenario{Train: DefaultTrain, Attack: DefaultAttack, Incidents: DefaultIncidents}
	if d.Train != nil {
		sc.Train = *d.Train
	}
	if sc.Train < 1 || sc.Train >= lim.MaxDays {
		return sc, scenarioErrorf("%strain %d: want 1 to %d training days", p, sc.Train, lim.MaxDays-1)
	}
	sc.Days = min(2*sc.Train, lim.MaxDays)
	if d.Days != nil {
		sc.Days = *d.Days
	}
	if sc.Days <= sc.Train || sc.Days > lim.MaxDays {
		return sc, scenarioErrorf("%sdays %d: want more than %strain %d (the days include the training days) and at most %d", p, sc.Days, p, sc.Train, lim.MaxDays)
	}
	if d.Attack != nil {
		sc.Attack = *d.Attack
	}
	if sc.Attack < MinAttack || sc.Attack > MaxAttack {
		return sc, scenarioErrorf("%sattack %d: want %d to %d minutes", p, sc.Attack, MinAttack, MaxAttack)
	}
	if d.Incidents != nil {
		sc.Incidents = *d.Incidents
	}
	if sc.Incidents < 0 || sc.Incidents > lim.MaxIncidents {
		return sc, scenarioErrorf("%sincidents %d: want 0 to %d a day", p, sc.Incidents, lim.MaxIncidents)
	}
	seed, err := ParseSeed(d.Seed)
	if err != nil {
		return sc, scenarioErrorf("%sseed: %v", p, err)
	}
	sc.Seed = seed
	if sc.Units, err = units(d.Units); err != nil {
		return sc, scenarioErrorf("%sunits: %v", p, err)
	}
	if sc.Threat, err = threat(d.Threat); err != nil {
		return sc, scenarioErrorf("%sthreat: %v", p, err)
	}
	if sc.From, err = firstDate(d.Date, lim, shifts, loc, now); err != nil {
		return sc, err
	}
	if sc.Frontier, err = frontierFloors(d.Frontier, sc.Days, lim); err != nil {
		return sc, err
	}
	return sc, nil
}

// frontierFloors checks a frontier's floors for days service days under lim and returns
// them in increasing order; none gives nil.
func frontierFloors(floors []float64, days int, lim Limits) ([]float64, error) {
	if len(floors) == 0 {
		return nil, nil
	}
	p := lim.Prefix
	if lim.MaxFrontierDays == 0 {
		return nil, scenarioErrorf("%sfrontier: not offered here", p)
	}
	out := slices.Clone(floors)
	slices.Sort(out)
	if err := checkFloors(out, p+"frontier"); err != nil {
		return nil, err
	}
	if n := days * len(out); n > lim.MaxFrontierDays {
		return nil, scenarioErrorf("%sfrontier: %d days × %d floors is %d days of planning; want at most %d (fewer days or floors)",
			p, days, len(out), n, lim.MaxFrontierDays)
	}
	return out, nil
}

// firstDate parses the first service date, by default the next service day to start.
func firstDate(s string, lim Limits, shifts []scheduler.Shift, loc *time.Location, now time.Time) (scheduler.Date, error) {
	if s == "" {
		return scheduler.NextServiceDate(now, shifts, loc), nil
	}
	d, err := scheduler.ParseDate(s)
	if err != nil {
		return d, scenarioErrorf("%sdate: %v", lim.Prefix, err)
	}
	if lim.DateYears > 0 {
		today := scheduler.ServiceDateOf(now, shifts, loc)
		span := 366 * lim.DateYears
		if d.Before(today.AddDays(-span)) || today.AddDays(span).Before(d) {
			return d, scenarioErrorf("%sdate %s: want a date within %d years of today", lim.Prefix, d, lim.DateYears)
		}
	}
	return d, nil
}

// units checks units per mode; none gives nil (the force file's units).
func units(in map[string]int) (map[scheduler.Mode]int, error) {
	if len(in) == 0 {
		return nil, nil
	}
	out := map[scheduler.Mode]int{}
	for k, n := range in {
		m := scheduler.Mode(k)
		if m != scheduler.Vehicle && m != scheduler.Foot {
			return nil, fmt.Errorf("unknown mode %q; want vehicle or foot", k)
		}
		if n < 0 || n > MaxUnits {
			return nil, fmt.Errorf("%s=%d: want 0 to %d units", k, n, MaxUnits)
		}
		out[m] = n
	}
	return out, nil
}

// threat checks threat levels by mission; none gives nil.
func threat(in map[string]int) (map[string]int, error) {
	if len(in) == 0 {
		return nil, nil
	}
	for k, n := range in {
		if !scheduler.ValidThreat(n) {
			return nil, fmt.Errorf("%s=%d: want a threat level from %d to %d", k, n, scheduler.MinThreat, scheduler.MaxThreat)
		}
	}
	return in, nil
}

// Given returns a pointer to n, or nil when n is 0: for a Draft from a form or a body
// where 0 means "not given".
func Given(n int) *int {
	if n == 0 {
		return nil
	}
	return &n
}

// ParsePairs parses name=integer pairs separated by commas, spaces or line breaks, as the
// CLI's --units and --threat and the dashboard's fields give them; spaces around "=" are
// ignored, and a name given twice is an error. "" gives nil.
func ParsePairs(s string) (map[string]int, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	s = aroundEquals.ReplaceAllString(s, "=")
	out := map[string]int{}
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || unicode.IsSpace(r) }) {
		k, v, ok := strings.Cut(part, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("%q is not name=number", part)
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, fmt.Errorf("%q: %q is not a whole number", part, v)
		}
		if _, dup := out[k]; dup {
			return nil, fmt.Errorf("%s given twice", k)
		}
		out[k] = n
	}
	return out, nil
}

var aroundEquals = regexp.MustCompile(`[ \t]*=[ \t]*`)
