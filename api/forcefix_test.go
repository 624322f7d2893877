package api

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"

	"vigil/scheduler"
)

// TestForceChangeRepairsADayWithNoPlan: bos's force is cut below what its day needs before
// the day is first loaded, so today has no valid plan (422) and its roster is stored with
// that force; raising the force back then makes today plannable, on both stores. Today had
// no plan, so nothing of it was kept: it is rostered and planned whole with the new force
// (its stored roster now holds it, no change is logged) and equals the plan of a server
// that had the new force all along.
func TestForceChangeRepairsADayWithNoPlan(t *testing.T) {
	for _, so := range storeOpeners {
		t.Run(so.name, func(t *testing.T) {
			ds, st := seededOn(t, so.open)
			h := newHarnessOn(t, ds, st)
			ctx := context.Background()
			sup := h.token(RoleSupervisor, "bos", "")
			d := scheduler.ServiceDateOf(start, scheduler.DefaultShifts(), bosLoc)
			plan := "/v1/plans/bos/" + d.String()
			_, f, err := h.srv.region(ctx, "bos")
			if err != nil {
				t.Fatal(err)
			}
			small := f
			small.Officers = 1
			if err := st.PutForce(ctx, small); err != nil {
				t.Fatal(err)
			}
			if code, body := h.do(http.MethodGet, plan, sup, ""); code != http.StatusUnprocessableEntity {
				t.Fatalf("GET today's plan with 1 officer = %d %.300s; want 422 (the test needs a day with no plan)", code, body)
			}
			if r, err := st.DayRoster(ctx, "bos", d); err != nil || r.Force.Officers != 1 {
				t.Fatalf("stored roster of today = %+v, %v; want one with the 1-officer force", r.Force.Officers, err)
			}
			if code, body := h.do(http.MethodPatch, "/v1/force/bos", sup, fmt.Sprintf(`{"officers":%d}`, f.Officers)); code != http.StatusOK {
				t.Fatalf("PATCH force back to %d officers = %d %s; want 200", f.Officers, code, body)
			}
			got := getOK(t, h, plan, sup)
			ref := newHarness(t) // has the force all along
			if want := getOK(t, ref, plan, ref.token(RoleSupervisor, "bos", "")); string(got) != string(want) {
				t.Errorf("today's plan after the force change differs from a server that had the force all along:\ngot  %.300s\nwant %.300s", got, want)
			}
			r, err := st.DayRoster(ctx, "bos", d)
			if err != nil || r.Force.Officers != f.Officers || r.Duty == nil {
				t.Errorf("stored roster of today after the change: %d officers, duty %v, %v; want %d officers with a duty", r.Force.Officers, r.Duty != nil, err, f.Officers)
			}
			changes, err := st.Changes(ctx, "bos", d)
			if err != nil || len(changes) != 0 {
				t.Errorf("today's change log = %+v, %v; want empty (the day is planned whole)", changes, err)
			}
			if hist, err := st.ForceHistory(ctx, "bos"); err != nil || len(hist) != 1 || hist[0].Force.Officers != 1 {
				t.Errorf("force history = %+v, %v; want the 1-officer force kept", hist, err)
			}
		})
	}
}

// addChangeFailingStore fails AddChange, as a store that goes down between two writes.
type addChangeFailingStore struct {
	scheduler.Store
	calls atomic.Int32
}

func (s *addChangeFailingStore) AddChange(ctx context.Context, region string, d scheduler.Date, c scheduler.Change) error {
	s.calls.Add(1)
	return fmt.Errorf("add change: %w", scheduler.ErrUnavailable)
}

// TestForceChangeIsOneWrite: a force change is written whole or not at all. With a store
// that fails every write but the force change's own (AddChange here), PATCH /v1/force
// succeeds and leaves a consistent store on both kinds: the new force, the replaced one in
// the force history, today's log holding the force change, and today's plan re-planned
// from it (revision 1, the new unit working). Logging today's change in a second write
// left the force changed and today not re-planned.
func TestForceChangeIsOneWrite(t *testing.T) {
	for _, so := range storeOpeners {
		t.Run(so.name, func(t *testing.T) {
			ds, inner := seededOn(t, so.open)
			st := &addChangeFailingStore{Store: inner}
			h := newHarnessOn(t, ds, st)
			ctx := context.Background()
			sup := h.token(RoleSupervisor, "bos", "")
			d := scheduler.ServiceDateOf(start, scheduler.DefaultShifts(), bosLoc)
			plan := "/v1/plans/bos/" + d.String()
			getOK(t, h, plan, sup)
			_, f, err := h.srv.region(ctx, "bos")
			if err != nil {
				t.Fatal(err)
			}
			if code, body := h.do(http.MethodPatch, "/v1/force/bos", sup, fmt.Sprintf(`{"units":{"vehicle":2},"officers":%d}`, f.Officers+9)); code != http.StatusOK {
				t.Fatalf("PATCH force with AddChange failing = %d %s (AddChange called %d times); want 200", code, body, st.calls.Load())
			}
			if nf, err := inner.Force(ctx, "bos"); err != nil || nf.Units[scheduler.Vehicle] != 2 {
				t.Fatalf("force after the change = %d vehicle units, %v; want 2", nf.Units[scheduler.Vehicle], err)
			}
			if hist, err := inner.ForceHistory(ctx, "bos"); err != nil || len(hist) != 1 || hist[0].Force.Units[scheduler.Vehicle] != 1 {
				t.Errorf("force history = %+v, %v; want the 1-vehicle force kept", hist, err)
			}
			changes, err := inner.Changes(ctx, "bos", d)
			if err != nil || len(changes) != 1 || changes[0].Force == nil || changes[0].Force.Units[scheduler.Vehicle] != 2 {
				t.Fatalf("today's log = %+v, %v; want the force change", changes, err)
			}
			// A server that reads the store afresh plans today from the change.
			fresh := newHarnessOn(t, ds, inner)
			var p scheduler.Plan
			fresh.getJSON(plan, fresh.token(RoleSupervisor, "bos", ""), &p)
			sd := p.ServiceDays[0]
			v02 := 0
			for _, r := range sd.Routes {
				if r.Unit == "bos-v02" {
					v02 += len(r.Visits)
				}
			}
			if sd.Revision != 1 || v02 == 0 {
				t.Errorf("today's plan after the change: revision %d, %d visits by bos-v02; want revision 1 and the new unit working", sd.Revision, v02)
			}
		})
	}
}
