package scheduler

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"time"

	"vigil/geo"
)

// Measure defaults (DESIGN.md §4).
const (
	DefaultTrainDays       = 28
	DefaultHistoricalD     = 30
	DefaultMinimaxD        = 30
	historicalStepMinutes  = 5
	historicalWindowsOfDay = 24 * 60 / historicalStepMinutes
	liveStepMinutes        = 5
)

// DefaultLiveD returns the attack lengths of the live adversary, in minutes (DESIGN.md §4.3).
func DefaultLiveD() []int { return []int{15, 30, 60} }

// MeasureOptions tunes Measure. Zero values take the defaults of DESIGN.md §4.
type MeasureOptions struct {
	Train      int   // training days L (default 28 when 0)
	Historical int   // D minutes of the historical adversary (default 30)
	Live       []int // D minutes of the live adversary (default 15, 30, 60)
	Minimax    int   // D minutes of the minimax value (default 30)
	// Incidents is the number of random incidents per service day for the response
	// measure (§4.6); 0 skips it.
	Incidents int
	// Rand draws the incidents; required when Incidents > 0.
	Rand *rand.Rand
	// Travel returns the travel model of a unit mode for response ETAs; nil means the
	// default crow-flies model of DESIGN.md §2 (circuity 1.35, 25 km/h vehicle, 4.5 km/h foot).
	Travel func(Mode) geo.Traveler
	// FloorVisitsPerMaxGap is the randomization floor of the minimax measure (§4.4), in
	// visits per max gap; 0 takes the floor the plan declares (see planFloor).
	FloorVisitsPerMaxGap float64
}

func (o MeasureOptions) withDefaults() MeasureOptions {
	if o.Train == 0 {
		o.Train = DefaultTrainDays
	}
	if o.Historical == 0 {
		o.Historical = DefaultHistoricalD
	}
	if len(o.Live) == 0 {
		o.Live = DefaultLiveD()
	}
	if o.Minimax == 0 {
		o.Minimax = DefaultMinimaxD
	}
	if o.Travel == nil {
		o.Travel = DefaultTravel
	}
	return o
}

// planFloor returns the randomization floor p declares, in visits per max gap (plan JSON
// policy.visits_per_max_gap, DESIGN.md §3 and §5): the floor in effect, so the minimax
// optimum is the one under the same floor the plan was made with.
func planFloor(p *Plan) float64 { return p.Policy.VisitsPerMaxGap }

// DefaultTravel returns the default travel model of a mode (DESIGN.md §2).
func DefaultTravel(m Mode) geo.Traveler {
	if m == Foot {
		return geo.Crow{Circuity: DefaultCircuity, SpeedKmh: DefaultFootKmh}
	}
	return geo.Crow{Circuity: DefaultCircuity, SpeedKmh: DefaultVehicleKmh}
}

// Report is the §4 measures of one plan, in the shape of one planner of the simulation
// JSON (DESIGN.md §5). Fractions run from 0 to 1, times are in minutes.
type Report struct {
	// Compliance is the share of mission-days with at least the minimum visits and no gap
	// over the max gap (§4.1).
	Compliance float64               `json:"compliance"`
	Historical HistoricalReport      `json:"historical"`
	Live       map[string]LiveReport `json:"live"` // by attack minutes, "15", "30", "60"
	Minimax    MinimaxReport         `json:"minimax"`
	Efficiency EfficiencyReport      `json:"efficiency"`
	Response   ResponseReport        `json:"response"`
	Posts      PostsReport           `json:"posts"`
}

// HistoricalReport is the historical adversary's result (§4.2), as means over missions.
type HistoricalReport struct {
	Interception float64 `json:"interception"`  // of the least-visited window of training
	RandomWindow float64 `json:"random_window"` // of every 5-minute window on test days
	Ratio        float64 `json:"ratio"`         // Interception / RandomWindow
}

