package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"slices"
	"sort"
	"time"

	"github.com/labstack/echo/v4"

	"vigil/geo"
	"vigil/scheduler"
)

// Check-in rules (DESIGN.md §2).
const (
	// CheckInWindow is how far a check-in may be from its visit's planned arrival, and
	// how long after the arrival a visit without a verified check-in becomes missed.
	CheckInWindow = 15 * time.Minute
	// CheckInResolution and CheckInRing define the accepted area: the H3 disk of this
	// radius around the mission's cell at this resolution.
	CheckInResolution = 10
	CheckInRing       = 1
)

// Reasons a check-in is flagged.
const (
	ReasonNotOnDuty      = "not_on_duty"
	ReasonUnknownMission = "unknown_mission"
	ReasonNoPlannedVisit = "no_planned_visit"
	ReasonTooEarly       = "too_early"
	ReasonTooLate        = "too_late"
	ReasonOutsideArea    = "outside_area"
)

// checkInIn is the body of POST /v1/checkins.
type checkInIn struct {
	Mission    string     `json:"mission"`
	Lat        *float64   `json:"lat"`
	Lon        *float64   `json:"lon"`
	ClientTime *time.Time `json:"client_time"`
}

// checkIn records an officer's check-in: verified or flagged, always stored before it is
// acknowledged (a store that cannot take it answers 503).
func (s *Server) checkIn(c echo.Context) error {
	ctx := c.Request().Context()
	cl := claimsOf(c)
	var in checkInIn
	if err := decode(c, &in); err != nil {
		return err
	}
	if !scheduler.IDPattern.MatchString(in.Mission) {
		return invalid("mission %q: want a mission id (%s)", in.Mission, scheduler.IDPattern)
	}
	if ct := in.ClientTime; ct != nil && (ct.Sub(s.now()) > DateWindow*24*time.Hour || s.now().Sub(*ct) > DateWindow*24*time.Hour) {
		return invalid("client_time %s is more than %d days from the server's clock", ct.Format(time.RFC3339), DateWindow)
	}
	if in.Lat == nil || in.Lon == nil {
		return invalid("lat and lon are required")
	}
	if err := validPlace(*in.Lat, *in.Lon); err != nil {
		return err
	}
	now := s.now()
	region := OfficerRegion(cl.Officer)
	o, f, err := s.region(ctx, region)
	if err != nil {
		return err
	}
	d := scheduler.ServiceDateOf(now, f.Shifts, o.Location)
	var id [12]byte
	if _, err := rand.Read(id[:]); err != nil {
		return err
	}
	ci := scheduler.CheckIn{ID: hex.EncodeToString(id[:]), Region: region, Date: d.String(), Officer: cl.Officer,
		Mission: in.Mission, Lat: *in.Lat, Lon: *in.Lon, At: now.UTC(), ClientTime: in.ClientTime}
	if err := s.verify(ctx, &ci, o, f, d); err != nil {
		return err
	}
	if err := s.store.AddCheckIn(ctx, ci); err != nil {
		return &Error{Kind: KindUnavailable, Msg: "the check-in was not stored; send it again", Err: err}
	}
	if !ci.Verified {
		s.publish(ctx, region, EventCheckInFlagged, []string{cl.Officer}, ci)
	}
	return c.JSON(http.StatusCreated, ci)
}

