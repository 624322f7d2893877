package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"vigil/fixtures"
	"vigil/scheduler"
	"vigil/scheduler/boltstore"
	"vigil/scheduler/redisstore"
	"vigil/scheduler/storetest"
)

// seededOn opens a store with open and seeds it with the shipped fixtures, which it
// returns with it.
func seededOn(t *testing.T, open func(*testing.T) scheduler.Store) (*fixtures.Dataset, scheduler.Store) {
	t.Helper()
	ds, err := fixtures.Default()
	if err != nil {
		t.Fatal(err)
	}
	st := open(t)
	seedStore(t, ds, st)
	return ds, st
}

// storeOpeners open an empty store of each kind the service runs on: the embedded bbolt
// file and Redis (the real server of the integration tests, under a key prefix of its own).
var storeOpeners = []struct {
	name string
	open func(t *testing.T) scheduler.Store
}{
	{"bolt", func(t *testing.T) scheduler.Store {
		st, err := boltstore.Open(filepath.Join(t.TempDir(), "vigil.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}},
	{"redis", func(t *testing.T) scheduler.Store {
		prefix := fmt.Sprintf("{vigil-api-test-%d-%s}:", os.Getpid(), t.Name())
		st, err := redisstore.Open(context.Background(), storetest.RedisURL(t), prefix)
		if err != nil {
			t.Fatal(err)
		}
		storetest.CleanupPrefix(t, storetest.RedisURL(t), prefix)
		t.Cleanup(func() { st.Close() })
		return st
	}},
}

// TestForceChangeKeepsAnUnloadedPast: days before today that no one loaded before a force
// change (yesterday, and a week ago) are planned and rostered after the change exactly as
// a server that never had the change plans and rosters them, on both stores: the force
// history gives the force each day began with. The new force would derive other duties
// for those days, so the test fails when the history is not used.
func TestForceChangeKeepsAnUnloadedPast(t *testing.T) {
	for _, so := range storeOpeners {
		t.Run(so.name, func(t *testing.T) {
			ds, st := seededOn(t, so.open)
			h := newHarnessOn(t, ds, st)
			ref := newHarness(t) // never has the change
			ctx := context.Background()
			sup := h.token(RoleSupervisor, "bos", "")
			d := scheduler.ServiceDateOf(start, scheduler.DefaultShifts(), bosLoc)
			days := []scheduler.Date{d.AddDays(-1), d.AddDays(-7)}

			_, f, err := h.srv.region(ctx, "bos")
			if err != nil {
				t.Fatal(err)
			}
			patch := fmt.Sprintf(`{"units":{"vehicle":2},"officers":%d}`, f.Officers+9)
			if code, body := h.do(http.MethodPatch, "/v1/force/bos", sup, patch); code != http.StatusOK {
				t.Fatalf("PATCH force = %d %s; want 200", code, body)
			}
			_, nf, err := h.srv.region(ctx, "bos")
			if err != nil {
				t.Fatal(err)
			}
			for _, day := range days {
				if _, err := st.DayRoster(ctx, "bos", day); !errors.Is(err, scheduler.ErrNotFound) {
					t.Fatalf("%s was stored before it was asked for (%v); the test needs a day never loaded", day, err)
				}
				plan := "/v1/plans/bos/" + day.String()
				if got, want := getOK(t, h, plan, sup), getOK(t, ref, plan, ref.token(RoleSupervisor, "bos", "")); !bytes.Equal(got, want) {
					t.Errorf("%s's plan after the force change differs from a server without it:\ngot  %.300s\nwant %.300s", day, got, want)
				}
				roster := fmt.Sprintf("/v1/roster?region=bos&from=%s&to=%s", day, day)
				got := rosterDays(t, getOK(t, h, roster, sup))
				want := rosterDays(t, getOK(t, ref, roster, ref.token(RoleSupervisor, "bos", "")))
				if !bytes.Equal(got, want) {
					t.Errorf("%s's roster after the force change differs from a server without it:\ngot  %s\nwant %s", day, got, want)
				}
				stored, err := st.DayRoster(ctx, "bos", day)
				if err != nil || stored.Duty == nil {
					t.Fatalf("stored roster of %s = %+v, %v; want one with its duty", day, stored, err)
				}
				if stored.Force.Officers != f.Officers || stored.Force.Units[scheduler.Vehicle] != f.Units[scheduler.Vehicle] {
					t.Errorf("%s stored with %d officers, %d vehicle units; want the force it began with (%d, %d)", day,
						stored.Force.Officers, stored.Force.Units[scheduler.Vehicle], f.Officers, f.Units[scheduler.Vehicle])
				}
				derived, err := h.srv.rosterOf(ctx, nf, bosLoc, day)
				if err != nil {
					t.Fatal(err)
				}
				if slices.EqualFunc(derived.Shifts, stored.Duty.Shifts, func(a, b scheduler.ShiftDuty) bool { return slices.Equal(a.Officers, b.Officers) }) {
					t.Errorf("the new force derives %s's duties as stored; the test needs a change", day)
				}
			}
		})
	}
}

// replaceFailingStore fails ReplaceForce, as a store whose write did not commit.
type replaceFailingStore struct {
	scheduler.Store
	calls atomic.Int32
}

func (s *replaceFailingStore) ReplaceForce(ctx context.Context, f scheduler.RegionForce, at time.Time, day *scheduler.ForceDay) error {
	s.calls.Add(1)
	return fmt.Errorf("replace force: %w", scheduler.ErrUnavailable)
}

// TestForceChangeRefusedWhenHistoryNotStored: when the store cannot write the new force
// with the one it replaces, the change is refused and nothing of it is written: the force
// is unchanged, today's change log has no force change and today's plan is as before.
func TestForceChangeRefusedWhenHistoryNotStored(t *testing.T) {
	h := newHarness(t)
	st := &replaceFailingStore{Store: h.store}
	h.srv = New(Config{Logger: h.srv.logger, Store: st, Offices: h.ds.Offices, MasterKey: testMaster, Clock: h.clock})
	ctx := context.Background()
	sup := h.token(RoleSupervisor, "bos", "")
	d := scheduler.ServiceDateOf(start, scheduler.DefaultShifts(), bosLoc)
	before := getOK(t, h, "/v1/plans/bos/"+d.String(), sup)
	_, f, err := h.srv.region(ctx, "bos")
	if err != nil {
		t.Fatal(err)
	}
	code, body := h.do(http.MethodPatch, "/v1/force/bos", sup, fmt.Sprintf(`{"units":{"vehicle":2},"officers":%d}`, f.Officers+9))
	if code == http.StatusOK || st.calls.Load() == 0 {
		t.Fatalf("PATCH force with the write failing = %d %s (ReplaceForce called %d times); want it refused", code, body, st.calls.Load())
	}
	_, after, err := h.srv.region(ctx, "bos")
	if err != nil {
		t.Fatal(err)
	}
	if after.Officers != f.Officers || after.Units[scheduler.Vehicle] != f.Units[scheduler.Vehicle] {
		t.Errorf("force after the refused change: %d officers, %d vehicle units; want %d, %d", after.Officers,
			after.Units[scheduler.Vehicle], f.Officers, f.Units[scheduler.Vehicle])
	}
	changes, err := h.store.Changes(ctx, "bos", d)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range changes {
		if c.Force != nil {
			t.Errorf("today's log has a force change at %s after the change was refused", c.At)
		}
	}
	if now := getOK(t, h, "/v1/plans/bos/"+d.String(), sup); !bytes.Equal(now, before) {
		t.Errorf("today's plan changed with a refused force change")
	}
}

// getOK returns the body of a GET that must answer 200.
func getOK(t *testing.T, h *harness, path, token string) []byte {
	t.Helper()
	code, body := h.do(http.MethodGet, path, token, "")
	if code != http.StatusOK {
		t.Fatalf("GET %s = %d %s; want 200", path, code, body)
	}
	return body
}

// withPostAt gives bos a fixed post at cg-france-bos and 20 named officers to staff it
// (the cyclic roster engine's duties depend on the posts).
func withPostAt(t *testing.T, st scheduler.Store) {
	t.Helper()
	ctx := context.Background()
	one := 1
	if _, err := st.UpdateMission(ctx, "cg-france-bos", func(r *scheduler.MissionRecord) error {
		r.Mission.FixedPosts = &one
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	f, err := st.Force(ctx, "bos")
	if err != nil {
		t.Fatal(err)
	}
	f.Roster = nil
	for n := 1; n <= 20; n++ {
		f.Roster = append(f.Roster, scheduler.Officer{ID: scheduler.OfficerID("bos", n), Name: "Officer", Region: "bos",
			Quals: []scheduler.Qualification{scheduler.QualVehicle, scheduler.QualFoot, scheduler.QualPost}})
	}
	f.Officers = len(f.Roster)
	if err := st.PutForce(ctx, f); err != nil {
		t.Fatal(err)
	}
}

// TestMissionDeletionKeepsAnUnloadedPast: a mission with a fixed post is deleted today;
// yesterday and a week ago, never loaded before, are planned and rostered after it exactly
// as a server without the deletion plans and rosters them (the deleted record is kept
// for the days begun before), on both stores, while tomorrow has neither the mission nor
// its post. Without the kept record those days lose the mission and its post.
func TestMissionDeletionKeepsAnUnloadedPast(t *testing.T) {
	for _, so := range storeOpeners {
		t.Run(so.name, func(t *testing.T) {
			ds, st := seededOn(t, so.open)
			withPostAt(t, st)
			h := newHarnessOn(t, ds, st)
			ref := newHarness(t)
			withPostAt(t, ref.store)
			admin := h.token(RoleAdmin, "", "")
			sup := h.token(RoleSupervisor, "bos", "")
			refSup := ref.token(RoleSupervisor, "bos", "")
			d := scheduler.ServiceDateOf(start, scheduler.DefaultShifts(), bosLoc)
			if code, body := h.do(http.MethodDelete, "/v1/missions/cg-france-bos", admin, ""); code != http.StatusNoContent {
				t.Fatalf("DELETE mission = %d %s; want 204", code, body)
			}
			for _, day := range []scheduler.Date{d.AddDays(-1), d.AddDays(-7)} {
				plan := "/v1/plans/bos/" + day.String()
				got, want := getOK(t, h, plan, sup), getOK(t, ref, plan, refSup)
				if !bytes.Equal(got, want) {
					t.Errorf("%s's plan after the deletion differs from a server without it:\ngot  %.300s\nwant %.300s", day, got, want)
				}
				if !bytes.Contains(got, []byte(`"cg-france-bos/1"`)) {
					t.Errorf("%s's plan has no post at cg-france-bos; the test needs one", day)
				}
				roster := fmt.Sprintf("/v1/roster?region=bos&from=%s&to=%s", day, day)
				if got, want := rosterDays(t, getOK(t, h, roster, sup)), rosterDays(t, getOK(t, ref, roster, refSup)); !bytes.Equal(got, want) {
					t.Errorf("%s's roster after the deletion differs from a server without it:\ngot  %s\nwant %s", day, got, want)
				}
			}
			tomorrow := getOK(t, h, "/v1/plans/bos/"+d.AddDays(1).String(), sup)
			if bytes.Contains(tomorrow, []byte("cg-france-bos")) {
				t.Errorf("tomorrow's plan still has the mission deleted today")
			}
			if code, body := h.do(http.MethodGet, "/v1/missions/cg-france-bos", admin, ""); code != http.StatusNotFound {
				t.Errorf("GET the deleted mission = %d %.200s; want 404", code, body)
			}
		})
	}
}

// TestLeaveKeepsAnUnloadedPast: leave booked today from yesterday on, for an officer on
// yesterday's roster, then cancelled, leaves yesterday (never loaded before) planned and
// rostered as a server without the leave plans it: a begun day has the leave as of its
// start (scheduler.LeaveAsOf), so leave needs no history of its own.
func TestLeaveKeepsAnUnloadedPast(t *testing.T) {
	h, ref := newHarness(t), newHarness(t)
	withPostAt(t, h.store)
	withPostAt(t, ref.store)
	ctx := context.Background()
	sup, refSup := h.token(RoleSupervisor, "bos", ""), ref.token(RoleSupervisor, "bos", "")
	d := scheduler.ServiceDateOf(start, scheduler.DefaultShifts(), bosLoc)
	y := d.AddDays(-1)
	_, f, err := ref.srv.region(ctx, "bos")
	if err != nil {
		t.Fatal(err)
	}
	duty, err := ref.srv.rosterOf(ctx, f, bosLoc, y)
	if err != nil {
		t.Fatal(err)
	}
	officer := duty.Shifts[0].Officers[0]
	leave := fmt.Sprintf(`{"from":"%s","to":"%s","kind":"annual"}`, y, d.AddDays(3))
	if code, body := h.do(http.MethodPost, "/v1/officers/"+officer+"/leave", sup, leave); code != http.StatusOK {
		t.Fatalf("POST leave = %d %s; want 200", code, body)
	}
	check := func(when string) {
		t.Helper()
		plan := "/v1/plans/bos/" + y.String()
		if got, want := getOK(t, h, plan, sup), getOK(t, ref, plan, refSup); !bytes.Equal(got, want) {
			t.Errorf("yesterday's plan %s differs from a server without the leave", when)
		}
		roster := fmt.Sprintf("/v1/roster?region=bos&from=%s&to=%s", y, y)
		got, want := rosterDays(t, getOK(t, h, roster, sup)), rosterDays(t, getOK(t, ref, roster, refSup))
		// The days' leave lists show the leave as booked now; the duties must not move.
		var g, w []struct{ Shifts json.RawMessage }
		if err := json.Unmarshal(got, &g); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(want, &w); err != nil {
			t.Fatal(err)
		}
		if len(g) != 1 || len(w) != 1 || !bytes.Equal(g[0].Shifts, w[0].Shifts) {
			t.Errorf("yesterday's duties %s differ from a server without the leave:\ngot  %s\nwant %s", when, got, want)
		}
	}
	check("after the leave is booked")
	if code, body := h.do(http.MethodDelete, fmt.Sprintf("/v1/officers/%s/leave?from=%s&to=%s", officer, y, d.AddDays(3)), sup, ""); code != http.StatusOK {
		t.Fatalf("DELETE leave = %d %s; want 200", code, body)
	}
	check("after the leave is cancelled")
}