// LiveReport is the live adversary's result for one attack length (§4.3).
type LiveReport struct {
	Interception        float64 `json:"interception"`
	MemorylessReference float64 `json:"memoryless_reference"`
	Ratio               float64 `json:"ratio"` // Interception / MemorylessReference
	// WeightedSuccess is Σ v·(1 − interception) / Σ v over the missions.
	WeightedSuccess float64 `json:"weighted_success"`
}

// MinimaxReport compares the worst mission's value at risk with the water-filled optimum
// for the same visit total under the same randomization floor (§4.4).
type MinimaxReport struct {
	Worst   float64 `json:"worst"`
	Optimum float64 `json:"optimum"` // under the profile minimums and the floor
	Ratio   float64 `json:"ratio"`   // Worst / Optimum
	// OptimumWithoutFloor is the optimum under the profile minimums only.
	OptimumWithoutFloor float64 `json:"optimum_without_floor"`
	// PriceOfRandomness is Optimum / OptimumWithoutFloor: what the floor costs the worst
	// mission at best.
	PriceOfRandomness float64 `json:"price_of_randomness"`
	// VisitsPerMaxGap is the randomization floor used, in visits per max gap (0: none).
	VisitsPerMaxGap float64 `json:"visits_per_max_gap"`
	// BelowFloor lists, by id, the missions without a staffed post whose presences over
	// the run fall under 97 % of the floor: a plan must have none.
	BelowFloor []string `json:"below_floor"`
}

// EfficiencyReport is §4.5.
type EfficiencyReport struct {
	OnSiteShare float64 `json:"on_site_share"` // minutes on site ÷ unit minutes on shift
	KmPerVisit  float64 `json:"km_per_visit"`
}

// ResponseReport is §4.6: percentiles of the nearest unit's ETA, in minutes. Both are 0
// when no incident was drawn.
type ResponseReport struct {
	Incidents int     `json:"incidents"` // incidents with a unit on shift
	P50       float64 `json:"p50"`
	P90       float64 `json:"p90"`
}

// PostsReport is §4.7.
type PostsReport struct {
	UncoveredMinutesPerPostDay float64 `json:"uncovered_minutes_per_post_day"`
	LongestBlockRun            int     `json:"longest_block_run"`
	PostHoursSD                float64 `json:"post_hours_sd"`
	NightHoursSD               float64 `json:"night_hours_sd"`
}

// Interval is one presence at a mission: overlapping or touching visits merged.
type Interval struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// Minutes returns the interval's length in minutes.
func (iv Interval) Minutes() float64 { return iv.End.Sub(iv.Start).Minutes() }

// mspan is an interval in minutes since the start of the run.
type mspan struct{ a, b float64 }

// measureRun is a plan laid out on one continuous timeline, in minutes since its first service
// day's start: what every measure reads.
type measureRun struct {
	p        *Plan
	loc      *time.Location
	t0       time.Time
	dayStart []float64 // len(days)+1: start of each service day, then the end of the run
	dates    []Date
	index    map[string]int
	pres     [][]mspan // merged presences per mission, by start
	staffed  []bool    // mission has fixed posts and a post in the plan

	// Gaps after departures per mission, [training, test], sorted; see sortedGaps.
	gaps      [][2][]float64
	gapSum    []float64
	gapsTrain int
}

func (r *measureRun) days() int { return len(r.dayStart) - 1 }

func (r *measureRun) minutes(t time.Time) float64 { return float64(t.Sub(r.t0)) / float64(time.Minute) }

func (r *measureRun) at(m float64) time.Time {
	return r.t0.Add(time.Duration(math.Round(m * float64(time.Minute)))).In(r.loc)
}

// dayOf returns the index of the service day containing minute m (clamped to the run).
func (r *measureRun) dayOf(m float64) int {
	k := sort.SearchFloat64s(r.dayStart, m)
	if k < len(r.dayStart) && r.dayStart[k] == m {
		return min(k, r.days()-1)
	}
	return max(0, min(k-1, r.days()-1))
}