// verify fills in whether the check-in is verified and, if not, why: the officer must be
// on a route now, its unit must have a planned visit at the mission arriving within
// CheckInWindow of now, and the point must lie in the mission's H3 disk.
func (s *Server) verify(ctx context.Context, ci *scheduler.CheckIn, o scheduler.Office, f scheduler.RegionForce, d scheduler.Date) error {
	now := ci.At
	days := []scheduler.Date{d}
	if start, _ := scheduler.ServiceDayBounds(d, f.Shifts, o.Location); now.Sub(start) < CheckInWindow {
		days = append(days, d.AddDays(-1)) // a visit of the day before may still be in its window
	}
	var best *scheduler.Visit
	var bestUnit string
	onDuty := false
	for _, day := range days {
		sd, err := s.serviceDay(ctx, ci.Region, day)
		if err != nil {
			return err
		}
		for _, r := range sd.Routes {
			if !slices.Contains(r.Officers, ci.Officer) || now.Before(r.Start.Add(-CheckInWindow)) || !now.Before(r.End.Add(CheckInWindow)) {
				continue
			}
			onDuty = true
			for i, v := range r.Visits {
				if v.Mission == ci.Mission && (best == nil || absDur(v.Arrive.Sub(now)) < absDur(best.Arrive.Sub(now))) {
					best, bestUnit = &r.Visits[i], r.Unit
				}
			}
			if ci.Unit == "" {
				ci.Unit = r.Unit
			}
		}
	}
	if best != nil {
		arrive := best.Arrive.UTC()
		ci.Planned, ci.Unit, ci.Dwell = &arrive, bestUnit, int(best.Depart.Sub(best.Arrive)/time.Minute)
	}
	rec, err := s.store.Mission(ctx, ci.Mission)
	switch {
	case errors.Is(err, scheduler.ErrNotFound) || (err == nil && rec.Mission.Region != ci.Region):
		ci.Reason = ReasonUnknownMission
		return nil
	case err != nil:
		return err
	case !onDuty:
		ci.Reason = ReasonNotOnDuty
		return nil
	case best == nil:
		ci.Reason = ReasonNoPlannedVisit
		return nil
	case now.Before(best.Arrive.Add(-CheckInWindow)):
		ci.Reason = ReasonTooEarly
		return nil
	case now.After(best.Arrive.Add(CheckInWindow)):
		ci.Reason = ReasonTooLate
		return nil
	}
	if !inCheckInArea(scheduler.MissionPoint(rec.Mission), geo.Point{Lat: ci.Lat, Lon: ci.Lon}) {
		ci.Reason = ReasonOutsideArea
		return nil
	}
	ci.Verified = true
	return nil
}

