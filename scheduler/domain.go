// Package scheduler owns Vigil's domain: missions, threat profiles, the force of a
// region, and the pure planning core that turns them into unpredictable patrol plans.
//
// Nothing in this package reads the clock, the environment or a global random source:
// every plan is a function of its inputs, a key and a time value (DESIGN.md §3, §6).
package scheduler

import (
	"regexp"
	"time"
)

// Mode is how a patrol unit moves.
type Mode string

// The two unit modes.
const (
	Vehicle Mode = "vehicle"
	Foot    Mode = "foot"
)

// Modes lists the unit modes in their canonical order.
var Modes = []Mode{Vehicle, Foot}

// Kinds lists the mission kinds a missions file may name (DESIGN.md §2).
var Kinds = []string{"embassy", "consulate", "residence", "mission", "office"}

// IDPattern is the pattern every mission id must match (DESIGN.md §5).
var IDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)

// Office is a Diplomatic Security office; its id names a region.
type Office struct {
	ID       string
	Name     string
	Kind     string
	Address  string
	City     string
	State    string
	Zip      string
	Phone    string
	Lat, Lon float64
	TZ       string
	// Location is TZ loaded; never nil for a loaded office.
	Location *time.Location
	Coords   string // "exact" or "approx"
}

// Mission is a protected site.
type Mission struct {
	ID      string
	Name    string
	Kind    string
	Country string
	Address string
	City    string
	State   string
	Lat     float64
	Lon     float64
	Threat  int // MinThreat..MaxThreat
	// FixedPosts overrides the profile's fixed posts when non-nil.
	FixedPosts *int
	Region     string
}

// Posts returns the number of fixed posts the mission staffs under the given profiles.
func (m Mission) Posts(p Profiles) int {
	if m.FixedPosts != nil {
		return *m.FixedPosts
	}
	return p[m.Threat].FixedPosts
}

// Threat levels run from MinThreat (calm) to MaxThreat (alarm) (DESIGN.md §2).
const (
	MinThreat = 1
	MaxThreat = 5
)

// ValidThreat reports whether t is a threat level, MinThreat to MaxThreat.
func ValidThreat(t int) bool { return t >= MinThreat && t <= MaxThreat }

// Profile is what a threat level requires (DESIGN.md §2).
type Profile struct {
	VisitsPerDay  int     `yaml:"visits_per_day" json:"visits_per_day"`
	MaxGapMinutes int     `yaml:"max_gap_minutes" json:"max_gap_minutes"`
	DwellMinutes  [2]int  `yaml:"dwell_minutes" json:"dwell_minutes"`
	FixedPosts    int     `yaml:"fixed_posts" json:"fixed_posts"`
	Value         float64 `yaml:"value" json:"value"`
}

// Profiles holds one profile per threat level, indexed by level; index 0 is unused.
type Profiles [MaxThreat + 1]Profile

// DefaultProfiles returns the protection profiles of DESIGN.md §2.
func DefaultProfiles() Profiles {
	return Profiles{
		{},
		{VisitsPerDay: 2, MaxGapMinutes: 720, DwellMinutes: [2]int{5, 10}, FixedPosts: 0, Value: 1},
		{VisitsPerDay: 3, MaxGapMinutes: 480, DwellMinutes: [2]int{5, 10}, FixedPosts: 0, Value: 2},
		{VisitsPerDay: 6, MaxGapMinutes: 240, DwellMinutes: [2]int{10, 15}, FixedPosts: 0, Value: 4},
		{VisitsPerDay: 10, MaxGapMinutes: 180, DwellMinutes: [2]int{10, 15}, FixedPosts: 0, Value: 8},
		{VisitsPerDay: 12, MaxGapMinutes: 120, DwellMinutes: [2]int{10, 15}, FixedPosts: 1, Value: 16},
	}
}

// RegionForce is the force of one region with every default filled in.
type RegionForce struct {
	Region       string
	Shifts       []Shift
	Units        map[Mode]int // on duty in every shift
	Crew         map[Mode]int // officers per unit
	Capabilities map[string]int
	Officers     int
	// Roster is the named officers of the officers file (OfficerList); empty for the
	// count form, whose Officers anonymous officers hold every qualification. When set,
	// Officers is its length.
	Roster []Officer `json:",omitempty"`
	// Leave is the officers' leave, by officer then start (DESIGN.md §5 leave file).
	Leave                []Leave `json:",omitempty"`
	PostBlockMinutes     int
	ReleaseBeforeMinutes int
	H3Resolution         int
	SpeedsKmh            map[Mode]float64
	Circuity             float64
	Profiles             Profiles
	Randomization        Randomization
}