// newMeasureRun validates p and lays it out on the timeline.
func newMeasureRun(p *Plan) (*measureRun, error) {
	if p == nil || len(p.ServiceDays) == 0 {
		return nil, errors.New("measure: plan has no service days")
	}
	loc, err := time.LoadLocation(p.Timezone)
	if err != nil {
		return nil, fmt.Errorf("measure: plan timezone %q: %w", p.Timezone, err)
	}
	r := &measureRun{p: p, loc: loc, t0: p.ServiceDays[0].Start, index: make(map[string]int, len(p.Missions))}
	for i, m := range p.Missions {
		if _, dup := r.index[m.ID]; dup {
			return nil, fmt.Errorf("measure: mission %q listed twice", m.ID)
		}
		r.index[m.ID] = i
	}
	for k, d := range p.ServiceDays {
		if !d.End.After(d.Start) {
			return nil, fmt.Errorf("measure: service day %s ends before it starts", d.Date)
		}
		if k > 0 && !d.Start.Equal(p.ServiceDays[k-1].End) {
			return nil, fmt.Errorf("measure: service day %s does not start when %s ends", d.Date, p.ServiceDays[k-1].Date)
		}
		r.dayStart = append(r.dayStart, r.minutes(d.Start))
		date, err := ParseDate(d.Date)
		if err != nil {
			date = DateOf(d.Start.In(loc))
		}
		r.dates = append(r.dates, date)
	}
	r.dayStart = append(r.dayStart, r.minutes(p.ServiceDays[len(p.ServiceDays)-1].End))

	visits := make([][]mspan, len(p.Missions))
	r.staffed = make([]bool, len(p.Missions))
	for _, d := range p.ServiceDays {
		for _, rt := range d.Routes {
			for _, v := range rt.Visits {
				i, ok := r.index[v.Mission]
				if !ok {
					return nil, fmt.Errorf("measure: %s route of %s visits unknown mission %q", d.Date, rt.Unit, v.Mission)
				}
				if v.Depart.Before(v.Arrive) {
					return nil, fmt.Errorf("measure: %s visit of %s at %s departs before it arrives", d.Date, rt.Unit, v.Mission)
				}
				visits[i] = append(visits[i], mspan{r.minutes(v.Arrive), r.minutes(v.Depart)})
			}
		}
		for _, po := range d.Posts {
			i, ok := r.index[po.Mission]
			if !ok {
				return nil, fmt.Errorf("measure: %s post %q at unknown mission %q", d.Date, po.Post, po.Mission)
			}
			if p.Missions[i].FixedPosts > 0 {
				r.staffed[i] = true
			}
		}
	}
	r.pres = make([][]mspan, len(visits))
	for i, vs := range visits {
		r.pres[i] = mergeMSpans(vs)
	}
	return r, nil
}

// mergeMSpans sorts spans and merges the overlapping or touching ones (DESIGN.md §2 Visit).
func mergeMSpans(vs []mspan) []mspan {
	slices.SortFunc(vs, func(x, y mspan) int {
		if x.a != y.a {
			return cmpMinutes(x.a, y.a)
		}
		return cmpMinutes(x.b, y.b)
	})
	out := vs[:0:0]
	for _, v := range vs {
		if n := len(out); n > 0 && v.a <= out[n-1].b {
			out[n-1].b = max(out[n-1].b, v.b)
			continue
		}
		out = append(out, v)
	}
	return out
}

