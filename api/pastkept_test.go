package api

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"vigil/scheduler"
)

// begunBefore lists, in a fixed order, every visit and post block of a service day that
// started before t, with its unit or post, its end and who stands it.
func begunBefore(sd scheduler.ServiceDay, t time.Time) []string {
	var out []string
	for _, r := range sd.Routes {
		for _, v := range r.Visits {
			if v.Arrive.Before(t) {
				out = append(out, fmt.Sprintf("visit %s %s %s %s–%s", r.Unit, r.Shift, v.Mission, v.Arrive.UTC().Format(time.RFC3339), v.Depart.UTC().Format(time.RFC3339)))
			}
		}
		if r.Start.Before(t) {
			out = append(out, fmt.Sprintf("crew %s %s %v", r.Unit, r.Shift, r.Officers))
		}
	}
	for _, p := range sd.Posts {
		for _, b := range p.Blocks {
			if b.Start.Before(t) {
				out = append(out, fmt.Sprintf("block %s %s %s–%s", p.Post, b.Officer, b.Start.UTC().Format(time.RFC3339), b.End.UTC().Format(time.RFC3339)))
			}
		}
	}
	sort.Strings(out)
	return out
}

// TestChangeKeepsThePast applies every kind of change the API offers to a live service day,
// one after the other at odd times of the day shift: a rename, a move, a new mission, a
// threat change, a change of fixed posts, a deletion of the new mission and of a shipped
// one. Each keeps every visit and post block that started before it, bumps the revision
// and is announced (DESIGN.md §3: a change at t keeps every visit that started before t).
func TestChangeKeepsThePast(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	d := scheduler.ServiceDateOf(start, scheduler.DefaultShifts(), bosLoc)
	admin := h.token(RoleAdmin, "", "")
	sup := h.token(RoleSupervisor, "bos", "")
	recs, err := h.store.Missions(ctx, "bos")
	if err != nil || len(recs) < 3 {
		t.Fatalf("bos missions = %d, %v; want 3", len(recs), err)
	}
	m0, m1, m2 := recs[0].Mission, recs[1].Mission, recs[2].Mission
	steps := []struct {
		name, method, path, body string
		want                     int
	}{
		{"rename", "PATCH", "/v1/missions/" + m0.ID, `{"name":"` + m0.Name + ` (renamed)"}`, http.StatusOK},
		{"move", "PATCH", "/v1/missions/" + m1.ID, fmt.Sprintf(`{"lat":%f,"lon":%f}`, m1.Lat+0.002, m1.Lon-0.002), http.StatusOK},
		{"create", "POST", "/v1/missions", fmt.Sprintf(`{"id":"emb-test-bos","name":"Embassy of Test","kind":"embassy","country":"Testland","address":"1 Test St","city":"Boston","state":"MA","lat":%f,"lon":%f,"threat":2,"region":"bos"}`, m2.Lat+0.003, m2.Lon+0.003), http.StatusCreated},
		{"threat", "PATCH", "/v1/missions/" + m2.ID, `{"threat":3}`, http.StatusOK},
		{"posts", "PATCH", "/v1/missions/" + m1.ID, `{"fixed_posts":0}`, http.StatusOK},
		{"delete-new", "DELETE", "/v1/missions/emb-test-bos", "", http.StatusNoContent},
		{"delete-shipped", "DELETE", "/v1/missions/" + m1.ID, "", http.StatusNoContent},
	}
	at := start.Add(7 * time.Minute)
	for i, st := range steps {
		h.clock.Set(at)
		var before scheduler.Plan
		h.getJSON("/v1/plans/bos/"+d.String(), admin, &before)
		events, err := h.store.Events(ctx, "bos", "", EventsKept)
		if err != nil {
			t.Fatal(err)
		}
		if code, body := h.do(st.method, st.path, sup, st.body); code != st.want {
			t.Fatalf("%s: %s %s = %d %s; want %d", st.name, st.method, st.path, code, body, st.want)
		}
		var after scheduler.Plan
		h.getJSON("/v1/plans/bos/"+d.String(), admin, &after)
		b, a := before.ServiceDays[0], after.ServiceDays[0]
		got, want := begunBefore(a, at), begunBefore(b, at)
		if len(want) == 0 {
			t.Fatalf("%s at %s: nothing had started; the test proves nothing", st.name, at.Format("15:04"))
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s at %s changed what had started before it:\n got %d: %s\nwant %d: %s", st.name, at.Format("15:04"), len(got), strings.Join(got, "\n  "), len(want), strings.Join(want, "\n  "))
		}
		if a.Revision != b.Revision+1 {
			t.Errorf("%s: revision %d → %d; want +1", st.name, b.Revision, a.Revision)
		}
		if a.Version == b.Version {
			t.Errorf("%s: inputs version unchanged", st.name)
		}
		now, err := h.store.Events(ctx, "bos", "", EventsKept)
		if err != nil {
			t.Fatal(err)
		}
		if len(now) <= len(events) {
			t.Errorf("%s: no event published", st.name)
		}
		for _, e := range now[len(events):] {
			if strings.Contains(string(e.Data), jtiOfToken(t, sup)) {
				t.Errorf("%s: event %s shows the supervisor's token id: %s", st.name, e.Type, e.Data)
			}
		}
		at = at.Add(time.Duration(31+6*i) * time.Minute)
	}
}

// TestRenameKeepsElapsedVisits is the probe's case: a rename late in the day leaves every
// visit that had started identical, including those of the shifts already ended.
func TestRenameKeepsElapsedVisits(t *testing.T) {
	h := newHarness(t)
	d := scheduler.ServiceDateOf(start, scheduler.DefaultShifts(), bosLoc)
	admin := h.token(RoleAdmin, "", "")
	at := start.Add(9*time.Hour + 13*time.Minute) // 19:13, the evening shift
	h.clock.Set(at)
	var before, after scheduler.Plan
	h.getJSON("/v1/plans/bos/"+d.String(), admin, &before)
	if code, body := h.do("PATCH", "/v1/missions/cg-france-bos", admin, `{"name":"Consulate General of France (renamed)"}`); code != http.StatusOK {
		t.Fatalf("rename = %d %s", code, body)
	}
	h.getJSON("/v1/plans/bos/"+d.String(), admin, &after)
	want, got := begunBefore(before.ServiceDays[0], at), begunBefore(after.ServiceDays[0], at)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rename changed the elapsed day: %d of %d entries kept", countSame(got, want), len(want))
	}
	if r := after.ServiceDays[0].Revision; r != before.ServiceDays[0].Revision+1 {
		t.Errorf("revision after rename = %d; want %d", r, before.ServiceDays[0].Revision+1)
	}
	// The next service day, not begun, plans with the new name.
	var next scheduler.Plan
	h.getJSON("/v1/plans/bos/"+d.AddDays(1).String(), admin, &next)
	for _, m := range next.Missions {
		if m.ID == "cg-france-bos" && !strings.HasSuffix(m.Name, "(renamed)") {
			t.Errorf("next day's mission name = %q; want the new one", m.Name)
		}
	}
}

func countSame(a, b []string) int {
	in := map[string]bool{}
	for _, s := range b {
		in[s] = true
	}
	n := 0
	for _, s := range a {
		if in[s] {
			n++
		}
	}
	return n
}
