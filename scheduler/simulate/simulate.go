// Package simulate runs coverage simulations for planners (DESIGN.md §4, §5): it plans a
// scenario's service days with Vigil's planner, derives the fixed, shuffled and rounds
// baselines from that plan, and measures all four with the same options, so that only the
// timing of the visits (and for rounds, their allocation) differs between them. The CLI (`vigil simulate`) and the HTTP API
// (`POST /v1/simulations`) are thin shells around Run.
//
// A simulation's plan key comes from its seed, never from the live master key: a
// simulation cannot reproduce a live plan, and the same seed always gives the same report.
package simulate

import (
	"context"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"

	"vigil/scheduler"
)

// Schema is the schema name of simulation JSON (DESIGN.md §5).
const Schema = "vigil.simulation/v1"

// SeedLabel is the HKDF label under which a simulation's plan key is derived from its seed.
// It differs from the live plan key's label, so a seed equal to a master key still plans
// differently from the live service.
const SeedLabel = "vigil/v1/simulation"

// DefaultSeed is the seed of a simulation run without one (hex). Runs are reproducible by
// default: the same inputs and scenario always give the same report.
const DefaultSeed = "5eed"

// Scenario defaults.
const (
	DefaultTrain     = scheduler.DefaultTrainDays // training days
	DefaultAttack    = 30                         // minutes, historical and minimax D
	DefaultIncidents = 200                        // random incidents per service day
)

// Scenario says what to simulate: the days, the measures' parameters, the seed and the
// changes to the region's inputs (units per mode, threat levels per mission).
type Scenario struct {
	From scheduler.Date // first service date
	// Days is the number of service days planned, training days included; it must exceed
	// Train.
	Days int
	// Train is the number of training days (0 means DefaultTrain).
	Train int
	// Attack is the attack length in minutes of the historical adversary and the minimax
	// value (0 means DefaultAttack). The live adversary always reports 15, 30 and 60
	// minutes, and Attack as well when it is none of those.
	Attack int
	// Seed is the simulation's seed; nil means DefaultSeed. See ParseSeed.
	Seed []byte
	// Incidents is the number of random incidents per service day for the response
	// measure; 0 skips it (the CLI defaults to DefaultIncidents).
	Incidents int
	// Units sets the units on duty per shift for the modes it names.
	Units map[scheduler.Mode]int
	// Threat sets the threat level (1–5) of the missions it names, by id.
	Threat map[string]int
	// Floor sets the region's randomization policy (DESIGN.md §3), in visits per max gap;
	// nil keeps the force file's. The planner may lower it where the force is short; the
	// plan declares the floor in effect.
	Floor *float64
	// Frontier, when not empty, makes Run a frontier run: the scenario planned once per
	// floor listed (visits per max gap, increasing), reported per floor instead of the four
	// planners (see FrontierRow).
	Frontier []float64
	// Progress, when set, is called after each planned day and each measured planner with
	// the steps done and the total (Days + 4; a frontier run: (Days + 1) per floor). Calls
	// come from one goroutine at a time.
	Progress func(done, total int)
}

// ScenarioError is a scenario that does not fit the inputs: an unknown mission or mode, a
// level or count out of range, days that leave no test day. It is bad input.
type ScenarioError struct{ Msg string }

// Error returns the message, which names the scenario field at fault.
func (e *ScenarioError) Error() string { return e.Msg }

func scenarioErrorf(format string, args ...any) error {
	return &ScenarioError{Msg: fmt.Sprintf(format, args...)}
}

// ParseSeed parses a seed written in hex (2 to 128 digits, even count). The empty string
// gives DefaultSeed.
func ParseSeed(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		s = DefaultSeed
	}
	if len(s) < 2 || len(s) > 128 || len(s)%2 != 0 {
		return nil, scenarioErrorf("seed %q: want an even number of hex digits, 2 to 128", s)
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, scenarioErrorf("seed %q is not hexadecimal", s)
	}
	return b, nil
}

// PlanKey derives a simulation's plan key from its seed with HKDF-SHA256 under SeedLabel.
func PlanKey(seed []byte) []byte {
	k, err := hkdf.Key(sha256.New, seed, nil, SeedLabel, 32)
	if err != nil { // only for absurd lengths
		panic(err)
	}
	return k
}

