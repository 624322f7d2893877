package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/labstack/echo/v4"

	"vigil/scheduler"
)

// The mission routes: list, read, create, edit (with threat changes and their re-plans),
// delete, and contacts.

func (s *Server) listMissions(c echo.Context) error {
	ctx := c.Request().Context()
	cl := claimsOf(c)
	region, flag := c.QueryParam("region"), c.QueryParam("flag")
	if flag != "" && flag != "contacts" {
		return invalid("flag %q: want contacts", flag)
	}
	if cl.Role == RoleOfficer {
		if flag != "" {
			return forbidden("officers see only the missions of their released routes")
		}
		recs, err := s.officerMissions(ctx, cl)
		if err != nil {
			return err
		}
		out := []missionOut{}
		for _, r := range recs {
			out = append(out, missionView(r, cl, s.now()))
		}
		return c.JSON(http.StatusOK, map[string]any{"missions": out})
	}
	if region == "" {
		region = cl.regionScope()
	}
	if err := inRegion(cl, region); err != nil {
		return err
	}
	if _, ok := s.offices[region]; region != "" && !ok {
		return errorf(KindNotFound, "no region %q", region)
	}
	if flag == "contacts" && cl.Role == RolePlanner {
		return forbidden("planners do not see contacts")
	}
	recs, err := s.store.Missions(ctx, region)
	if err != nil {
		return err
	}
	out := []missionOut{}
	for _, r := range recs {
		if flag == "contacts" && len(r.Contacts) >= scheduler.MinContacts {
			continue
		}
		out = append(out, missionView(r, cl, s.now()))
	}
	return c.JSON(http.StatusOK, map[string]any{"missions": out})
}

// mission loads a mission and applies need to know: a reader limited to a region sees
// only its missions; an officer only those of their released routes.
func (s *Server) mission(c echo.Context, id string) (scheduler.MissionRecord, error) {
	ctx := c.Request().Context()
	cl := claimsOf(c)
	r, err := s.store.Mission(ctx, id)
	if err != nil {
		return r, err
	}
	if err := inRegion(cl, r.Mission.Region); err != nil {
		return r, err
	}
	if cl.Role == RoleOfficer {
		recs, err := s.officerMissions(ctx, cl)
		if err != nil {
			return r, err
		}
		if !slices.ContainsFunc(recs, func(x scheduler.MissionRecord) bool { return x.Mission.ID == r.Mission.ID }) {
			return r, forbidden("mission %s is not on a released route of %s", r.Mission.ID, cl.Officer)
		}
	}
	return r, nil
}

func (s *Server) getMission(c echo.Context) error {
	r, err := s.mission(c, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, missionView(r, claimsOf(c), s.now()))
}

func (s *Server) createMission(c echo.Context) error {
	ctx := c.Request().Context()
	cl := claimsOf(c)
	var in missionIn
	if err := decode(c, &in); err != nil {
		return err
	}
	if err := in.validate(); err != nil {
		return err
	}
	if err := inRegion(cl, in.Region); err != nil {
		return err
	}
	o, _, err := s.region(ctx, in.Region)
	if err != nil {
		return err
	}
	if err := nearOffice(o, in.Lat, in.Lon); err != nil {
		return err
	}
	m := scheduler.Mission{ID: in.ID, Name: in.Name, Kind: in.Kind, Country: in.Country, Address: in.Address, City: in.City,
		State: in.State, Lat: in.Lat, Lon: in.Lon, Threat: in.Threat, FixedPosts: in.FixedPosts, Region: in.Region}
	now := s.now().UTC()
	r := scheduler.NewMissionRecord(m, cl.actor(), now)
	r.Contacts = nonNil(in.Contacts)
	r.Created = &now
	if _, err := s.missionEdited(c, in.Region, m.ID, &m, nil, func() error { return s.store.CreateMission(ctx, r) }); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, missionView(r, cl, s.now()))
}

// patchMission edits a mission; a threat change is kept in its history and, in a live
// service day, re-plans the day from the change (DESIGN.md §3) and answers what changed.
func (s *Server) patchMission(c echo.Context) error {
	var p missionPatch
	if err := decode(c, &p); err != nil {
		return err
	}
	rec, sum, err := s.updateMission(c, c.Param("id"), p)
	if err != nil {
		return err
	}
	out := map[string]any{"mission": missionView(rec, claimsOf(c), s.now()), "replan": nil}
	if sum != nil {
		out["replan"] = sum
	}
	return c.JSON(http.StatusOK, out)
}

