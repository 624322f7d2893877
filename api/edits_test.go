package api

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"testing"
	"time"

	"vigil/geo"
	"vigil/scheduler"
)

// editDay is a live bos service day for the mission edit tests: its date, an admin and a
// supervisor token, its missions and force.
type editDay struct {
	h          *harness
	d          scheduler.Date
	admin, sup string
	missions   []scheduler.Mission
	force      scheduler.RegionForce
}

func newEditDay(t *testing.T) *editDay {
	h := newHarness(t)
	ctx := context.Background()
	recs, err := h.store.Missions(ctx, "bos")
	if err != nil || len(recs) < 3 {
		t.Fatalf("bos missions = %d, %v; want at least 3", len(recs), err)
	}
	f, err := h.store.Force(ctx, "bos")
	if err != nil {
		t.Fatal(err)
	}
	e := &editDay{h: h, d: scheduler.ServiceDateOf(start, scheduler.DefaultShifts(), bosLoc),
		admin: h.token(RoleAdmin, "", ""), sup: h.token(RoleSupervisor, "bos", ""), force: f}
	for _, r := range recs {
		e.missions = append(e.missions, r.Mission)
	}
	return e
}

func (e *editDay) plan() scheduler.ServiceDay {
	var p scheduler.Plan
	e.h.getJSON("/v1/plans/bos/"+e.d.String(), e.admin, &p)
	return p.ServiceDays[0]
}

// arrivalsFrom returns the arrivals of the visits to mission id at or after t, in order.
func arrivalsFrom(sd scheduler.ServiceDay, id string, t time.Time) []time.Time {
	var out []time.Time
	for _, r := range sd.Routes {
		for _, v := range r.Visits {
			if v.Mission == id && !v.Arrive.Before(t) {
				out = append(out, v.Arrive)
			}
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Before(out[b]) })
	return out
}