// stream returns a ChaCha8 generator for one named use of a simulation key, seeded with
// HMAC-SHA256(key, label).
func stream(key []byte, label string) *rand.Rand {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(label))
	var seed [32]byte
	copy(seed[:], mac.Sum(nil))
	return rand.New(rand.NewChaCha8(seed))
}

// withDefaults fills the zero values of s.
func (s Scenario) withDefaults() Scenario {
	if s.Train == 0 {
		s.Train = DefaultTrain
	}
	if s.Attack == 0 {
		s.Attack = DefaultAttack
	}
	if s.Seed == nil {
		s.Seed, _ = ParseSeed(DefaultSeed)
	}
	return s
}

// LiveD returns the live adversary's attack lengths for an attack of d minutes: 15, 30
// and 60, and d when it is none of those, in increasing order.
func LiveD(d int) []int {
	ds := scheduler.DefaultLiveD()
	if d > 0 && !slices.Contains(ds, d) {
		ds = append(ds, d)
		slices.Sort(ds)
	}
	return ds
}

// Apply returns in changed by the scenario's units and threat levels. It copies what it
// changes, so in is left as it was. When the changed force has fewer officers than its
// units and posts need, the roster is raised to the need (a simulation sizes the people
// for its units; ScenarioInfo reports both figures).
func (s Scenario) Apply(in scheduler.Inputs) (scheduler.Inputs, error) {
	out := in
	f := in.Force
	f.Units = cloneMap(in.Force.Units)
	modes := sortedKeys(s.Units)
	for _, m := range modes {
		n := s.Units[m]
		if !slices.Contains(scheduler.Modes, m) {
			return in, scenarioErrorf("units: unknown mode %q; want vehicle or foot", m)
		}
		if n < 0 || n > 999 {
			return in, scenarioErrorf("units: %s=%d: want 0 to 999", m, n)
		}
		f.Units[m] = n
	}
	out.Missions = slices.Clone(in.Missions)
	index := make(map[string]int, len(in.Missions))
	for i, m := range in.Missions {
		index[m.ID] = i
	}
	for _, id := range sortedKeys(s.Threat) {
		lvl := s.Threat[id]
		i, ok := index[id]
		if !ok {
			return in, scenarioErrorf("threat: mission %q is not in region %s", id, in.Office.ID)
		}
		if !scheduler.ValidThreat(lvl) {
			return in, scenarioErrorf("threat: %s=%d: want a level from %d to %d", id, lvl, scheduler.MinThreat, scheduler.MaxThreat)
		}
		out.Missions[i].Threat = lvl
	}
	if s.Floor != nil {
		if err := checkFloors([]float64{*s.Floor}, "floor"); err != nil {
			return in, err
		}
		setFloor(&f, *s.Floor)
	}
	posts := 0
	for _, m := range out.Missions {
		posts += m.Posts(f.Profiles)
	}
	// A count-form roster is raised to what the scenario needs; named officers are who
	// they are, and a scenario they cannot staff is the planner's *InfeasibleError.
	if need := scheduler.OfficersNeeded(f, posts); f.Officers < need && len(f.Roster) == 0 {
		f.Officers = need
	}
	out.Force = f
	return out, nil
}

