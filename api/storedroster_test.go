package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	ics "github.com/arran4/golang-ical"

	"vigil/scheduler"
)

// TestStoredRosterKeepsThePast plans yesterday and today through the service, then changes
// the force's officers and units: yesterday's plan JSON is byte-identical, today's begun
// part (crews and visits before now, post blocks begun) is kept, GET /v1/roster shows the
// stored roster for both days, and the calendar feed shows today's stored duties, not the
// ones the new force would derive.
func TestStoredRosterKeepsThePast(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	sup := h.token(RoleSupervisor, "bos", "")
	d := scheduler.Date{Year: 2026, Month: 11, Day: 27}
	y := d.AddDays(-1)
	get := func(path string) []byte {
		t.Helper()
		code, body := h.do(http.MethodGet, path, sup, "")
		if code != http.StatusOK {
			t.Fatalf("GET %s = %d %s; want 200", path, code, body)
		}
		return body
	}
	yBefore := get("/v1/plans/bos/" + y.String())
	var todayBefore scheduler.Plan
	h.getJSON("/v1/plans/bos/"+d.String(), sup, &todayBefore)
	rosterPath := fmt.Sprintf("/v1/roster?region=bos&from=%s&to=%s", y, d)
	rosterBefore := get(rosterPath)
	stored, err := h.store.DayRoster(ctx, "bos", d)
	if err != nil || stored.Duty == nil {
		t.Fatalf("stored roster of today = %+v, %v; want one with its duty", stored, err)
	}

	_, f, err := h.srv.region(ctx, "bos")
	if err != nil {
		t.Fatal(err)
	}
	if code, body := h.do("PATCH", "/v1/force/bos", sup, fmt.Sprintf(`{"units":{"vehicle":2},"officers":%d}`, f.Officers+9)); code != http.StatusOK {
		t.Fatalf("PATCH force = %d %s; want 200", code, body)
	}
	_, nf, err := h.srv.region(ctx, "bos")
	if err != nil {
		t.Fatal(err)
	}
	derived, err := h.srv.rosterOf(ctx, nf, bosLoc, d)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Equal(derived.Shifts[0].Officers, stored.Duty.Shifts[0].Officers) {
		t.Fatalf("the new force derives today's %s crew %v as stored; the test needs a change", derived.Shifts[0].Shift, derived.Shifts[0].Officers)
	}
	yDerived, err := h.srv.rosterOf(ctx, nf, bosLoc, y)
	if err != nil {
		t.Fatal(err)
	}

	if after := get("/v1/plans/bos/" + y.String()); !bytes.Equal(after, yBefore) {
		t.Errorf("yesterday's plan changed with the force:\nbefore %.300s\nafter  %.300s", yBefore, after)
	}
	var todayAfter scheduler.Plan
	h.getJSON("/v1/plans/bos/"+d.String(), sup, &todayAfter)
	checkBegunKept(t, todayBefore.ServiceDays[0], todayAfter.ServiceDays[0])
	// The days are the stored rosters; the officer records listed beside them are the
	// force's as it is now.
	if b, a := rosterDays(t, rosterBefore), rosterDays(t, get(rosterPath)); !bytes.Equal(a, b) {
		t.Errorf("GET /v1/roster days changed with the force:\nbefore %s\nafter  %s", b, a)
	}
	ys, err := h.store.DayRoster(ctx, "bos", y)
	if err != nil || ys.Duty == nil {
		t.Fatalf("stored roster of yesterday = %+v, %v; want one with its duty", ys, err)
	}
	if slices.Equal(ys.Duty.Shifts[0].Officers, yDerived.Shifts[0].Officers) {
		t.Errorf("the new force derives yesterday's %s crew as stored; the test needs a change", ys.Duty.Shifts[0].Shift)
	}

	// The feed: an officer of today's stored first shift has that duty; one the new force
	// alone would put on it has not.
	shift := stored.Duty.Shifts[0]
	kept := shift.Officers[0]
	var added string
	for _, o := range derived.Shifts[0].Officers {
		if !slices.Contains(shift.Officers, o) && !slices.Contains(shift.Relief, o) {
			added = o
			break
		}
	}
	if added == "" {
		t.Fatalf("no officer added to today's %s shift by the new force", shift.Shift)
	}
	uid := func(o string) string { return fmt.Sprintf("duty-%s-%s-%s@vigil", o, d, shift.Shift) }
	if !feedHas(t, h, kept, uid(kept)) {
		t.Errorf("feed of %s has no %s duty today; the stored roster has it", kept, shift.Shift)
	}
	if feedHas(t, h, added, uid(added)) {
		t.Errorf("feed of %s has a %s duty today; only the new force derives it", added, shift.Shift)
	}
}