// inCheckInArea reports whether p lies in the resolution-10 H3 disk of radius 1 around
// the mission's cell.
func inCheckInArea(mission, p geo.Point) bool {
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

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// visitStatus is one planned visit against the check-ins.
type visitStatus struct {
	Unit        string     `json:"unit"`
	Officers    []string   `json:"officers"`
	Mission     string     `json:"mission"`
	MissionName string     `json:"mission_name"`
	Arrive      time.Time  `json:"arrive"`
	Depart      time.Time  `json:"depart"`
	Status      string     `json:"status"` // done, missed or pending
	CheckedInAt *time.Time `json:"checked_in_at,omitempty"`
}

// missionCompliance is one mission's realized presences.
type missionCompliance struct {
	Mission        string     `json:"mission"`
	Name           string     `json:"name"`
	VisitsPerDay   int        `json:"visits_per_day"`
	MaxGapMinutes  int        `json:"max_gap_minutes"`
	Planned        int        `json:"planned"`
	Realized       int        `json:"realized"`
	LongestGapMin  float64    `json:"longest_gap_minutes"`
	Presences      []interval `json:"presences"`
	MinimumReached bool       `json:"minimum_reached"`
	GapKept        bool       `json:"gap_kept"`
}

type interval struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// complianceOut is GET /v1/plans/{region}/{date}/compliance.
type complianceOut struct {
	Region   string    `json:"region"`
	Date     string    `json:"date"`
	Revision int       `json:"revision"`
	AsOf     time.Time `json:"as_of"`
	Figures  struct {
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
	} `json:"figures"`
	Missed   []visitStatus       `json:"missed"`
	Visits   []visitStatus       `json:"visits"`
	Missions []missionCompliance `json:"missions"`
}

// compliance computes planned against done for a region's service day as of now.
func (s *Server) complianceReport(ctx context.Context, region string, d scheduler.Date) (complianceOut, error) {
	now := s.now()
	p, err := s.dayPlan(ctx, region, d)
	if err != nil {
		return complianceOut{}, err
	}
	sd := p.ServiceDays[0]
	cis, err := s.store.CheckIns(ctx, region, d)
	if err != nil {
		return complianceOut{}, err
	}
	out := complianceOut{Region: region, Date: d.String(), Revision: sd.Revision, AsOf: now.UTC(),
		Missed: []visitStatus{}, Visits: []visitStatus{}, Missions: []missionCompliance{}}
	out.Figures.Flagged = map[string]int{}
	done := map[visitKey]time.Time{}
	pres := map[string][]interval{}
	for _, ci := range cis {
		out.Figures.CheckIns++
		if !ci.Verified {
			out.Figures.Flagged[ci.Reason]++
			continue
		}
		out.Figures.Verified++
		if ci.Planned != nil {
			k := visitKey{ci.Unit, ci.Mission, ci.Planned.Unix()}
			if _, ok := done[k]; !ok {
				done[k] = ci.At
			}
		}
		pres[ci.Mission] = append(pres[ci.Mission], interval{ci.At, ci.At.Add(time.Duration(ci.Dwell) * time.Minute)})
	}
	names := map[string]string{}
	for _, m := range p.Missions {
		names[m.ID] = m.Name
	}
	planned := map[string]int{}
	for _, r := range sd.Routes {
		for _, v := range r.Visits {
			vs := visitStatus{Unit: r.Unit, Officers: r.Officers, Mission: v.Mission, MissionName: names[v.Mission], Arrive: v.Arrive, Depart: v.Depart}
			planned[v.Mission]++
			out.Figures.Planned++
			due := !now.Before(v.Arrive.Add(CheckInWindow))
			if due {
				out.Figures.Due++
			}
			if at, ok := done[visitKey{r.Unit, v.Mission, v.Arrive.Unix()}]; ok {
				at := at
				vs.Status, vs.CheckedInAt = "done", &at
				out.Figures.Done++
			} else if due {
				vs.Status = "missed"
				out.Figures.Missed++
				out.Missed = append(out.Missed, vs)
			} else {
				vs.Status = "pending"
				out.Figures.Pending++
			}
			out.Visits = append(out.Visits, vs)
		}
	}
	sort.Slice(out.Visits, func(i, j int) bool { return out.Visits[i].Arrive.Before(out.Visits[j].Arrive) })
	sort.Slice(out.Missed, func(i, j int) bool { return out.Missed[i].Arrive.Before(out.Missed[j].Arrive) })
	out.Figures.VisitRate = 1
	if out.Figures.Due > 0 {
		out.Figures.VisitRate = float64(out.Figures.Done) / float64(out.Figures.Due)
	}
	compliant := 0
	for _, m := range p.Missions {
		ivs := mergeIntervals(pres[m.ID])
		mc := missionCompliance{Mission: m.ID, Name: m.Name, VisitsPerDay: m.VisitsPerDay, MaxGapMinutes: m.MaxGapMinutes,
			Planned: planned[m.ID], Realized: len(ivs), Presences: ivs, GapKept: true}
		for i := 1; i < len(ivs); i++ {
			mc.LongestGapMin = max(mc.LongestGapMin, ivs[i].Start.Sub(ivs[i-1].End).Minutes())
		}
		mc.GapKept = m.MaxGapMinutes <= 0 || mc.LongestGapMin <= float64(m.MaxGapMinutes)
		mc.MinimumReached = mc.Realized >= m.VisitsPerDay
		if mc.GapKept && mc.MinimumReached {
			compliant++
		}
		out.Missions = append(out.Missions, mc)
	}
	if len(p.Missions) > 0 {
		out.Figures.MissionsCompliant = float64(compliant) / float64(len(p.Missions))
	}
	return out, nil
}

// mergeIntervals sorts presences and merges overlapping or touching ones: they count as
// one presence (DESIGN.md §2).
func mergeIntervals(ivs []interval) []interval {
	sort.Slice(ivs, func(i, j int) bool { return ivs[i].Start.Before(ivs[j].Start) })
	out := []interval{}
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

func (s *Server) getCompliance(c echo.Context) error {
	region, d, _, err := s.planDay(c)
	if err != nil {
		return err
	}
	out, err := s.complianceReport(c.Request().Context(), region, d)
	if err != nil {
		return err
	}
	if err := s.audit(c, "read-compliance", region); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}
