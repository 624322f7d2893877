package api

import (
	"context"
	"net/http"
	"testing"
	"time"

	"vigil/scheduler"
)

// TestPatchForceReplansFromNow adds a vehicle unit to bos at 10:00: the morning's visits
// are kept, the new unit works only from 10:00, the day's change log records the force
// change with its time, the plan served after it is the re-plan, and the next service day
// is planned with the new force from its start. A force the day cannot be re-planned with
// is refused with nothing stored.
func TestPatchForceReplansFromNow(t *testing.T) {
	h := newHarness(t)
	sup := h.token(RoleSupervisor, "bos", "")
	d := scheduler.Date{Year: 2026, Month: 11, Day: 27}
	var before scheduler.Plan
	h.getJSON("/v1/plans/bos/"+d.String(), sup, &before)

	if code, body := h.do("PATCH", "/v1/force/bos", sup, `{"units":{"vehicle":0}}`); code != http.StatusUnprocessableEntity {
		t.Fatalf("PATCH force with no units = %d %s; want 422", code, body)
	}
	if code, body := h.do("PATCH", "/v1/force/bos", sup, `{"units":{"vehicle":2},"officers":12}`); code != http.StatusOK {
		t.Fatalf("PATCH force = %d %s; want 200", code, body)
	}
	changes, err := h.store.Changes(context.Background(), "bos", d)
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 1 || changes[0].Force == nil || !changes[0].At.Equal(start) || changes[0].Force.Units[scheduler.Vehicle] != 2 {
		t.Fatalf("change log = %+v; want one force change at %s with 2 vehicle units", changes, start)
	}
	var after scheduler.Plan
	h.getJSON("/v1/plans/bos/"+d.String(), sup, &after)
	sd := after.ServiceDays[0]
	if sd.Revision != 1 || sd.Version == before.ServiceDays[0].Version {
		t.Errorf("plan after the force change: revision %d version %s; want revision 1 and a new version", sd.Revision, sd.Version)
	}
	kept := visitSet(sd)
	morning := 0
	for k := range visitSet(before.ServiceDays[0]) {
		if k.arrive < start.Unix() {
			morning++
			if !kept[k] {
				t.Errorf("visit %+v before the force change was dropped", k)
			}
		}
	}
	if morning == 0 {
		t.Fatalf("no visits before %s to keep; the test needs some", start.Format("15:04"))
	}
	added := 0
	for _, r := range sd.Routes {
		if r.Unit != "bos-v02" {
			continue
		}
		if len(r.Officers) == 0 {
			t.Errorf("added unit's %s route has no crew", r.Shift)
		}
		for _, v := range r.Visits {
			added++
			if v.Arrive.Before(start) {
				t.Errorf("added unit visits %s at %s, before it was added", v.Mission, v.Arrive.Format("15:04"))
			}
		}
	}
	if added == 0 {
		t.Errorf("added unit bos-v02 has no visits after %s", start.Format("15:04"))
	}
	// The next day is planned with the new force from its start.
	var next scheduler.Plan
	h.getJSON("/v1/plans/bos/"+d.AddDays(1).String(), sup, &next)
	units := map[string]bool{}
	for _, r := range next.ServiceDays[0].Routes {
		units[r.Unit] = true
	}
	if !units["bos-v01"] || !units["bos-v02"] || next.ServiceDays[0].Revision != 0 {
		t.Errorf("next day units %v revision %d; want bos-v01 and bos-v02, revision 0", units, next.ServiceDays[0].Revision)
	}
	// A later read (another replica, a cache miss) gives the same re-plan.
	h.clock.Add(2 * time.Hour)
	var again scheduler.Plan
	h.getJSON("/v1/plans/bos/"+d.String(), sup, &again)
	if again.ServiceDays[0].Version != sd.Version {
		t.Errorf("plan read later has version %s; want %s", again.ServiceDays[0].Version, sd.Version)
	}
}