// updateMission applies a patch to a mission for the signed-in editor; a threat change in
// a live service day re-plans it, and the re-plan's summary is returned (nil otherwise).
// The dashboard's threat form calls it too.
func (s *Server) updateMission(c echo.Context, id string, p missionPatch) (scheduler.MissionRecord, *replanSummary, error) {
	ctx := c.Request().Context()
	cl := claimsOf(c)
	now := s.now()
	if err := p.validate(now); err != nil {
		return scheduler.MissionRecord{}, nil, err
	}
	cur, err := s.mission(c, id)
	if err != nil {
		return cur, nil, err
	}
	region := cur.Mission.Region
	o, f, err := s.region(ctx, region)
	if err != nil {
		return cur, nil, err
	}
	if p.Lat != nil {
		if err := nearOffice(o, *p.Lat, *p.Lon); err != nil {
			return cur, nil, err
		}
	}
	from := now.Truncate(time.Minute)
	if p.From != nil {
		from = *p.From
	}
	day := scheduler.ServiceDateOf(from, f.Shifts, o.Location)
	current := s.currentDate(o, f)
	if p.Threat != nil {
		if err := threatInReach(cl, current, day); err != nil {
			return cur, nil, err
		}
	}
	if p.Threat != nil && p.Until != nil {
		// The end of a temporary change is logged in its own day: that day must be in reach too.
		if err := threatInReach(cl, current, scheduler.ServiceDateOf(*p.Until, f.Shifts, o.Location)); err != nil {
			return cur, nil, err
		}
	}
	if p.Threat == nil {
		// An edit of the mission's fields: the days it started keep the mission as it was;
		// the current one is re-planned from now with the mission as the patch leaves it.
		after := cur
		after.Edits = slices.Clone(cur.Edits)
		p.apply(&after, cl.actor(), now, from)
		var rec scheduler.MissionRecord
		sum, err := s.missionEdited(c, region, cur.Mission.ID, &after.Mission, nil, func() error {
			var err error
			rec, err = s.store.UpdateMission(ctx, cur.Mission.ID, func(r *scheduler.MissionRecord) error {
				p.apply(r, cl.actor(), now, from)
				return nil
			})
			return err
		})
		return rec, sum, err
	}
	rec, err := s.store.UpdateMission(ctx, cur.Mission.ID, func(r *scheduler.MissionRecord) error {
		p.apply(r, cl.actor(), now, from)
		return nil
	})
	if err != nil {
		return rec, nil, err
	}
	live := !current.AddDays(1).Before(day)
	sum, err := s.applyChange(ctx, region, day, scheduler.Change{At: from, Mission: rec.Mission.ID, Threat: *p.Threat, Until: p.Until}, live)
	if err != nil {
		return rec, nil, err
	}
	s.announceReplan(ctx, region, day, f, EventThreatChanged, map[string]any{"mission": rec.Mission.ID, "by": cl.publicActor()}, sum)
	if p.Until != nil {
		// A temporary change that outlasts its day ends in a later day's log.
		if end := scheduler.ServiceDateOf(*p.Until, f.Shifts, o.Location); end != day {
			if _, err := s.applyChange(ctx, region, end, scheduler.Change{At: *p.Until, Mission: rec.Mission.ID, Threat: rec.ThreatAt(*p.Until)}, false); err != nil {
				return rec, nil, err
			}
		}
	}
	return rec, sum, nil
}

// apply writes the patch into a mission record; a threat change is added to its history.
func (p missionPatch) apply(r *scheduler.MissionRecord, actor string, now, from time.Time) {
	if p.editsFields() {
		r.Edits = append(r.Edits, scheduler.MissionEdit{Until: now.UTC(), Mission: r.Mission})
	}
	m := &r.Mission
	setString(&m.Name, p.Name)
	setString(&m.Kind, p.Kind)
	setString(&m.Country, p.Country)
	setString(&m.Address, p.Address)
	setString(&m.City, p.City)
	setString(&m.State, p.State)
	if p.Lat != nil {
		m.Lat, m.Lon = *p.Lat, *p.Lon
	}
	if p.FixedPosts != nil {
		n := *p.FixedPosts
		m.FixedPosts = &n
	}
	if p.Threat != nil {
		r.History = append(r.History, scheduler.ThreatChange{Threat: *p.Threat, SetBy: actor, SetAt: now.UTC(), From: from, Until: p.Until})
	}
}

