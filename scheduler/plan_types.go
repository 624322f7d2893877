package scheduler

import "time"

// PlanSchema is the schema name of plan JSON (DESIGN.md §5).
const PlanSchema = "vigil.plan/v1"

// Plan is one region's plan for one or more consecutive service days, in the exact shape
// of the vigil.plan/v1 JSON. Times are in the region's location, to the minute.
type Plan struct {
	Schema      string        `json:"schema"`
	Region      string        `json:"region"`
	Timezone    string        `json:"timezone"`
	From        string        `json:"from"`
	Days        int           `json:"days"`
	Policy      Policy        `json:"policy"`
	Missions    []PlanMission `json:"missions"`
	Zones       []PlanZone    `json:"zones"`
	ServiceDays []ServiceDay  `json:"service_days"`
}

// Policy is the randomization policy in effect for a plan (DESIGN.md §3 and §5): the
// floor the planner kept, which is the force's randomization.visits_per_max_gap or, where
// the force cannot afford it, the largest value that fits.
type Policy struct {
	VisitsPerMaxGap float64 `json:"visits_per_max_gap"`
}

// PlanMission is a mission with the rules the plan applied to it.
type PlanMission struct {
	ID            string  `json:"id"`
	Name          string  `json:"name"`
	Lat           float64 `json:"lat"`
	Lon           float64 `json:"lon"`
	Threat        int     `json:"threat"`
	Value         float64 `json:"value"`
	VisitsPerDay  int     `json:"visits_per_day"`
	MaxGapMinutes int     `json:"max_gap_minutes"`
	FixedPosts    int     `json:"fixed_posts"`
	Zone          string  `json:"zone"`
}

// PlanZone is a patrol zone: its H3 cells (sorted) and missions (sorted).
type PlanZone struct {
	ID       string   `json:"id"`
	Cells    []string `json:"cells"`
	Missions []string `json:"missions"`
}

// ServiceDay is the plan of one service day.
type ServiceDay struct {
	Date     string    `json:"date"`
	Version  string    `json:"version"`
	Revision int       `json:"revision"`
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	Routes   []Route   `json:"routes"`
	Posts    []Post    `json:"posts"`
}

// Route is one unit's visits in one shift.
type Route struct {
	Unit      string    `json:"unit"`
	Mode      Mode      `json:"mode"`
	Shift     string    `json:"shift"`
	Zone      string    `json:"zone"`
	Officers  []string  `json:"officers"`
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	DistanceM int       `json:"distance_m"`
	Visits    []Visit   `json:"visits"`
	// Reliefs are crew changes during the route after a call-off: Officers is the crew
	// at the start; from each relief's At, On stands in for Off. Empty for most routes.
	Reliefs []Relief `json:"reliefs,omitempty"`
}

// Relief is one crew member relieved during a route: On takes Off's place from At.
type Relief struct {
	At  time.Time `json:"at"`
	Off string    `json:"off"`
	On  string    `json:"on"`
}

// Visit is a unit at a mission from Arrive to Depart.
type Visit struct {
	Mission string    `json:"mission"`
	Arrive  time.Time `json:"arrive"`
	Depart  time.Time `json:"depart"`
}

// Post is one fixed post of a mission, e.g. "emb-il/1", staffed around the clock.
type Post struct {
	Post    string  `json:"post"`
	Mission string  `json:"mission"`
	Blocks  []Block `json:"blocks"`
}

// Block is one officer standing a post from Start to End.
type Block struct {
	Officer string    `json:"officer"`
	Start   time.Time `json:"start"`
	End     time.Time `json:"end"`
}
