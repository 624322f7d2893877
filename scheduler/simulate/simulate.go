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
	// Progress, when set, is called after each planned day and each measured planner with
	// the steps done and the total (Days + 3). Calls come from one goroutine at a time.
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
	Planners Planners     `json:"planners"`

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
// baselines and measures the four with the same options (the response measure sees the same incidents
// in each). It checks ctx between days and returns ctx.Err() when cancelled. A scenario
// that does not fit the inputs is a *ScenarioError; a force too small for it is the
// planner's *scheduler.InfeasibleError.
func Run(ctx context.Context, in scheduler.Inputs, sc Scenario) (*Result, error) {
	sc = sc.withDefaults()
	if err := sc.validate(); err != nil {
		return nil, err
	}
	given := in.Force.Officers
	in, err := sc.Apply(in)
	if err != nil {
		return nil, err
	}
	key := PlanKey(sc.Seed)
	total := sc.Days + 4 // the days, then the four planners measured
	step := 0
	progress := func() {
		step++
		if sc.Progress != nil {
			sc.Progress(step, total)
		}
	}

	// Each day is planned on its own (DESIGN.md §3), so planning day by day gives the same
	// plan as one PlanDays call and lets a cancellation stop between days.
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
	vigil, err := scheduler.NewPlan(in, sc.From, days)
	if err != nil {
		return nil, err
	}
	if vs := scheduler.Verify(in, vigil); len(vs) > 0 {
		return nil, fmt.Errorf("simulate: the plan breaks a hard rule across days: %v", vs[0])
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	fixed, shuffled, rounds, err := baselines(vigil, key)
	if err != nil {
		return nil, err
	}

	opt := scheduler.MeasureOptions{
		Train:      sc.Train,
		Historical: sc.Attack,
		Live:       LiveD(sc.Attack),
		Minimax:    sc.Attack,
		Incidents:  sc.Incidents,
		Travel:     scheduler.TravelModel(in.Force),
	}
	plans := []*scheduler.Plan{vigil, fixed, shuffled, rounds}
	reports := make([]scheduler.Report, len(plans))
	errs := make([]error, len(plans))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i, p := range plans {
		wg.Go(func() {
			o := opt
			if o.Incidents > 0 {
				// The same stream for every planner: the same incidents in each.
				o.Rand = stream(key, "measure/incidents")
			}
			reports[i], errs[i] = scheduler.Measure(p, o)
			mu.Lock()
			progress()
			mu.Unlock()
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}

	res := &Result{
		Schema:   Schema,
		Scenario: scenarioInfo(in, sc, vigil),
		Planners: Planners{Vigil: reports[0], Fixed: reports[1], Shuffled: reports[2], Rounds: reports[3]},
		Plans:    Plans{Vigil: vigil, Fixed: fixed, Shuffled: shuffled, Rounds: rounds},
		Inputs:   in,
		Options:  opt,
	}
	res.Scenario.OfficersGiven = given
	return res, nil
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

// validate checks the scenario's own figures, before it meets the inputs.
func (sc Scenario) validate() error {
	if sc.Train < 1 {
		return scenarioErrorf("train %d: want at least 1 training day", sc.Train)
	}
	if sc.Days <= sc.Train {
		return scenarioErrorf("days %d: want more than the %d training days, so some days are left to test on", sc.Days, sc.Train)
	}
	if sc.Attack < 5 || sc.Attack > 24*60 {
		return scenarioErrorf("attack %d minutes: want 5 to 1440", sc.Attack)
	}
	if sc.Incidents < 0 || sc.Incidents > 100000 {
		return scenarioErrorf("incidents %d: want 0 to 100000 a day", sc.Incidents)
	}
	return nil
}

// baselines derives the fixed, shuffled and rounds baselines of DESIGN.md §4 from Vigil's
// plan, each from its own keyed stream.
func baselines(vigil *scheduler.Plan, key []byte) (fixed, shuffled, rounds *scheduler.Plan, err error) {
	if fixed, err = scheduler.FixedBaseline(vigil); err != nil {
		return nil, nil, nil, err
	}
	if shuffled, err = scheduler.ShuffledBaseline(vigil, stream(key, "baseline/shuffled")); err != nil {
		return nil, nil, nil, err
	}
	if rounds, err = scheduler.RoundsBaseline(vigil, stream(key, "baseline/rounds")); err != nil {
		return nil, nil, nil, err
	}
	return fixed, shuffled, rounds, nil
}
