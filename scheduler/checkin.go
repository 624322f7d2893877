package scheduler

import (
	"slices"
	"sort"
	"time"

	"vigil/geo"
)

// Check-in rules (DESIGN.md §2).
const (
	// CheckInWindow is how far a check-in may be from its visit's planned arrival, and
	// how long after the arrival a visit without a verified check-in becomes missed.
	CheckInWindow = 15 * time.Minute
	// LateDeliveryAfter is how long after its client time a check-in may reach the server
	// and still count as sent at once: longer than a phone's clock drift and a slow
	// request, far shorter than the check-in window.
	LateDeliveryAfter = 2 * time.Minute
	// CheckInResolution and CheckInRing define the accepted area: the H3 disk of this
	// radius around the mission's cell at this resolution.
	CheckInResolution = 10
	CheckInRing       = 1
)

// Reasons a check-in is flagged (CheckIn.Reason).
const (
	ReasonNotOnDuty      = "not_on_duty"
	ReasonUnknownMission = "unknown_mission"
	ReasonNoPlannedVisit = "no_planned_visit"
	ReasonTooEarly       = "too_early"
	ReasonTooLate        = "too_late"
	ReasonOutsideArea    = "outside_area"
)

// CheckInDays returns the service days whose routes a check-in at t on service date d may
// match, in the order to consult them: d and, in the first CheckInWindow of d, the day
// before, whose last visits may still be in their window.
func CheckInDays(d Date, t time.Time, shifts []Shift, loc *time.Location) []Date {
	days := []Date{d}
	if start, _ := ServiceDayBounds(d, shifts, loc); t.Sub(start) < CheckInWindow {
		days = append(days, d.AddDays(-1))
	}
	return days
}

// VerifyCheckIn fills in whether ci is verified and, if not, why (ci.Reason), and the
// unit, planned arrival and dwell of the visit it matched. routes are the routes of the
// days CheckInDays names, in that order; mission is ci's mission, nil when the region has
// no such mission. The officer must be on a route at ci.At (within CheckInWindow of its
// shift), the route must have a visit at the mission arriving within CheckInWindow of
// ci.At (the closest one counts), and the point must lie in the mission's H3 disk.
func VerifyCheckIn(ci *CheckIn, routes []Route, mission *Mission) {
	now := ci.At
	var best *Visit
	var bestUnit string
	onDuty := false
	for _, r := range routes {
		if !slices.Contains(r.Officers, ci.Officer) || now.Before(r.Start.Add(-CheckInWindow)) || !now.Before(r.End.Add(CheckInWindow)) {
			continue
		}
		onDuty = true
		for i, v := range r.Visits {
			if v.Mission == ci.Mission && (best == nil || v.Arrive.Sub(now).Abs() < best.Arrive.Sub(now).Abs()) {
				best, bestUnit = &r.Visits[i], r.Unit
			}
		}
		if ci.Unit == "" {
			ci.Unit = r.Unit
		}
	}
	if best != nil {
		arrive := best.Arrive.UTC()
		ci.Planned, ci.Unit, ci.Dwell = &arrive, bestUnit, int(best.Depart.Sub(best.Arrive)/time.Minute)
	}
	switch {
	case mission == nil:
		ci.Reason = ReasonUnknownMission
	case !onDuty:
		ci.Reason = ReasonNotOnDuty
	case best == nil:
		ci.Reason = ReasonNoPlannedVisit
	case now.Before(best.Arrive.Add(-CheckInWindow)):
		ci.Reason = ReasonTooEarly
	case now.After(best.Arrive.Add(CheckInWindow)):
		ci.Reason = ReasonTooLate
	case !InCheckInArea(MissionPoint(*mission), geo.Point{Lat: ci.Lat, Lon: ci.Lon}):
		ci.Reason = ReasonOutsideArea
	default:
		ci.Verified = true
	}
}

// InCheckInArea reports whether p lies in the CheckInResolution H3 disk of radius
// CheckInRing around the mission's cell.
func InCheckInArea(mission, p geo.Point) bool {
	mc, err := geo.CellOf(mission, CheckInResolution)
	if err != nil {
		return false
	}
	pc, err := geo.CellOf(p, CheckInResolution)
	if err != nil {
		return false
	}
	return slices.Contains(mc.GridDisk(CheckInRing), pc)
}

