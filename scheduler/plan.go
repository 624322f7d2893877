package scheduler

import (
	"fmt"
	"math"
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
		sd, k, err := planDay(in, opt.Key, opt.From.AddDays(i), zs, nil, nil)
		if err != nil {
			return nil, err
		}
		_ = k
		p.ServiceDays = append(p.ServiceDays, sd)
		if opt.Progress != nil {
			opt.Progress(i+1, opt.Days)
		}
	}
	if vs := Verify(in, p); len(vs) > 0 {
		return nil, violationsError(regionOf(in), vs)
	}
	p.Policy.VisitsPerMaxGap = deliveredFloor(p, p.Policy.VisitsPerMaxGap)
	return p, nil
}

// deliveredFloor returns the randomization floor a plan declares (DESIGN.md §3, §5
// policy): the region's policy k, or, where some mission without a staffed post got
// fewer visits over the plan's days than floorShare of k's floor, the largest floor every
// such mission got, to a hundredth of a visit per max gap. A plan declares the floor it
// delivers, whatever lowered it (a short force, a day re-dispatched nearer the minimums).
func deliveredFloor(p *Plan, k float64) float64 {
	if k <= 0 || len(p.ServiceDays) == 0 {
		return max(k, 0)
	}
	period := p.ServiceDays[len(p.ServiceDays)-1].End.Sub(p.ServiceDays[0].Start).Minutes()
	staffed := Staffed(p)
	pres := Presences(p)
	for _, m := range p.Missions {
		if staffed[m.ID] || m.MaxGapMinutes <= 0 {
			continue
		}
		got := float64(len(pres[m.ID])) * float64(m.MaxGapMinutes) / period / floorShare
		k = min(k, math.Floor(got*floorSteps)/floorSteps)
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
	sd, _, err := planDay(in, key, d, zs, nil, nil)
	if err != nil {
		return ServiceDay{}, err
	}
	for i := range changes {
		if sd, _, err = planDay(in, key, d, zs, changes[:i+1], &sd); err != nil {
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
	p.Policy.VisitsPerMaxGap = deliveredFloor(p, p.Policy.VisitsPerMaxGap)
	return p, nil
}

func newPlan(in Inputs, zn *zoning, from Date, days int) *Plan {
	p := &Plan{
		Schema:      PlanSchema,
		Region:      regionOf(in),
		Timezone:    in.Office.Location.String(),
		From:        from.String(),
		Days:        days,
		Policy:      Policy{VisitsPerMaxGap: in.Force.Randomization.VisitsPerMaxGap},
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