// checkBegunKept checks that every route and post block of today that began before start
// has the same crew, and every visit before start the same times, after the change.
func checkBegunKept(t *testing.T, before, after scheduler.ServiceDay) {
	t.Helper()
	type key struct{ unit, shift string }
	routes := map[key]scheduler.Route{}
	for _, r := range after.Routes {
		routes[key{r.Unit, r.Shift}] = r
	}
	begun := 0
	for _, r := range before.Routes {
		if !r.Start.Before(start) {
			continue
		}
		begun++
		a, ok := routes[key{r.Unit, r.Shift}]
		if !ok || !slices.Equal(a.Officers, r.Officers) {
			t.Errorf("begun route %s %s crew %v; after the change %v (present %v)", r.Unit, r.Shift, r.Officers, a.Officers, ok)
			continue
		}
		var bv, av []string
		for _, v := range r.Visits {
			if v.Arrive.Before(start) {
				bv = append(bv, v.Mission+v.Arrive.UTC().String())
			}
		}
		for _, v := range a.Visits {
			if v.Arrive.Before(start) {
				av = append(av, v.Mission+v.Arrive.UTC().String())
			}
		}
		if !slices.Equal(av, bv) {
			t.Errorf("route %s %s visits before now %v; after the change %v", r.Unit, r.Shift, bv, av)
		}
	}
	if begun == 0 {
		t.Fatal("no route of today began before now; the test needs one")
	}
	blocks := map[string]bool{}
	for _, p := range after.Posts {
		for _, b := range p.Blocks {
			blocks[fmt.Sprint(p.Mission, b.Start.Unix(), b.Officer)] = true
		}
	}
	for _, p := range before.Posts {
		for _, b := range p.Blocks {
			if b.Start.Before(start) && !blocks[fmt.Sprint(p.Mission, b.Start.Unix(), b.Officer)] {
				t.Errorf("post %s block from %s (%v) begun before now is not kept", p.Mission, b.Start.Format("15:04"), b.Officer)
			}
		}
	}
}

// feedHas reports whether officer's calendar feed holds an event with uid.
func feedHas(t *testing.T, h *harness, officer, uid string) bool {
	t.Helper()
	var got struct{ URL string }
	h.getJSON("/v1/me/calendar", h.token(RoleOfficer, "", officer), &got)
	code, body := h.do(http.MethodGet, got.URL, "", "")
	if code != http.StatusOK {
		t.Fatalf("GET feed of %s = %d %s; want 200", officer, code, body)
	}
	cal, err := ics.ParseCalendar(strings.NewReader(string(body)))
	if err != nil {
		t.Fatalf("parse feed of %s: %v", officer, err)
	}
	for _, ev := range cal.Events() {
		if ev.Id() == uid {
			return true
		}
	}
	return false
}

// rosterDays returns the days of a GET /v1/roster answer, as JSON.
func rosterDays(t *testing.T, body []byte) []byte {
	t.Helper()
	var out struct{ Days json.RawMessage }
	if err := json.Unmarshal(body, &out); err != nil || len(out.Days) == 0 {
		t.Fatalf("roster answer %s: %v; want days", body, err)
	}
	return out.Days
}

// TestStoredRosterDrivesThePlan stores yesterday's roster with a force of two vehicle units
// (as another replica would have) before the service first loads the day: the day is
// planned from the stored force, not the region's one-vehicle force, and the stored roster
// is kept as written. A day not yet begun is derived and stores nothing.
func TestStoredRosterDrivesThePlan(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	sup := h.token(RoleSupervisor, "bos", "")
	y := scheduler.Date{Year: 2026, Month: 11, Day: 26}
	_, f, err := h.srv.region(ctx, "bos")
	if err != nil {
		t.Fatal(err)
	}
	if f.Units[scheduler.Vehicle] != 1 {
		t.Fatalf("bos has %d vehicle units; the test needs 1", f.Units[scheduler.Vehicle])
	}
	sf := cloneForce(f)
	sf.Units[scheduler.Vehicle], sf.Officers = 2, f.Officers+9
	if ok, err := h.store.PutDayRoster(ctx, scheduler.DayRoster{Region: "bos", Date: y.String(), Force: sf, StoredAt: start}); err != nil || !ok {
		t.Fatalf("PutDayRoster = %v, %v; want true, nil", ok, err)
	}
	var p scheduler.Plan
	h.getJSON("/v1/plans/bos/"+y.String(), sup, &p)
	units := map[string]bool{}
	for _, r := range p.ServiceDays[0].Routes {
		units[r.Unit] = true
	}
	if !units["bos-v02"] {
		t.Errorf("yesterday's plan units %v; want bos-v02 of the stored force", units)
	}
	if r, err := h.store.DayRoster(ctx, "bos", y); err != nil || r.Force.Units[scheduler.Vehicle] != 2 {
		t.Errorf("stored roster after planning = %v, %v; want the one written, 2 vehicle units", r.Force.Units, err)
	}
	tomorrow := y.AddDays(2)
	h.getJSON("/v1/plans/bos/"+tomorrow.String(), sup, &p)
	if _, err := h.store.DayRoster(ctx, "bos", tomorrow); !errors.Is(err, scheduler.ErrNotFound) {
		t.Errorf("stored roster of tomorrow = %v; want ErrNotFound (not begun)", err)
	}
}