func cloneMap[K comparable, V any](m map[K]V) map[K]V {
	out := make(map[K]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func sortedKeys[K ~string, V any](m map[K]V) []K {
	ks := make([]K, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// Result is a simulation's report, in the exact shape of the vigil.simulation/v1 JSON
// (DESIGN.md §5) with the scenario beside the planners. Plans and Inputs are kept for
// charts and are not marshalled.
type Result struct {
	Schema   string       `json:"schema"`
	Scenario ScenarioInfo `json:"scenario"`
	// Planners is the four planners' report; a frontier run has none.
	Planners Planners `json:"planners,omitzero"`
	// Frontier is a frontier run's report, one row per floor.
	Frontier []FrontierRow `json:"frontier,omitempty"`

	// Plans holds the four plans measured.
	Plans Plans `json:"-"`
	// Inputs is the region's inputs with the scenario applied.
	Inputs scheduler.Inputs `json:"-"`
	// Options is what every planner was measured with (without its Rand).
	Options scheduler.MeasureOptions `json:"-"`
}

// Planners holds the §4 report of Vigil's plan and of its three baselines.
type Planners struct {
	Vigil    scheduler.Report `json:"vigil"`
	Fixed    scheduler.Report `json:"fixed"`
	Shuffled scheduler.Report `json:"shuffled"`
	Rounds   scheduler.Report `json:"rounds"`
}

// Plans holds Vigil's plan and its three baselines (DESIGN.md §4).
type Plans struct {
	Vigil, Fixed, Shuffled, Rounds *scheduler.Plan
}

// ScenarioInfo describes what was simulated. Every planner shares it: the baselines have
// the same missions, units and visits as Vigil's plan.
type ScenarioInfo struct {
	Region string `json:"region"`
	From   string `json:"from"`
	Days   int    `json:"days"`  // service days, training days included
	Train  int    `json:"train"` // training days
	// AttackMinutes is the D of the historical adversary and the minimax value.
	AttackMinutes int `json:"attack_minutes"`
	// LiveMinutes lists the live adversary's attack lengths (the keys of "live").
	LiveMinutes []int  `json:"live_minutes"`
	Seed        string `json:"seed"` // hex
	// IncidentsPerDay is the response measure's incidents per service day (0: skipped).
	IncidentsPerDay int            `json:"incidents_per_day"`
	Units           map[string]int `json:"units"`  // on duty per shift, by mode
	Threat          map[string]int `json:"threat"` // the scenario's threat changes, by mission
	Missions        int            `json:"missions"`
	Posts           int            `json:"posts"`
	// Officers is the roster simulated; OfficersGiven the force's own, lower when the
	// scenario's units and posts needed more.
	Officers      int `json:"officers"`
	OfficersGiven int `json:"officers_given"`
	// VisitsPerDay is the mean patrol visits per service day of every planner.
	VisitsPerDay float64 `json:"visits_per_day"`
}

// Run simulates the scenario on a region's inputs: it plans sc.Days service days from
// sc.From with the key derived from sc.Seed, derives the fixed, shuffled and rounds
// baselines and measures the four with the same options (the response measure sees the
// same incidents in each). With sc.Frontier set it runs the frontier instead (see
// Frontier): the result then holds the frontier and no planners. It checks ctx between
// days and returns ctx.Err() when cancelled. A scenario that does not fit the inputs is a
// *ScenarioError; a force too small for it is the planner's *scheduler.InfeasibleError.
func Run(ctx context.Context, in scheduler.Inputs, sc Scenario) (*Result, error) {
	sc = sc.withDefaults()
	if err := sc.validate(); err != nil {
		return nil, err
	}
	if len(sc.Frontier) > 0 {
		return runFrontier(ctx, in, sc)
	}
	given := in.Force.Officers
	in, err := sc.Apply(in)
	if err != nil {
		return nil, err
	}
	key := PlanKey(sc.Seed)
	progress := counter(sc.Progress, sc.Days+4) // the days, then the four planners measured
	vigil, err := planRun(ctx, in, sc, key, progress)
	if err != nil {
		return nil, err
	}
	plans, err := baselines(vigil, key)
	if err != nil {
		return nil, err
	}
	opt := sc.measureOptions(in)
	reports, err := measureAll(ctx, plans, opt, key, progress)
	if err != nil {
		return nil, err
	}
	res := &Result{
		Schema:   Schema,
		Scenario: scenarioInfo(in, sc, vigil),
		Planners: Planners{Vigil: reports[0], Fixed: reports[1], Shuffled: reports[2], Rounds: reports[3]},
		Plans:    Plans{Vigil: plans[0], Fixed: plans[1], Shuffled: plans[2], Rounds: plans[3]},
		Inputs:   in,
		Options:  opt,
	}
	res.Scenario.OfficersGiven = given
	return res, nil
}

// validate checks the scenario's own bounds (with its defaults filled in).
func (s Scenario) validate() error {
	if s.Train < 1 {
		return scenarioErrorf("train %d: want at least 1 training day", s.Train)
	}
	if s.Days <= s.Train {
		return scenarioErrorf("days %d: want more than the %d training days, so some days are left to test on", s.Days, s.Train)
	}
	if s.Attack < 5 || s.Attack > 24*60 {
		return scenarioErrorf("attack %d minutes: want 5 to 1440", s.Attack)
	}
	if s.Incidents < 0 || s.Incidents > 100000 {
		return scenarioErrorf("incidents %d: want 0 to 100000 a day", s.Incidents)
	}
	return checkFloors(s.Frontier, "frontier")
}

// measureOptions is what every planner of the scenario is measured with.
func (s Scenario) measureOptions(in scheduler.Inputs) scheduler.MeasureOptions {
	return scheduler.MeasureOptions{
		Train:      s.Train,
		Historical: s.Attack,
		Live:       LiveD(s.Attack),
		Minimax:    s.Attack,
		Incidents:  s.Incidents,
		Travel:     scheduler.TravelModel(in.Force),
	}
}

// counter returns a function that counts one step done and reports it to f (nil: none)
// out of total. It is safe for concurrent use.
func counter(f func(done, total int), total int) func() {
	var mu sync.Mutex
	step := 0
	return func() {
		mu.Lock()
		defer mu.Unlock()
		step++
		if f != nil {
			f(step, total)
		}
	}
}

// planRun plans the scenario's days one by one with key, calling progress after each, and
// checks the hard rules across them. Each day is planned on its own (DESIGN.md §3), so
// planning day by day gives the same plan as one PlanDays call and lets a cancellation
// stop between days.
func planRun(ctx context.Context, in scheduler.Inputs, sc Scenario, key []byte, progress func()) (*scheduler.Plan, error) {
	days := make([]scheduler.ServiceDay, 0, sc.Days)
	for i := range sc.Days {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		p, err := scheduler.PlanDays(in, scheduler.PlanOptions{Key: key, From: sc.From.AddDays(i), Days: 1})
		if err != nil {
			return nil, err
		}
		days = append(days, p.ServiceDays...)
		progress()
	}
	plan, err := scheduler.NewPlan(in, sc.From, days)
	if err != nil {
		return nil, err
	}
	if vs := scheduler.Verify(in, plan); len(vs) > 0 {
		return nil, fmt.Errorf("simulate: the plan breaks a hard rule across days: %v", vs[0])
	}
	return plan, ctx.Err()
}

// baselines returns Vigil's plan and the fixed, shuffled and rounds baselines derived
// from it, in that order.
func baselines(vigil *scheduler.Plan, key []byte) ([]*scheduler.Plan, error) {
	fixed, err := scheduler.FixedBaseline(vigil)
	if err != nil {
		return nil, err
	}
	shuffled, err := scheduler.ShuffledBaseline(vigil, stream(key, "baseline/shuffled"))
	if err != nil {
		return nil, err
	}
	rounds, err := scheduler.RoundsBaseline(vigil, stream(key, "baseline/rounds"))
	if err != nil {
		return nil, err
	}
	return []*scheduler.Plan{vigil, fixed, shuffled, rounds}, nil
}

// measureAll measures the plans at once with opt, calling progress after each. Every plan
// draws the response measure's incidents from the same stream, so each sees the same
// incidents.
func measureAll(ctx context.Context, plans []*scheduler.Plan, opt scheduler.MeasureOptions, key []byte, progress func()) ([]scheduler.Report, error) {
	reports := make([]scheduler.Report, len(plans))
	errs := make([]error, len(plans))
	var wg sync.WaitGroup
	for i, p := range plans {
		wg.Go(func() {
			o := opt
			if o.Incidents > 0 {
				o.Rand = stream(key, "measure/incidents")
			}
			reports[i], errs[i] = scheduler.Measure(p, o)
			progress()
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return reports, nil
}

func scenarioInfo(in scheduler.Inputs, sc Scenario, p *scheduler.Plan) ScenarioInfo {
	info := ScenarioInfo{
		Region:          p.Region,
		From:            sc.From.String(),
		Days:            sc.Days,
		Train:           sc.Train,
		AttackMinutes:   sc.Attack,
		LiveMinutes:     LiveD(sc.Attack),
		Seed:            hex.EncodeToString(sc.Seed),
		IncidentsPerDay: sc.Incidents,
		Units:           map[string]int{},
		Threat:          map[string]int{},
		Missions:        len(in.Missions),
		Officers:        in.Force.Officers,
	}
	for _, m := range scheduler.Modes {
		info.Units[string(m)] = in.Force.Units[m]
	}
	for id, lvl := range sc.Threat {
		info.Threat[id] = lvl
	}
	for _, m := range in.Missions {
		info.Posts += m.Posts(in.Force.Profiles)
	}
	visits := 0
	for _, d := range p.ServiceDays {
		for _, r := range d.Routes {
			visits += len(r.Visits)
		}
	}
	info.VisitsPerDay = float64(visits) / float64(len(p.ServiceDays))
	return info
}

// liveKey returns the key of the live report for attack minutes d.
func liveKey(d int) string { return strconv.Itoa(d) }