// Visit statuses in a compliance report.
const (
	VisitDone    = "done"
	VisitMissed  = "missed"
	VisitPending = "pending"
)

// VisitStatus is one planned visit against the check-ins.
type VisitStatus struct {
	Unit        string     `json:"unit"`
	Officers    []string   `json:"officers"`
	Mission     string     `json:"mission"`
	MissionName string     `json:"mission_name"`
	Arrive      time.Time  `json:"arrive"`
	Depart      time.Time  `json:"depart"`
	Status      string     `json:"status"` // VisitDone, VisitMissed or VisitPending
	CheckedInAt *time.Time `json:"checked_in_at,omitempty"`
}

// MissionCompliance is one mission's realized presences.
type MissionCompliance struct {
	Mission        string     `json:"mission"`
	Name           string     `json:"name"`
	VisitsPerDay   int        `json:"visits_per_day"`
	MaxGapMinutes  int        `json:"max_gap_minutes"`
	Planned        int        `json:"planned"`
	Realized       int        `json:"realized"`
	LongestGapMin  float64    `json:"longest_gap_minutes"`
	Presences      []Presence `json:"presences"`
	MinimumReached bool       `json:"minimum_reached"`
	GapKept        bool       `json:"gap_kept"`
}

// Presence is a span of time an officer was at a mission: from a verified check-in for
// the matched visit's planned dwell.
type Presence struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// ComplianceFigures are a compliance report's totals.
type ComplianceFigures struct {
	Planned int `json:"planned_visits"`
	Due     int `json:"due_visits"` // planned arrival at least CheckInWindow ago
	Done    int `json:"done_visits"`
	Missed  int `json:"missed_visits"`
	Pending int `json:"pending_visits"`
	// VisitRate is done over due (1 when none is due yet).
	VisitRate float64        `json:"visit_rate"`
	CheckIns  int            `json:"checkins"`
	Verified  int            `json:"verified_checkins"`
	Flagged   map[string]int `json:"flagged_checkins"`
	// MissionsCompliant is the share of missions whose realized presences so far
	// reach visits_per_day with no gap over max_gap_minutes (§4.1 on what happened).
	MissionsCompliant float64 `json:"missions_compliant"`
}

// ComplianceReport is planned against done for a region's service day
// (GET /v1/plans/{region}/{date}/compliance).
type ComplianceReport struct {
	Region   string              `json:"region"`
	Date     string              `json:"date"`
	Revision int                 `json:"revision"`
	AsOf     time.Time           `json:"as_of"`
	Figures  ComplianceFigures   `json:"figures"`
	Missed   []VisitStatus       `json:"missed"`
	Visits   []VisitStatus       `json:"visits"`
	Missions []MissionCompliance `json:"missions"`
}

// plannedVisit identifies a planned visit: unit, mission and arrival.
type plannedVisit struct {
	unit, mission string
	arrive        int64 // Unix seconds
}

// Compliance computes planned against done as of now for the one-day plan p of a region's
// service date d, from the day's check-ins: a visit is done when a verified check-in
// matched it, missed when CheckInWindow has passed since its arrival without one, pending
// before that.
func Compliance(region string, d Date, p *Plan, cis []CheckIn, now time.Time) ComplianceReport {
	sd := p.ServiceDays[0]
	out := ComplianceReport{Region: region, Date: d.String(), Revision: sd.Revision, AsOf: now.UTC(),
		Missed: []VisitStatus{}, Visits: []VisitStatus{}, Missions: []MissionCompliance{}}
	out.Figures.Flagged = map[string]int{}
	done, pres := tallyCheckIns(&out.Figures, cis)
	planned := visitStatuses(&out, p, sd, done, now)
	compliant := 0
	for _, m := range p.Missions {
		mc := missionCompliance(m, planned[m.ID], MergePresences(pres[m.ID]))
		if mc.GapKept && mc.MinimumReached {
			compliant++
		}
		out.Missions = append(out.Missions, mc)
	}
	if len(p.Missions) > 0 {
		out.Figures.MissionsCompliant = float64(compliant) / float64(len(p.Missions))
	}
	return out
}

