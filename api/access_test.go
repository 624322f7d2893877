package api

import (
	"errors"
	"testing"
	"time"

	"vigil/scheduler"
)

// The pure access decisions of access.go, at their edges (make mutate's "access rules").

func isForbidden(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Kind == KindForbidden
}

// TestAccessRulesInRegion: a supervisor and an officer see their own region only; an admin
// and a planner every region.
func TestAccessRulesInRegion(t *testing.T) {
	for _, tc := range []struct {
		cl     Claims
		region string
		ok     bool
	}{
		{Claims{Role: RoleAdmin}, "bos", true},
		{Claims{Role: RolePlanner}, "bos", true},
		{Claims{Role: RoleSupervisor, Region: "bos"}, "bos", true},
		{Claims{Role: RoleSupervisor, Region: "bos"}, "wfo", false},
		{Claims{Role: RoleOfficer, Officer: "o-bos-001"}, "bos", true},
		{Claims{Role: RoleOfficer, Officer: "o-bos-001"}, "wfo", false},
	} {
		err := inRegion(&tc.cl, tc.region)
		if tc.ok != (err == nil) || (err != nil && !isForbidden(err)) {
			t.Errorf("inRegion(%s %s%s, %s) = %v; want allowed %v", tc.cl.Role, tc.cl.Region, tc.cl.Officer, tc.region, err, tc.ok)
		}
	}
}

// TestAccessRulesLiveDay: admins see every day; supervisors their region's days up to the
// next service day; planners and officers no live plan.
func TestAccessRulesLiveDay(t *testing.T) {
	cur := scheduler.Date{Year: 2026, Month: 11, Day: 27}
	sup := Claims{Role: RoleSupervisor, Region: "bos"}
	for _, tc := range []struct {
		cl     Claims
		region string
		d      scheduler.Date
		ok     bool
	}{
		{Claims{Role: RoleAdmin}, "wfo", cur.AddDays(30), true},
		{sup, "bos", cur.AddDays(-40), true},
		{sup, "bos", cur, true},
		{sup, "bos", cur.AddDays(1), true},
		{sup, "bos", cur.AddDays(2), false},
		{sup, "wfo", cur, false},
		{Claims{Role: RolePlanner}, "bos", cur, false},
		{Claims{Role: RoleOfficer, Officer: "o-bos-001"}, "bos", cur, false},
	} {
		err := liveDayAt(&tc.cl, tc.region, cur, tc.d)
		if tc.ok != (err == nil) || (err != nil && !isForbidden(err)) {
			t.Errorf("liveDayAt(%s %s, %s, %s) = %v; want allowed %v", tc.cl.Role, tc.cl.Region, tc.region, tc.d, err, tc.ok)
		}
	}
}

// TestAccessRulesThreatReach: supervisors change threat levels for the current and the
// next service day; admins for any.
func TestAccessRulesThreatReach(t *testing.T) {
	cur := scheduler.Date{Year: 2026, Month: 11, Day: 27}
	sup := &Claims{Role: RoleSupervisor, Region: "bos"}
	for _, tc := range []struct {
		cl *Claims
		d  scheduler.Date
		ok bool
	}{
		{sup, cur, true},
		{sup, cur.AddDays(1), true},
		{sup, cur.AddDays(2), false},
		{sup, cur.AddDays(-3), true},
		{&Claims{Role: RoleAdmin}, cur.AddDays(90), true},
	} {
		err := threatInReach(tc.cl, cur, tc.d)
		if tc.ok != (err == nil) || (err != nil && !isForbidden(err)) {
			t.Errorf("threatInReach(%s, %s) = %v; want allowed %v", tc.cl.Role, tc.d, err, tc.ok)
		}
	}
}

// TestAccessRulesRelease: a route reaches its crew ReleaseBeforeMinutes before it starts,
// to the minute, and no one else.
func TestAccessRulesRelease(t *testing.T) {
	f := scheduler.RegionForce{ReleaseBeforeMinutes: 45}
	startAt := time.Date(2026, 11, 27, 14, 0, 0, 0, time.UTC)
	if got, want := releaseAt(f, startAt), startAt.Add(-45*time.Minute); !got.Equal(want) {
		t.Errorf("releaseAt = %s; want %s", got, want)
	}
	r := scheduler.Route{Officers: []string{"o-bos-001", "o-bos-002"}, Start: startAt}
	for _, tc := range []struct {
		officer string
		now     time.Time
		ok      bool
	}{
		{"o-bos-002", startAt.Add(-45 * time.Minute), true},
		{"o-bos-001", startAt.Add(-45*time.Minute - time.Second), false},
		{"o-bos-001", startAt.Add(3 * time.Hour), true},
		{"o-bos-003", startAt.Add(time.Hour), false},
	} {
		if got := routeReleasedTo(tc.officer, f, r, tc.now); got != tc.ok {
			t.Errorf("routeReleasedTo(%s at %s) = %v; want %v", tc.officer, tc.now.Format("15:04:05"), got, tc.ok)
		}
	}

	// An officer who relieves one of the crew at 18:00 (a call-off's replacement, a
	// relief crew) is released the route 45 minutes before joining it, not before.
	relief := startAt.Add(4 * time.Hour)
	r.Reliefs = []scheduler.Relief{{At: relief, Off: "o-bos-002", On: "o-bos-007"}}
	for _, tc := range []struct {
		now time.Time
		ok  bool
	}{
		{startAt, false},
		{relief.Add(-45*time.Minute - time.Second), false},
		{relief.Add(-45 * time.Minute), true},
		{relief.Add(2 * time.Hour), true},
	} {
		if got := routeReleasedTo("o-bos-007", f, r, tc.now); got != tc.ok {
			t.Errorf("routeReleasedTo(relief o-bos-007 at %s) = %v; want %v", tc.now.Format("15:04:05"), got, tc.ok)
		}
	}
}