func setString(dst *string, v *string) {
	if v != nil {
		*dst = *v
	}
}

// editsFields reports whether the patch changes any of the mission's own fields (its
// threat level has its own history).
func (p missionPatch) editsFields() bool {
	return p.Name != nil || p.Kind != nil || p.Country != nil || p.Address != nil || p.City != nil ||
		p.State != nil || p.Lat != nil || p.FixedPosts != nil
}

func (s *Server) deleteMission(c echo.Context) error {
	r, err := s.mission(c, c.Param("id"))
	if err != nil {
		return err
	}
	if _, err := s.missionEdited(c, r.Mission.Region, r.Mission.ID, nil, &r, func() error {
		// The record is kept for the days begun before now (Store.DeleteMissionAt).
		return s.store.DeleteMissionAt(c.Request().Context(), r.Mission.ID, s.now())
	}); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// missionEdited records a mission's creation, edit or deletion (write, run once the plan
// it changes is read) as a change at now, rounded up to the minute, in the region's
// current service day, by the one rule of every change (DESIGN.md §3): the day keeps the
// missions it started with and every visit and post block begun before the change, the
// rest of it is drawn again with the mission as after leaves it (created or edited) or
// without it (deleted, the mission deleted), its revision goes up, and the re-plan is
// announced.
func (s *Server) missionEdited(c echo.Context, region, id string, after *scheduler.Mission, deleted *scheduler.MissionRecord, write func() error) (*replanSummary, error) {
	ctx := c.Request().Context()
	o, f, err := s.region(ctx, region)
	if err != nil {
		return nil, err
	}
	now := s.now()
	d := s.currentDate(o, f)
	start, _ := scheduler.ServiceDayBounds(d, f.Shifts, o.Location)
	at := now.Truncate(time.Minute)
	if at.Before(now) {
		at = at.Add(time.Minute)
	}
	changes, err := s.store.Changes(ctx, region, d)
	if err != nil {
		return nil, err
	}
	if n := len(changes); n > 0 && at.Before(changes[n-1].At) {
		at = changes[n-1].At
	}
	ch := scheduler.Change{At: at, Edit: id}
	if after != nil {
		m := *after
		ch.After = &m
	}
	if deleted != nil {
		ch.Deleted = true
		if m, ok := deleted.MissionAt(start); ok {
			m.Threat = deleted.ThreatAt(start)
			ch.Removed = &m
		}
	}
	if err := s.editFits(ctx, region, d, id, ch); err != nil {
		return nil, err
	}
	sum, err := s.applyChangeWith(ctx, region, d, ch, true, write)
	if err != nil {
		return nil, err
	}
	s.announceReplan(ctx, region, d, f, EventMissionChanged, map[string]any{"mission": id, "by": claimsOf(c).publicActor()}, sum)
	return sum, nil
}

// editFits refuses, before anything is stored, a mission edit with which the rest of the
// live service day cannot be planned (a mission moved out of its units' reach): the edit
// now changes the day's routes from its time, so it must leave a plan that keeps every
// hard rule.
func (s *Server) editFits(ctx context.Context, region string, d scheduler.Date, id string, ch scheduler.Change) error {
	prev, err := s.serviceDay(ctx, region, d)
	if err != nil {
		return err
	}
	in, changes, err := s.dayInputs(ctx, region, d)
	if err != nil {
		return err
	}
	_, err = scheduler.Replan(in, s.planKey, prev, append(changes, ch))
	var ie *scheduler.InfeasibleError
	if errors.As(err, &ie) {
		return &Error{Kind: KindInfeasible, Msg: fmt.Sprintf("mission %s not changed: the rest of service day %s cannot be planned with the edit: %v", id, d, ie)}
	}
	return err
}

func (s *Server) getContacts(c echo.Context) error {
	r, err := s.mission(c, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, contactsView(r))
}

func (s *Server) putContacts(c echo.Context) error {
	var in contactsIO
	if err := decode(c, &in); err != nil {
		return err
	}
	if err := validContacts(in.Contacts); err != nil {
		return err
	}
	r, err := s.mission(c, c.Param("id"))
	if err != nil {
		return err
	}
	r, err = s.store.UpdateMission(c.Request().Context(), r.Mission.ID, func(r *scheduler.MissionRecord) error {
		r.Contacts = nonNil(in.Contacts)
		return nil
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, contactsView(r))
}