// Randomization is a region's randomization policy (DESIGN.md §3, force YAML
// randomization): every mission without a post is planned at least VisitsPerMaxGap visits
// per max gap on top of its profile minimum; 0 turns the floors off.
type Randomization struct {
	VisitsPerMaxGap float64
}

// Force defaults (DESIGN.md §2, §5).
const (
	DefaultPostBlockMinutes     = 120
	DefaultReleaseBeforeMinutes = 60
	DefaultH3Resolution         = 8
	MaxH3Resolution             = 10
	DefaultCircuity             = 1.35
	DefaultVehicleKmh           = 25.0
	DefaultFootKmh              = 4.5
)

// NewRegionForce returns a force for region with every optional key at its default.
func NewRegionForce(region string) RegionForce {
	return RegionForce{
		Region:               region,
		Shifts:               DefaultShifts(),
		Units:                map[Mode]int{Vehicle: 0, Foot: 0},
		Crew:                 map[Mode]int{Vehicle: 1, Foot: 2},
		Capabilities:         map[string]int{},
		PostBlockMinutes:     DefaultPostBlockMinutes,
		ReleaseBeforeMinutes: DefaultReleaseBeforeMinutes,
		H3Resolution:         DefaultH3Resolution,
		SpeedsKmh:            map[Mode]float64{Vehicle: DefaultVehicleKmh, Foot: DefaultFootKmh},
		Circuity:             DefaultCircuity,
		Profiles:             DefaultProfiles(),
		Randomization:        Randomization{VisitsPerMaxGap: DefaultVisitsPerMaxGap},
	}
}

// Force is the force file: one RegionForce per region id.
type Force struct {
	Regions map[string]*RegionForce
}

// Inputs is everything the planner needs for one region: the office, its missions
// (sorted by id) and its force.
type Inputs struct {
	Office   Office
	Missions []Mission
	Force    RegionForce
}

// Change is one change made during a service day (DESIGN.md §3): a mission's threat level
// set from At (until Until for a temporary raise), a unit out of service from At, or the
// region's force replaced from At.
type Change struct {
	At time.Time
	// Mission and Threat set a mission's threat level from At.
	Mission string
	Threat  int
	// Until, when set, ends a temporary threat change: from Until the earlier level applies.
	Until *time.Time
	// Unit, when set, takes the unit out of service from At.
	Unit string
	// Force, when set, is the region's force from At (units added or removed, officers,
	// capabilities): the day is re-planned from At with its units and zones. It may not
	// change the shifts, profiles, crews, speeds, circuity or post blocks.
	Force *RegionForce `json:",omitempty"`
	// ForceBefore is the force in effect before a force change. The planner does not read
	// it: the service keeps it so a day can be planned from its start with the force it
	// started with.
	ForceBefore *RegionForce `json:",omitempty"`
	// Edit, when set, names a mission whose record was edited, created or deleted at At
	// (name, place, posts…). Nothing before At moves; the rest of the day is drawn again
	// under the new inputs version with the mission as After leaves it (moved: at its new
	// place; created: visited from At, its first presence within its max gap of At) or, with
	// Deleted, without it (no visit from At). An Edit with neither only re-draws the day.
	Edit string `json:",omitempty"`
	// After is the mission's fields from At, for an Edit that changed or created it. Its
	// threat level is read for a created mission only: an existing one keeps its history.
	After *Mission `json:",omitempty"`
	// Deleted is set for an Edit that deleted the mission at At.
	Deleted bool `json:",omitempty"`
	// Officer, when set, calls the officer off from At (a call-off: unavailable from then,
	// for Reason); the planner replays the day without it and ApplyCallOffs hands the
	// officer's positions to replacements.
	Officer string `json:",omitempty"`
	Reason  string `json:",omitempty"`
	// Removed is the mission as the day started with it, for an Edit that deleted it. The
	// planner does not read it: the service keeps it so the day can still be planned with
	// the missions it started with.
	Removed *Mission `json:",omitempty"`
}