func cmpMinutes(x, y float64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// Presences returns each mission's presences over the plan: its visits by any unit, with
// overlapping or touching ones merged (DESIGN.md §2), in order. Every mission of the plan
// has an entry, empty when it is never visited. Posts are not presences here: see Staffed.
// It returns nil for a plan Measure would refuse (Measure says why).
func Presences(p *Plan) map[string][]Interval {
	r, err := newMeasureRun(p)
	if err != nil {
		return nil
	}
	out := make(map[string][]Interval, len(p.Missions))
	for i, m := range p.Missions {
		ivs := make([]Interval, len(r.pres[i]))
		for j, s := range r.pres[i] {
			ivs[j] = Interval{r.at(s.a), r.at(s.b)}
		}
		out[m.ID] = ivs
	}
	return out
}

// Staffed returns the missions with a staffed post: fixed posts in the plan's mission list
// and at least one post in some service day. They are left out of §4.2–§4.4. It returns
// nil for a plan Measure would refuse.
func Staffed(p *Plan) map[string]bool {
	r, err := newMeasureRun(p)
	if err != nil {
		return nil
	}
	out := map[string]bool{}
	for i, m := range p.Missions {
		if r.staffed[i] {
			out[m.ID] = true
		}
	}
	return out
}

// Measure computes the §4 measures of p over its service days: the first opt.Train are the
// training days, the rest the test days, so the plan must hold more than opt.Train days.
// See the measure_*.go files for the exact rules of each measure.
func Measure(p *Plan, opt MeasureOptions) (Report, error) {
	opt = opt.withDefaults()
	if opt.Incidents > 0 && opt.Rand == nil {
		return Report{}, errors.New("measure: incidents requested without a random source")
	}
	if opt.FloorVisitsPerMaxGap < 0 || math.IsNaN(opt.FloorVisitsPerMaxGap) || math.IsInf(opt.FloorVisitsPerMaxGap, 0) {
		return Report{}, fmt.Errorf("measure: randomization floor %v visits per max gap: want a number from 0 up", opt.FloorVisitsPerMaxGap)
	}
	r, err := newMeasureRun(p)
	if err != nil {
		return Report{}, err
	}
	if opt.Train < 1 || opt.Train >= r.days() {
		return Report{}, errNoTestDays(opt.Train, r.days())
	}
	rep := Report{Live: map[string]LiveReport{}}
	rep.Compliance = r.compliance()
	rep.Historical = r.historical(opt.Train, opt.Historical)

	var minimaxLive []LiveMission
	for _, d := range opt.Live {
		lm := r.live(opt.Train, d)
		rep.Live[strconv.Itoa(d)] = r.liveReport(lm)
		if d == opt.Minimax {
			minimaxLive = lm
		}
	}
	if minimaxLive == nil {
		minimaxLive = r.live(opt.Train, opt.Minimax)
	}
	floor := opt.FloorVisitsPerMaxGap
	if floor == 0 {
		floor = planFloor(p)
	}
	rep.Minimax = r.minimax(minimaxLive, opt.Minimax, floor)
	rep.Efficiency = r.efficiency()
	if opt.Incidents > 0 {
		rep.Response = r.response(opt.Incidents, opt.Rand, opt.Travel)
	}
	rep.Posts = r.posts()
	return rep, nil
}

func errNoTestDays(train, days int) error {
	return fmt.Errorf("measure: %d training days leave no test days in a run of %d service days", train, days)
}

// wallClockTime returns the instant of wall clock minute-of-day mod (plus sec seconds) on date
// d in loc. When the clock occurs twice (a repeated hour) it returns the first occurrence;
// when it does not exist (a skipped hour) it returns the instant read with the UTC offset
// in effect before the skip, i.e. the clock shifted forward by the skip (as RFC 5545 does),
// and exists is false.
func wallClockTime(d Date, mod, sec int, loc *time.Location) (t time.Time, exists bool) {
	naive := time.Date(d.Year, d.Month, d.Day, 0, mod, sec, 0, time.UTC)
	_, oa := naive.Add(-24 * time.Hour).In(loc).Zone()
	_, ob := naive.Add(24 * time.Hour).In(loc).Zone()
	ta := naive.Add(-time.Duration(oa) * time.Second).In(loc)
	tb := naive.Add(-time.Duration(ob) * time.Second).In(loc)
	_, ca := ta.Zone()
	_, cb := tb.Zone()
	okA, okB := ca == oa, cb == ob
	switch {
	case okA && okB:
		if tb.Before(ta) {
			return tb, true
		}
		return ta, true
	case okA:
		return ta, true
	case okB:
		return tb, true
	}
	return ta, false
}

// percentile returns the nearest-rank p-quantile (0 < q ≤ 1) of sorted xs.
func nearestRank(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	k := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[max(0, min(k, len(sorted)-1))]
}