// TestMissionEditsReachTheDay edits missions of a live service day through the API and
// reads the plan back (DESIGN.md §3: a change at t keeps what started before t and
// re-draws the rest with the new inputs): a mission moved at t is reached from its new
// place, one deleted at t gets no visit from t, and one created at t is visited from t
// within its max gap. Before the fix the day kept the missions it started with: the moved
// mission was routed to its old place, the deleted one visited all day, the new one not
// at all.
func TestMissionEditsReachTheDay(t *testing.T) {
	e := newEditDay(t)
	h := e.h
	// Move the first mission past the one farthest from it.
	m := e.missions[0]
	far := m
	for _, x := range e.missions {
		if geo.Haversine(scheduler.MissionPoint(m), scheduler.MissionPoint(x)) > geo.Haversine(scheduler.MissionPoint(m), scheduler.MissionPoint(far)) {
			far = x
		}
	}
	moved := m
	moved.Lat, moved.Lon = far.Lat+0.05, far.Lon+0.05 // some 7 km past the farthest
	at := start.Add(97 * time.Minute)
	h.clock.Set(at)
	e.plan()
	if code, body := h.do("PATCH", "/v1/missions/"+m.ID, e.sup, fmt.Sprintf(`{"lat":%f,"lon":%f}`, moved.Lat, moved.Lon)); code != http.StatusOK {
		t.Fatalf("move = %d %s", code, body)
	}
	moved.Lat, moved.Lon = float64(float32(moved.Lat)), float64(float32(moved.Lon))
	sd := e.plan()
	tr := scheduler.TravelModel(e.force)
	where := map[string]scheduler.Mission{}
	for _, x := range e.missions {
		where[x.ID] = x
	}
	pos := func(v scheduler.Visit) geo.Point {
		if v.Mission == m.ID && !v.Arrive.Before(at) {
			return geo.Point{Lat: moved.Lat, Lon: moved.Lon}
		}
		return scheduler.MissionPoint(where[v.Mission])
	}
	legs := 0
	byUnit := map[string][]scheduler.Visit{}
	modes := map[string]scheduler.Mode{}
	for _, r := range sd.Routes {
		byUnit[r.Unit] = append(byUnit[r.Unit], r.Visits...)
		modes[r.Unit] = r.Mode
	}
	for u, vs := range byUnit {
		sort.Slice(vs, func(a, b int) bool { return vs[a].Arrive.Before(vs[b].Arrive) })
		for i := 1; i < len(vs); i++ {
			a, b := vs[i-1], vs[i]
			if b.Arrive.Before(at) || a.Mission == b.Mission || (a.Mission != m.ID && b.Mission != m.ID) {
				continue
			}
			legs++
			// One minute of slack for the rounding of the patched coordinates.
			need := tr(modes[u]).Minutes(pos(a), pos(b)) - 1
			if b.Arrive.Before(a.Depart.Add(time.Duration(need) * time.Minute)) {
				t.Errorf("after the move: %s leaves %s at %s, reaches %s at %s; %d min needed from or to its new place",
					u, a.Mission, a.Depart.Format("15:04"), b.Mission, b.Arrive.Format("15:04"), need)
			}
		}
	}
	if legs == 0 {
		t.Errorf("no leg to or from %s after its move at %s", m.ID, at.Format("15:04"))
	}

	// Delete the second mission 41 minutes later.
	del := e.missions[1]
	at = at.Add(41 * time.Minute)
	h.clock.Set(at)
	if n := len(arrivalsFrom(e.plan(), del.ID, at)); n == 0 {
		t.Fatalf("the plan has no visit to %s after %s; the deletion test proves nothing", del.ID, at.Format("15:04"))
	}
	if code, body := h.do("DELETE", "/v1/missions/"+del.ID, e.sup, ""); code != http.StatusNoContent {
		t.Fatalf("delete = %d %s", code, body)
	}
	if got := arrivalsFrom(e.plan(), del.ID, at); len(got) > 0 {
		t.Errorf("%d visits to %s after its deletion at %s, the first at %s", len(got), del.ID, at.Format("15:04"), got[0].Format("15:04"))
	}

	// Create a mission 53 minutes later, next to the third.
	near := e.missions[2]
	at = at.Add(53 * time.Minute)
	h.clock.Set(at)
	body := fmt.Sprintf(`{"id":"emb-edit-bos","name":"Embassy of Edits","kind":"embassy","country":"Testland","address":"1 Test St","city":"Boston","state":"MA","lat":%f,"lon":%f,"threat":3,"region":"bos"}`,
		near.Lat+0.003, near.Lon-0.002)
	if code, b := h.do("POST", "/v1/missions", e.sup, body); code != http.StatusCreated {
		t.Fatalf("create = %d %s", code, b)
	}
	sd = e.plan()
	got := arrivalsFrom(sd, "emb-edit-bos", sd.Start)
	if len(got) == 0 {
		t.Fatalf("the mission created at %s has no visit in the rest of its day", at.Format("15:04"))
	}
	mg := e.force.Profiles[3].MaxGapMinutes
	if got[0].Before(at) || got[0].Sub(at) > time.Duration(mg)*time.Minute {
		t.Errorf("created at %s, first visited at %s; want within its max gap (%d min)", at.Format("15:04"), got[0].Format("15:04"), mg)
	}
	if sd.Revision != 3 {
		t.Errorf("revision %d after three edits; want 3", sd.Revision)
	}
}

// TestMissionEditOutOfReachRefused: an edit with which the rest of the live day cannot be
// planned (a mission moved some 220 km away from its units) is refused with nothing
// stored: the mission keeps its place and the day its plan and revision.
func TestMissionEditOutOfReachRefused(t *testing.T) {
	e := newEditDay(t)
	h := e.h
	m := e.missions[0]
	h.clock.Set(start.Add(83 * time.Minute))
	before := e.plan()
	code, body := h.do("PATCH", "/v1/missions/"+m.ID, e.sup, fmt.Sprintf(`{"lat":%f,"lon":%f}`, m.Lat+2, m.Lon))
	if code != http.StatusUnprocessableEntity {
		t.Fatalf("move of 220 km = %d %s; want 422", code, body)
	}
	var got struct {
		Lat float64 `json:"lat"`
	}
	h.getJSON("/v1/missions/"+m.ID, e.admin, &got)
	if got.Lat != m.Lat {
		t.Errorf("mission at lat %v after the refused move; want %v", got.Lat, m.Lat)
	}
	after := e.plan()
	if after.Revision != before.Revision || after.Version != before.Version {
		t.Errorf("plan revision %d → %d, version changed %v; want unchanged", before.Revision, after.Revision, after.Version != before.Version)
	}
}
