package scheduler

import (
	"fmt"
	"sort"
)

// PlanOptions says which service days PlanDays plans and with which key.
type PlanOptions struct {
	Key  []byte // the plan key (PlanKey of the master key)
	From Date   // the first service date
	Days int    // how many consecutive service days (at least 1)
	// Progress, when set, is called after each planned day with the days done and the total.
	Progress func(done, total int)
}

// PlanDays plans opt.Days consecutive service days of one region from opt.From, each
// planned on its own as a pure function of (key, region, date, inputs version)
// (DESIGN.md §3), so day D of a run equals PlanDays with From = D and Days = 1. Every day
// is checked with Verify before it is returned: a plan that breaks a hard rule is an
// error, never output. A force too small for the minimums, or a mission no unit can
// keep within its max gap, is an *InfeasibleError.
func PlanDays(in Inputs, opt PlanOptions) (*Plan, error) {
	if opt.Days < 1 {
		return nil, fmt.Errorf("plan: days %d: want at least 1", opt.Days)
	}
	if in.Office.Location == nil {
		return nil, fmt.Errorf("plan: region %s has no time zone", regionOf(in))
	}
	zs, err := newZonings(in)
	if err != nil {
		return nil, err
	}
	p := newPlan(in, zs.base, opt.From, opt.Days)
	for i := 0; i < opt.Days; i++ {
		sd, err := planDay(in, opt.Key, opt.From.AddDays(i), zs, nil, nil)
		if err != nil {
			return nil, err
		}
		p.ServiceDays = append(p.ServiceDays, sd)
		if opt.Progress != nil {
			opt.Progress(i+1, opt.Days)
		}
	}
	if vs := Verify(in, p); len(vs) > 0 {
		return nil, violationsError(regionOf(in), vs)
	}
	return p, nil
}

// regionFloor returns the randomization floor a region's plan declares (DESIGN.md §3, §5
// policy): the policy's k, or, where a zone's units cannot afford it, the largest floor
// every zone affords (allocate's K) on its zoning, for a 24-hour day at Utilisation with
// the zone's estimated travel. It is a pure function of the inputs, so the CLI and the
// service declare the same floor for the same days; a day whose dispatch falls short of
// it is what §4.4's delivery check (BelowFloor) reports.
func regionFloor(in Inputs, zn *zoning) float64 {
	k := max(in.Force.Randomization.VisitsPerMaxGap, 0)
	if k == 0 || zn == nil {
		return k
	}
	prof := func(mi int) Profile { return in.Force.Profiles[in.Missions[mi].Threat] }
	for zi := range zn.Zones {
		if len(zn.Missions[zi]) == 0 || len(zn.Units[zi]) == 0 {
			continue
		}
		var measured map[Mode]float64
		if zn.Travel != nil {
			measured = zn.Travel[zi]
		}
		al, err := allocate(in, zn.Zones[zi].ID, zn.Missions[zi], zn.Units[zi], prof, checkDayMinutes, Utilisation, TravelModel(in.Force), measured)
		if err != nil {
			return 0 // not even the minimums fit: no floor
		}
		k = min(k, al.K)
	}
	return k
}

// PlanServiceDay plans one service day with the changes made during it so far (ordered by
// time): the day as first planned, then re-planned at each change in turn (Replan), so the
// result has revision len(changes) and is the same on every replica.
func PlanServiceDay(in Inputs, key []byte, d Date, changes []Change) (ServiceDay, error) {
	if in.Office.Location == nil {
		return ServiceDay{}, fmt.Errorf("plan: region %s has no time zone", regionOf(in))
	}
	zs, err := newZonings(in)
	if err != nil {
		return ServiceDay{}, err
	}
	sd, err := planDay(in, key, d, zs, nil, nil)
	if err != nil {
		return ServiceDay{}, err
	}
	for i := range changes {
		if sd, err = planDay(in, key, d, zs, changes[:i+1], &sd); err != nil {
			return ServiceDay{}, err
		}
	}
	if vs := verifyDay(in, sd, changes); len(vs) > 0 {
		return ServiceDay{}, violationsError(regionOf(in), vs)
	}
	return sd, nil
}

// NewPlan wraps service days in the vigil.plan/v1 envelope of a region: its missions with
// the rules applied to them and its zones.
func NewPlan(in Inputs, from Date, days []ServiceDay) (*Plan, error) {
	zn, err := makeZoning(in)
	if err != nil {
		return nil, err
	}
	p := newPlan(in, zn, from, len(days))
	p.ServiceDays = append(p.ServiceDays, days...)
	return p, nil
}

func newPlan(in Inputs, zn *zoning, from Date, days int) *Plan {
	p := &Plan{
		Schema:      PlanSchema,
		Region:      regionOf(in),
		Timezone:    in.Office.Location.String(),
		From:        from.String(),
		Days:        days,
		Policy:      Policy{VisitsPerMaxGap: regionFloor(in, zn)},
		Missions:    make([]PlanMission, len(in.Missions)),
		Zones:       make([]PlanZone, len(zn.Zones)),
		ServiceDays: make([]ServiceDay, 0, days),
	}
	if in.Office.TZ != "" {
		p.Timezone = in.Office.TZ
	}
	for i, m := range in.Missions {
		pr := in.Force.Profiles[m.Threat]
		p.Missions[i] = PlanMission{
			ID: m.ID, Name: m.Name, Lat: m.Lat, Lon: m.Lon, Threat: m.Threat, Value: pr.Value,
			VisitsPerDay: pr.VisitsPerDay, MaxGapMinutes: pr.MaxGapMinutes,
			FixedPosts: m.Posts(in.Force.Profiles), Zone: zn.Zones[zn.ZoneOf[i]].ID,
		}
	}
	sort.Slice(p.Missions, func(a, b int) bool { return p.Missions[a].ID < p.Missions[b].ID })
	for i, z := range zn.Zones {
		p.Zones[i] = PlanZone{ID: z.ID, Cells: append([]string{}, z.Cells...), Missions: append([]string{}, z.Sites...)}
	}
	return p
}

// violationsError turns Verify's findings into one error naming the first few.
func violationsError(region string, vs []Violation) error {
	const show = 3
	msg := ""
	for i, v := range vs {
		if i == show {
			msg += fmt.Sprintf("; and %d more", len(vs)-show)
			break
		}
		if i > 0 {
			msg += "; "
		}
		msg += v.String()
	}
	return &InfeasibleError{Region: region, Missing: "the plan breaks a hard rule: " + msg}
}
