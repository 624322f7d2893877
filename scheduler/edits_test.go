package scheduler

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"
)

// editBase is a day to edit: a synthetic region, its plan and a change time 3 h 17 min in.
func editBase(t *testing.T, seed uint64) (Inputs, ServiceDay, time.Time) {
	t.Helper()
	in := synthInputs(t, seed, 24, 3, -28, 0, "America/New_York")
	base, err := PlanServiceDay(in, testKey, Date{2026, 11, 27}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return in, base, base.Start.Add(197 * time.Minute)
}

// farthest returns the mission farthest from mission i.
func farthest(in Inputs, i int) Mission {
	tr := TravelModel(in.Force)(Vehicle)
	best, bt := in.Missions[i], -1
	for _, m := range in.Missions {
		if d := tr.Minutes(MissionPoint(in.Missions[i]), MissionPoint(m)); d > bt {
			best, bt = m, d
		}
	}
	return best
}

type unitVisit struct {
	unit string
	v    Visit
}

// visitsByUnit returns every unit's visits in time order.
func visitsByUnit(sd ServiceDay) map[string][]Visit {
	out := map[string][]Visit{}
	for _, r := range sd.Routes {
		out[r.Unit] = append(out[r.Unit], r.Visits...)
	}
	for _, vs := range out {
		sort.Slice(vs, func(a, b int) bool { return vs[a].Arrive.Before(vs[b].Arrive) })
	}
	return out
}

// visitsTo returns the visits to mission id arriving at or after t.
func visitsTo(sd ServiceDay, id string, t time.Time) []unitVisit {
	var out []unitVisit
	for _, r := range sd.Routes {
		for _, v := range r.Visits {
			if v.Mission == id && !v.Arrive.Before(t) {
				out = append(out, unitVisit{r.Unit, v})
			}
		}
	}
	return out
}

// TestEditMoveTakesEffect moves a mission at t to where the mission farthest from it is
// (DESIGN.md §3: the rest of the day is re-drawn with the new inputs): every leg to or
// from a visit to it begun from t leaves the travel time from or to its new place, the
// past is kept, and the day passes the verifier. Before the fix the re-plan kept routing
// units to its old place.
func TestEditMoveTakesEffect(t *testing.T) {
	for _, seed := range []uint64{11, 12, 13} {
		in, base, at := editBase(t, seed)
		m := in.Missions[int(seed)%len(in.Missions)]
		to := farthest(in, int(seed)%len(in.Missions))
		moved := m
		moved.Lat, moved.Lon = to.Lat+0.001, to.Lon+0.001
		changes := []Change{{At: at, Edit: m.ID, After: &moved}}
		sd, err := Replan(in, testKey, base, changes)
		if err != nil {
			t.Fatalf("seed %d: Replan(move) error: %v", seed, err)
		}
		if got, want := visitsBefore(sd, at), visitsBefore(base, at); got != want {
			t.Errorf("seed %d: visits before the move changed", seed)
		}
		if len(visitsTo(sd, m.ID, at)) == 0 {
			t.Fatalf("seed %d: mission %s not visited after its move", seed, m.ID)
		}
		tr := TravelModel(in.Force)
		pos := func(v Visit) Mission {
			if v.Mission == m.ID && !v.Arrive.Before(at) {
				return moved
			}
			for _, x := range in.Missions {
				if x.ID == v.Mission {
					return x
				}
			}
			t.Fatalf("visit to unknown mission %s", v.Mission)
			return Mission{}
		}
		modes := unitModes(in.Force, "wfo")
		legs := 0
		for u, vs := range visitsByUnit(sd) {
			for i := 1; i < len(vs); i++ {
				a, b := vs[i-1], vs[i]
				if b.Arrive.Before(at) || a.Mission == b.Mission || (a.Mission != m.ID && b.Mission != m.ID) {
					continue
				}
				legs++
				need := tr(modes[u]).Minutes(MissionPoint(pos(a)), MissionPoint(pos(b)))
				if b.Arrive.Before(a.Depart.Add(time.Duration(need) * time.Minute)) {
					t.Errorf("seed %d: %s leaves %s at %s, reaches %s at %s; %d min needed from or to the new place",
						seed, u, a.Mission, a.Depart.Format("15:04"), b.Mission, b.Arrive.Format("15:04"), need)
				}
			}
		}
		if legs == 0 {
			t.Errorf("seed %d: no leg to or from the moved mission after the move", seed)
		}
	}
}

// TestEditDeleteTakesEffect deletes a mission at t: no visit to it begins from t, the
// visits before t are kept, and the verifier does not ask for its later visits. Before
// the fix the deleted mission was visited until the day ended.
func TestEditDeleteTakesEffect(t *testing.T) {
	for _, seed := range []uint64{21, 22} {
		in, base, at := editBase(t, seed)
		m := in.Missions[3]
		if len(visitsTo(base, m.ID, at)) == 0 {
			t.Fatalf("seed %d: the base plan does not visit %s after %s; pick another mission", seed, m.ID, at.Format("15:04"))
		}
		changes := []Change{{At: at, Edit: m.ID, Deleted: true}}
		sd, err := Replan(in, testKey, base, changes)
		if err != nil {
			t.Fatalf("seed %d: Replan(delete) error: %v", seed, err)
		}
		if got := visitsTo(sd, m.ID, at); len(got) > 0 {
			t.Errorf("seed %d: %d visits to %s begin after its deletion at %s, first by %s at %s", seed, len(got), m.ID,
				at.Format("15:04"), got[0].unit, got[0].v.Arrive.Format("15:04"))
		}
		if got, want := visitsBefore(sd, at), visitsBefore(base, at); got != want {
			t.Errorf("seed %d: visits before the deletion changed", seed)
		}
		// The verifier agrees both ways: the old plan visits a deleted mission.
		if vs := verifyDay(in, base, changes); !hasRule(vs, "when the mission did not exist") {
			t.Errorf("seed %d: verifyDay(the day before the deletion, with it) = %v; want a visit after the deletion", seed, vs)
		}
	}
}

// TestEditCreateTakesEffect creates a mission at t: it is visited from t, its first
// presence within its max gap of t, never before t. Before the fix it waited for the next
// service day.
func TestEditCreateTakesEffect(t *testing.T) {
	for _, seed := range []uint64{31, 32} {
		in, base, at := editBase(t, seed)
		near := in.Missions[5]
		nm := Mission{ID: "zz-created", Name: "Created today", Kind: "embassy", Lat: near.Lat + 0.004, Lon: near.Lon - 0.003,
			Threat: 4, Region: "wfo"}
		changes := []Change{{At: at, Edit: nm.ID, After: &nm}}
		sd, err := Replan(in, testKey, base, changes)
		if err != nil {
			t.Fatalf("seed %d: Replan(create) error: %v", seed, err)
		}
		got := visitsTo(sd, nm.ID, base.Start)
		if len(got) == 0 {
			t.Fatalf("seed %d: the mission created at %s is not visited in the rest of the day", seed, at.Format("15:04"))
		}
		first := got[0].v.Arrive
		for _, x := range got {
			if x.v.Arrive.Before(first) {
				first = x.v.Arrive
			}
		}
		mg := in.Force.Profiles[nm.Threat].MaxGapMinutes
		if first.Before(at) || first.Sub(at) > time.Duration(mg)*time.Minute {
			t.Errorf("seed %d: first visit at %s; want within %d min from %s", seed, first.Format("15:04"), mg, at.Format("15:04"))
		}
		if got, want := visitsBefore(sd, at), visitsBefore(base, at); got != want {
			t.Errorf("seed %d: visits before the creation changed", seed)
		}
		if vs := verifyDay(in, base, changes); !hasRule(vs, "no presence from minute") {
			t.Errorf("seed %d: verifyDay(the day before the creation, with it) = %v; want the created mission unvisited", seed, vs)
		}
		// A threat change on the created mission, later, applies to it.
		more := append(changes, Change{At: at.Add(95 * time.Minute), Mission: nm.ID, Threat: 5})
		if _, err := Replan(in, testKey, sd, more); err != nil {
			t.Errorf("seed %d: Replan(threat of the created mission) error: %v", seed, err)
		}
	}
}

// TestEditsInSequence makes a move, a creation and a deletion one after the other, as
// PlanServiceDay replays them: each keeps the past, the chain equals the replay, and a
// rename alone keeps the day's inputs version of an edit.
func TestEditsInSequence(t *testing.T) {
	in, base, at := editBase(t, 41)
	moved := in.Missions[2]
	moved.Lat += 0.02
	nm := Mission{ID: "zz-new", Name: "New", Lat: in.Missions[7].Lat, Lon: in.Missions[7].Lon + 0.002, Threat: 2, Region: "wfo"}
	kinds := []Change{
		{At: at, Edit: moved.ID, After: &moved},
		{At: at.Add(61 * time.Minute), Edit: nm.ID, After: &nm},
		{At: at.Add(150 * time.Minute), Edit: in.Missions[9].ID, Deleted: true},
		{At: at.Add(222 * time.Minute), Edit: nm.ID, Deleted: true},
	}
	sd := base
	var changes []Change
	for i, c := range kinds {
		changes = append(changes, c)
		prev := sd
		var err error
		if sd, err = Replan(in, testKey, prev, changes); err != nil {
			t.Fatalf("change %d: %v", i+1, err)
		}
		if got, want := visitsBefore(sd, c.At), visitsBefore(prev, c.At); got != want {
			t.Errorf("change %d at %s: visits before it changed", i+1, c.At.Format("15:04"))
		}
	}
	if n := len(visitsTo(sd, nm.ID, kinds[1].At)); n == 0 {
		t.Errorf("the created mission has no visit between its creation and deletion")
	}
	for _, id := range []string{in.Missions[9].ID, nm.ID} {
		if n := len(visitsTo(sd, id, kinds[3].At)); id == nm.ID && n > 0 {
			t.Errorf("%s visited %d times after its deletion", id, n)
		}
	}
	if n := len(visitsTo(sd, in.Missions[9].ID, kinds[2].At)); n > 0 {
		t.Errorf("%s visited %d times after its deletion", in.Missions[9].ID, n)
	}
	replay, err := PlanServiceDay(in, testKey, Date{2026, 11, 27}, changes)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := fmt.Sprint(replay.Routes), fmt.Sprint(sd.Routes); a != b {
		t.Errorf("the chain of re-plans differs from PlanServiceDay with the changes")
	}
}

// TestEditChecks refuses an edit whose fields do not fit it.
func TestEditChecks(t *testing.T) {
	in, base, at := editBase(t, 5)
	other := in.Missions[1]
	bad := Mission{ID: "zz", Threat: 9}
	for name, c := range map[string]Change{
		"other mission":        {At: at, Edit: in.Missions[0].ID, After: &other},
		"edited and deleted":   {At: at, Edit: in.Missions[0].ID, After: &in.Missions[0], Deleted: true},
		"created threat 9":     {At: at, Edit: "zz", After: &bad},
		"deletion without id":  {At: at, Deleted: true},
		"threat of no mission": {At: at, Mission: "zz", Threat: 3},
	} {
		if _, err := Replan(in, testKey, base, []Change{c}); err == nil {
			t.Errorf("Replan(%s) error = nil; want an error", name)
		}
	}
}

func hasRule(vs []Violation, detail string) bool {
	for _, v := range vs {
		if strings.Contains(v.Detail, detail) {
			return true
		}
	}
	return false
}

// TestVerifyEditedDay checks the verifier on a day whose missions were edited, both ways:
// the plan drawn before an edit breaks the edited day's rules (a visit to a moved mission
// from its old place, a visit after a deletion, a created mission unvisited), and the
// re-plan keeps them (a deleted mission's missing visits and a created one's missing
// morning are no violation).
func TestVerifyEditedDay(t *testing.T) {
	in, base, at := editBase(t, 51)
	m := in.Missions[4]
	moved := m
	to := farthest(in, 4)
	moved.Lat, moved.Lon = to.Lat+0.03, to.Lon+0.03
	nm := Mission{ID: "zz-verify", Lat: in.Missions[6].Lat + 0.002, Lon: in.Missions[6].Lon, Threat: 3, Region: "wfo"}
	del := in.Missions[8]
	cases := []struct {
		name   string
		change Change
		want   string // a violation of the plan drawn before the change
	}{
		{"move", Change{At: at, Edit: m.ID, After: &moved}, "min of travel needed"},
		{"delete", Change{At: at, Edit: del.ID, Deleted: true}, "when the mission did not exist"},
		{"create", Change{At: at, Edit: nm.ID, After: &nm}, "no presence from minute"},
	}
	for _, tc := range cases {
		changes := []Change{tc.change}
		if vs := verifyDay(in, base, changes); !hasRule(vs, tc.want) {
			t.Errorf("%s: verifyDay(the plan before it) = %v; want %q", tc.name, vs, tc.want)
		}
		sd, err := Replan(in, testKey, base, changes)
		if err != nil {
			t.Fatalf("%s: Replan error: %v", tc.name, err)
		}
		if vs := verifyDay(in, sd, changes); len(vs) > 0 {
			t.Errorf("%s: verifyDay(re-plan) = %v; want none", tc.name, vs)
		}
	}
	// A created mission visited before its creation is a violation.
	changes := []Change{{At: at, Edit: nm.ID, After: &nm}}
	sd, err := Replan(in, testKey, base, changes)
	if err != nil {
		t.Fatal(err)
	}
	early := sd
	early.Routes = append([]Route(nil), sd.Routes...)
	for i, r := range early.Routes {
		if len(r.Visits) > 0 && r.Visits[0].Arrive.Before(at) {
			vs := append([]Visit(nil), r.Visits...)
			vs[0].Mission = nm.ID
			early.Routes[i].Visits = vs
			break
		}
	}
	if vs := verifyDay(in, early, changes); !hasRule(vs, "when the mission did not exist") {
		t.Errorf("verifyDay(a visit to the created mission before its creation) = %v; want it refused", vs)
	}
}

// TestEditDeleteThenRecreate deletes a mission and creates it again later the same day
// (a deletion by mistake): it gets no visit between the two, is visited again within its
// max gap of its re-creation, and the visits before its deletion stand.
func TestEditDeleteThenRecreate(t *testing.T) {
	in, base, at := editBase(t, 61)
	m := in.Missions[10]
	again := at.Add(70 * time.Minute)
	changes := []Change{{At: at, Edit: m.ID, Deleted: true}}
	sd, err := Replan(in, testKey, base, changes)
	if err != nil {
		t.Fatal(err)
	}
	changes = append(changes, Change{At: again, Edit: m.ID, After: &m})
	if sd, err = Replan(in, testKey, sd, changes); err != nil {
		t.Fatalf("Replan(re-creation) error: %v", err)
	}
	if got, want := visitsBefore(sd, at), visitsBefore(base, at); got != want {
		t.Errorf("visits before the deletion changed")
	}
	later := visitsTo(sd, m.ID, at)
	if len(later) == 0 {
		t.Fatalf("%s not visited after its re-creation at %s", m.ID, again.Format("15:04"))
	}
	first := later[0].v.Arrive
	for _, x := range later {
		if x.v.Arrive.Before(first) {
			first = x.v.Arrive
		}
	}
	mg := in.Force.Profiles[m.Threat].MaxGapMinutes
	if first.Before(again) || first.Sub(again) > time.Duration(mg)*time.Minute {
		t.Errorf("first visit after the deletion at %s; want from the re-creation at %s within %d min", first.Format("15:04"), again.Format("15:04"), mg)
	}
}