// tallyCheckIns counts the check-ins into fig and returns the first verified check-in of
// each matched visit and the presences by mission.
func tallyCheckIns(fig *ComplianceFigures, cis []CheckIn) (map[plannedVisit]time.Time, map[string][]Presence) {
	done := map[plannedVisit]time.Time{}
	pres := map[string][]Presence{}
	for _, ci := range cis {
		fig.CheckIns++
		if !ci.Verified {
			fig.Flagged[ci.Reason]++
			continue
		}
		fig.Verified++
		if ci.Planned != nil {
			k := plannedVisit{ci.Unit, ci.Mission, ci.Planned.Unix()}
			if _, ok := done[k]; !ok {
				done[k] = ci.At
			}
		}
		pres[ci.Mission] = append(pres[ci.Mission], Presence{ci.At, ci.At.Add(time.Duration(ci.Dwell) * time.Minute)})
	}
	return done, pres
}

// visitStatuses fills in out's visits, missed visits and visit figures, and returns the
// planned visits by mission.
func visitStatuses(out *ComplianceReport, p *Plan, sd ServiceDay, done map[plannedVisit]time.Time, now time.Time) map[string]int {
	names := map[string]string{}
	for _, m := range p.Missions {
		names[m.ID] = m.Name
	}
	planned := map[string]int{}
	fig := &out.Figures
	for _, r := range sd.Routes {
		for _, v := range r.Visits {
			vs := VisitStatus{Unit: r.Unit, Officers: r.Officers, Mission: v.Mission, MissionName: names[v.Mission], Arrive: v.Arrive, Depart: v.Depart}
			planned[v.Mission]++
			fig.Planned++
			due := !now.Before(v.Arrive.Add(CheckInWindow))
			if due {
				fig.Due++
			}
			if at, ok := done[plannedVisit{r.Unit, v.Mission, v.Arrive.Unix()}]; ok {
				vs.Status, vs.CheckedInAt = VisitDone, &at
				fig.Done++
			} else if due {
				vs.Status = VisitMissed
				fig.Missed++
				out.Missed = append(out.Missed, vs)
			} else {
				vs.Status = VisitPending
				fig.Pending++
			}
			out.Visits = append(out.Visits, vs)
		}
	}
	sort.Slice(out.Visits, func(i, j int) bool { return out.Visits[i].Arrive.Before(out.Visits[j].Arrive) })
	sort.Slice(out.Missed, func(i, j int) bool { return out.Missed[i].Arrive.Before(out.Missed[j].Arrive) })
	fig.VisitRate = 1
	if fig.Due > 0 {
		fig.VisitRate = float64(fig.Done) / float64(fig.Due)
	}
	return planned
}

// missionCompliance judges one mission's merged presences against its rules.
func missionCompliance(m PlanMission, planned int, ivs []Presence) MissionCompliance {
	mc := MissionCompliance{Mission: m.ID, Name: m.Name, VisitsPerDay: m.VisitsPerDay, MaxGapMinutes: m.MaxGapMinutes,
		Planned: planned, Realized: len(ivs), Presences: ivs}
	for i := 1; i < len(ivs); i++ {
		mc.LongestGapMin = max(mc.LongestGapMin, ivs[i].Start.Sub(ivs[i-1].End).Minutes())
	}
	mc.GapKept = m.MaxGapMinutes <= 0 || mc.LongestGapMin <= float64(m.MaxGapMinutes)
	mc.MinimumReached = mc.Realized >= m.VisitsPerDay
	return mc
}

// MergePresences sorts presences and merges overlapping or touching ones: they count as
// one presence (DESIGN.md §2). It never returns nil.
func MergePresences(ivs []Presence) []Presence {
	sort.Slice(ivs, func(i, j int) bool { return ivs[i].Start.Before(ivs[j].Start) })
	out := []Presence{}
	for _, iv := range ivs {
		if n := len(out); n > 0 && !iv.Start.After(out[n-1].End) {
			if iv.End.After(out[n-1].End) {
				out[n-1].End = iv.End
			}
			continue
		}
		out = append(out, iv)
	}
	return out
}

// IsLateDelivered reports whether a check-in received at at with the client's time
// clientTime (nil when not given) was sent more than LateDeliveryAfter after it was taken.
// The server's at stays the time of record; this only says the delivery was late.
func IsLateDelivered(clientTime *time.Time, at time.Time) bool {
	return clientTime != nil && at.Sub(*clientTime) > LateDeliveryAfter
}
