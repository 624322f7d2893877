package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"vigil/scheduler"
)

// dayRoster returns a stored roster of region's date d from a force of officers officers.
func dayRoster(region string, d scheduler.Date, officers int) scheduler.DayRoster {
	f := force(region, 2)
	f.Officers = officers
	start := time.Date(d.Year, d.Month, d.Day, 7, 0, 0, 0, time.UTC)
	duty := scheduler.DayDuty{Date: d, Shifts: []scheduler.ShiftDuty{
		{Shift: "day", Start: start, End: start.Add(8 * time.Hour), Officers: []string{region + "-o001", region + "-o002"}},
		{Shift: "night", Start: start.Add(8 * time.Hour), End: start.Add(21 * time.Hour), Officers: []string{region + "-o003"},
			ReliefAt: start.Add(20 * time.Hour), Relief: []string{region + "-o004"}},
	}}
	return scheduler.DayRoster{Region: region, Date: d.String(), Force: f, Duty: &duty, StoredAt: start.Add(-time.Hour)}
}

// CheckDayRoster checks that got is want as stored (times compared as instants).
func CheckDayRoster(t *testing.T, got, want scheduler.DayRoster) {
	t.Helper()
	if got.Region != want.Region || got.Date != want.Date || got.Force.Officers != want.Force.Officers ||
		got.Force.Units[scheduler.Vehicle] != want.Force.Units[scheduler.Vehicle] || !got.StoredAt.Equal(want.StoredAt) {
		t.Fatalf("DayRoster = %s %s officers %d at %v; want %s %s officers %d at %v", got.Region, got.Date, got.Force.Officers,
			got.StoredAt, want.Region, want.Date, want.Force.Officers, want.StoredAt)
	}
	if got.Duty == nil || len(got.Duty.Shifts) != len(want.Duty.Shifts) || got.Duty.Date != want.Duty.Date {
		t.Fatalf("DayRoster duty = %+v; want %+v", got.Duty, want.Duty)
	}
	for i, g := range got.Duty.Shifts {
		w := want.Duty.Shifts[i]
		if g.Shift != w.Shift || !g.Start.Equal(w.Start) || !g.End.Equal(w.End) || !g.ReliefAt.Equal(w.ReliefAt) ||
			!equalStrings(g.Officers, w.Officers) || !equalStrings(g.Relief, w.Relief) {
			t.Errorf("DayRoster shift %d = %+v; want %+v", i, g, w)
		}
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// testDayRoster: a day's roster reads back as stored, the first write wins, and days and
// regions are kept apart.
func testDayRoster(t *testing.T, s scheduler.Store) {
	ctx := context.Background()
	d := scheduler.Date{Year: 2026, Month: time.March, Day: 2}
	if _, err := s.DayRoster(ctx, "wfo", d); !errors.Is(err, scheduler.ErrNotFound) {
		t.Fatalf("DayRoster before any = %v; want ErrNotFound", err)
	}
	first := dayRoster("wfo", d, 40)
	if ok, err := s.PutDayRoster(ctx, first); err != nil || !ok {
		t.Fatalf("PutDayRoster(first) = %v, %v; want true, nil", ok, err)
	}
	if ok, err := s.PutDayRoster(ctx, dayRoster("wfo", d, 12)); err != nil || ok {
		t.Fatalf("PutDayRoster(second) = %v, %v; want false, nil (the first write wins)", ok, err)
	}
	got, err := s.DayRoster(ctx, "wfo", d)
	if err != nil {
		t.Fatalf("DayRoster = %v", err)
	}
	CheckDayRoster(t, got, first)
	if _, err := s.DayRoster(ctx, "wfo", d.AddDays(1)); !errors.Is(err, scheduler.ErrNotFound) {
		t.Errorf("DayRoster(next day) = %v; want ErrNotFound", err)
	}
	if _, err := s.DayRoster(ctx, "nyc", d); !errors.Is(err, scheduler.ErrNotFound) {
		t.Errorf("DayRoster(other region) = %v; want ErrNotFound", err)
	}
	other := dayRoster("nyc", d, 20)
	if ok, err := s.PutDayRoster(ctx, other); err != nil || !ok {
		t.Fatalf("PutDayRoster(nyc) = %v, %v; want true, nil", ok, err)
	}
	if got, err := s.DayRoster(ctx, "nyc", d); err != nil {
		t.Errorf("DayRoster(nyc) = %v", err)
	} else {
		CheckDayRoster(t, got, other)
	}
	bad := first
	bad.Date = "2026-13-40"
	if _, err := s.PutDayRoster(ctx, bad); err == nil {
		t.Errorf("PutDayRoster(date %q) = nil error; want one", bad.Date)
	}
}

// DayRosterFixture returns a roster for a reopen test of an implementation.
func DayRosterFixture(region string, d scheduler.Date) scheduler.DayRoster {
	return dayRoster(region, d, 40)
}

// testForceHistory: ReplaceForce stores the new force and keeps each force it replaces, in
// order, with the instant it was replaced; a region's first force has nothing to keep;
// regions are kept apart; ForceAt picks the force in effect at an instant.
func testForceHistory(t *testing.T, s scheduler.Store) {
	ctx := context.Background()
	if h, err := s.ForceHistory(ctx, "wfo"); err != nil || len(h) != 0 {
		t.Fatalf("ForceHistory before any = %v, %v; want empty, nil", h, err)
	}
	t1 := time.Date(2026, time.March, 2, 10, 30, 0, 0, time.UTC)
	t2 := t1.Add(26 * time.Hour)
	if err := s.ReplaceForce(ctx, force("wfo", 2), t1.Add(-time.Hour), nil); err != nil {
		t.Fatalf("ReplaceForce(first force) = %v", err)
	}
	if h, err := s.ForceHistory(ctx, "wfo"); err != nil || len(h) != 0 {
		t.Fatalf("ForceHistory after the first force = %v, %v; want empty (nothing replaced)", h, err)
	}
	if err := s.ReplaceForce(ctx, force("wfo", 3), t1, nil); err != nil {
		t.Fatalf("ReplaceForce(3) = %v", err)
	}
	if err := s.ReplaceForce(ctx, force("wfo", 5), t2, nil); err != nil {
		t.Fatalf("ReplaceForce(5) = %v", err)
	}
	if f, err := s.Force(ctx, "wfo"); err != nil || f.Units[scheduler.Vehicle] != 5 {
		t.Fatalf("Force after ReplaceForce = %v vehicle units, %v; want 5", f.Units[scheduler.Vehicle], err)
	}
	h, err := s.ForceHistory(ctx, "wfo")
	if err != nil {
		t.Fatalf("ForceHistory = %v", err)
	}
	if len(h) != 2 || h[0].Force.Units[scheduler.Vehicle] != 2 || !h[0].Until.Equal(t1) ||
		h[1].Force.Units[scheduler.Vehicle] != 3 || !h[1].Until.Equal(t2) {
		t.Fatalf("ForceHistory = %+v; want the 2-vehicle force until %v, then the 3-vehicle one until %v", h, t1, t2)
	}
	for _, c := range []struct {
		at   time.Time
		want int // vehicle units; 0: the current force
	}{{t1.Add(-48 * time.Hour), 2}, {t1, 2}, {t1.Add(time.Minute), 3}, {t2, 3}, {t2.Add(time.Second), 0}} {
		f, ok := scheduler.ForceAt(h, c.at)
		if got := map[bool]int{true: f.Units[scheduler.Vehicle]}[ok]; got != c.want {
			t.Errorf("ForceAt(%v) = %d vehicle units (found %v); want %d", c.at, got, ok, c.want)
		}
	}
	if h, err := s.ForceHistory(ctx, "nyc"); err != nil || len(h) != 0 {
		t.Errorf("ForceHistory(nyc) = %v, %v; want empty", h, err)
	}
}

// testForceChangeDay: ReplaceForce writes what the change does to the day in progress with
// the force: a change appended to the day's log (after the changes already there), or the
// day's stored roster replaced, the one write that may replace it; a ForceDay with both or
// neither, or a roster of another day, is refused with nothing written.
func testForceChangeDay(t *testing.T, s scheduler.Store) {
	ctx := context.Background()
	d := scheduler.Date{Year: 2026, Month: time.March, Day: 2}
	t1 := time.Date(2026, time.March, 2, 10, 30, 0, 0, time.UTC)
	if err := s.PutForce(ctx, force("wfo", 2)); err != nil {
		t.Fatal(err)
	}
	threat := scheduler.Change{At: t1.Add(-time.Hour), Mission: "m-1", Threat: 5}
	if err := s.AddChange(ctx, "wfo", d, threat); err != nil {
		t.Fatal(err)
	}
	before, after := force("wfo", 2), force("wfo", 3)
	ch := scheduler.Change{At: t1, Force: &after, ForceBefore: &before}
	if err := s.ReplaceForce(ctx, after, t1, &scheduler.ForceDay{Date: d, Change: &ch}); err != nil {
		t.Fatalf("ReplaceForce(with a change) = %v", err)
	}
	cs, err := s.Changes(ctx, "wfo", d)
	if err != nil || len(cs) != 2 || cs[0].Mission != "m-1" || cs[1].Force == nil || cs[1].Force.Units[scheduler.Vehicle] != 3 ||
		cs[1].ForceBefore == nil || cs[1].ForceBefore.Units[scheduler.Vehicle] != 2 || !cs[1].At.Equal(t1) {
		t.Fatalf("Changes after ReplaceForce(with a change) = %+v, %v; want the threat change, then the force change at %v", cs, err, t1)
	}
	if h, err := s.ForceHistory(ctx, "wfo"); err != nil || len(h) != 1 || h[0].Force.Units[scheduler.Vehicle] != 2 {
		t.Fatalf("ForceHistory after ReplaceForce(with a change) = %+v, %v; want the 2-vehicle force", h, err)
	}

	// A day with a stored roster (one that could not be planned) is rostered again.
	e := d.AddDays(1)
	if ok, err := s.PutDayRoster(ctx, dayRoster("wfo", e, 1)); err != nil || !ok {
		t.Fatalf("PutDayRoster = %v, %v", ok, err)
	}
	again := dayRoster("wfo", e, 40)
	if err := s.ReplaceForce(ctx, force("wfo", 4), t1.Add(24*time.Hour), &scheduler.ForceDay{Date: e, Roster: &again}); err != nil {
		t.Fatalf("ReplaceForce(with a roster) = %v", err)
	}
	got, err := s.DayRoster(ctx, "wfo", e)
	if err != nil {
		t.Fatalf("DayRoster after ReplaceForce(with a roster) = %v", err)
	}
	CheckDayRoster(t, got, again)
	if cs, err := s.Changes(ctx, "wfo", e); err != nil || len(cs) != 0 {
		t.Errorf("Changes of the day rostered again = %+v, %v; want none", cs, err)
	}
	if f, err := s.Force(ctx, "wfo"); err != nil || f.Units[scheduler.Vehicle] != 4 {
		t.Fatalf("Force after ReplaceForce(with a roster) = %v vehicle units, %v; want 4", f.Units[scheduler.Vehicle], err)
	}

	for _, bad := range []scheduler.ForceDay{
		{Date: d},
		{Date: d, Change: &ch, Roster: &again},
		{Date: d, Roster: &again}, // a roster of another day
		{Date: d, Change: &threat},
	} {
		if err := s.ReplaceForce(ctx, force("wfo", 9), t1.Add(48*time.Hour), &bad); err == nil {
			t.Errorf("ReplaceForce(%+v) = nil error; want one", bad)
		}
	}
	if f, err := s.Force(ctx, "wfo"); err != nil || f.Units[scheduler.Vehicle] != 4 {
		t.Errorf("Force after refused ReplaceForce = %v vehicle units, %v; want 4 (nothing written)", f.Units[scheduler.Vehicle], err)
	}
	if h, err := s.ForceHistory(ctx, "wfo"); err != nil || len(h) != 2 {
		t.Errorf("ForceHistory after refused ReplaceForce = %d eras, %v; want 2", len(h), err)
	}
}

// testDeletedMissions: DeleteMissionAt removes the mission and keeps its record, with the
// deletion time, among its region's deleted missions, in order; MissionAt gives the kept
// record to an instant before the deletion only; a missing mission is ErrNotFound and
// keeps nothing.
func testDeletedMissions(t *testing.T, s scheduler.Store) {
	ctx := context.Background()
	for _, m := range []scheduler.MissionRecord{mission("a", "wfo", 2), mission("b", "wfo", 4), mission("c", "nyc", 1)} {
		if err := s.CreateMission(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := s.DeletedMissions(ctx, "wfo"); err != nil || len(got) != 0 {
		t.Fatalf("DeletedMissions before any = %v, %v; want empty, nil", got, err)
	}
	t1 := time.Date(2026, time.March, 2, 10, 30, 0, 0, time.UTC)
	for i, id := range []string{"b", "a"} {
		if err := s.DeleteMissionAt(ctx, id, t1.Add(time.Duration(i)*time.Hour)); err != nil {
			t.Fatalf("DeleteMissionAt(%s) = %v", id, err)
		}
		if _, err := s.Mission(ctx, id); !errors.Is(err, scheduler.ErrNotFound) {
			t.Errorf("Mission(%s) after DeleteMissionAt = %v; want ErrNotFound", id, err)
		}
	}
	if err := s.DeleteMissionAt(ctx, "a", t1); !errors.Is(err, scheduler.ErrNotFound) {
		t.Errorf("DeleteMissionAt(twice) = %v; want ErrNotFound", err)
	}
	got, err := s.DeletedMissions(ctx, "wfo")
	if err != nil {
		t.Fatalf("DeletedMissions = %v", err)
	}
	if len(got) != 2 || got[0].Mission.ID != "b" || got[1].Mission.ID != "a" || got[0].Mission.Threat != 4 ||
		got[0].Deleted == nil || !got[0].Deleted.Equal(t1) || got[1].Deleted == nil || !got[1].Deleted.Equal(t1.Add(time.Hour)) {
		t.Fatalf("DeletedMissions = %+v; want b deleted at %v, then a an hour later", got, t1)
	}
	if _, ok := got[0].MissionAt(t1.Add(-time.Minute)); !ok {
		t.Errorf("kept record of b: MissionAt a minute before its deletion = false; want it")
	}
	if _, ok := got[0].MissionAt(t1); ok {
		t.Errorf("kept record of b: MissionAt its deletion = true; want it gone")
	}
	if ms, err := s.Missions(ctx, "wfo"); err != nil || len(ms) != 0 {
		t.Errorf("Missions(wfo) after the deletions = %d, %v; want none", len(ms), err)
	}
	if got, err := s.DeletedMissions(ctx, "nyc"); err != nil || len(got) != 0 {
		t.Errorf("DeletedMissions(nyc) = %v, %v; want empty", got, err)
	}
}
