package api

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"vigil/scheduler"
)

// postCallOffHarness returns a harness whose bos region has named officers (officer n
// holding quals(n)), two vehicle units and one fixed post (at cg-france-bos), and today's
// service date.
func postCallOffHarness(t *testing.T, officers int, quals func(n int) []scheduler.Qualification) (*harness, scheduler.Date) {
	t.Helper()
	h := newHarness(t)
	ctx := context.Background()
	_, f, err := h.srv.region(ctx, "bos")
	if err != nil {
		t.Fatal(err)
	}
	f.Units = map[scheduler.Mode]int{scheduler.Vehicle: 2, scheduler.Foot: 0}
	f.Roster = nil
	for n := 1; n <= officers; n++ {
		f.Roster = append(f.Roster, scheduler.Officer{ID: scheduler.OfficerID("bos", n), Name: "Officer", Region: "bos", Quals: quals(n)})
	}
	f.Officers = officers
	if err := h.store.PutForce(ctx, f); err != nil {
		t.Fatal(err)
	}
	one := 1
	if _, err := h.store.UpdateMission(ctx, "cg-france-bos", func(r *scheduler.MissionRecord) error {
		r.Mission.FixedPosts = &one
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return h, scheduler.ServiceDateOf(start, f.Shifts, bosLoc)
}

// postCoverage returns, per minute of sd, how many officers stand each post, as
// "post@unix-minute" → count.
func postCoverage(sd scheduler.ServiceDay) map[string]int {
	out := map[string]int{}
	for _, p := range sd.Posts {
		for _, b := range p.Blocks {
			for m := b.Start; m.Before(b.End); m = m.Add(time.Minute) {
				if b.Officer != "" {
					out[p.Post+"@"+m.UTC().Format(time.RFC3339)]++
				}
			}
		}
	}
	return out
}

// TestCallOffEmptyPostDegrades (issue 15): a post team member is called off when no
// qualified officer is free to take the post (everyone on duty without a position and
// everyone off today is called off first, so neither a reserve nor a chain move can cover
// it). The call-off is accepted and degrades the plan as an out-of-service unit would: the
// answer names the empty post place and the unit taken out, whose post-qualified crew
// member takes the post over from the call-off's minute, so the post stays staffed to the
// minute (DESIGN.md §2, a hard rule); the unit makes no visit from then; the supervisors
// get the out-of-service and call-off events naming the post and the unit.
func TestCallOffEmptyPostDegrades(t *testing.T) {
	h, d := postCallOffHarness(t, 28, func(int) []scheduler.Qualification {
		return []scheduler.Qualification{scheduler.QualVehicle, scheduler.QualFoot, scheduler.QualPost}
	})
	ctx := context.Background()
	sup := h.token(RoleSupervisor, "bos", "")
	post, called, mid := noOneFreeForPost(t, h, d)

	code, body := h.do(http.MethodPost, "/v1/officers/"+called+"/call-off", sup, `{"reason":"sick"}`)
	if code != http.StatusOK {
		t.Fatalf("call-off of post stander %s = %d %s; want 200 (a unit taken out of service absorbs the post place)", called, code, body)
	}
	var out struct {
		From           time.Time
		Replacements   []scheduler.Replacement
		EmptyPositions []scheduler.Replacement `json:"empty_positions"`
		OutOfService   []string                `json:"out_of_service"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatal(err)
	}
	if len(out.EmptyPositions) != 1 || out.EmptyPositions[0].Post != post.Post || out.EmptyPositions[0].Officer != called ||
		out.EmptyPositions[0].By != "" || out.EmptyPositions[0].Unit != "" {
		t.Fatalf("empty positions %+v; want one: %s's place on post %s", out.EmptyPositions, called, post.Post)
	}
	if len(out.OutOfService) != 1 {
		t.Fatalf("out of service %v; want one unit", out.OutOfService)
	}
	unit := out.OutOfService[0]
	var crew []string
	for _, r := range mid.Routes {
		if r.Unit == unit && r.Start.Before(out.From.Add(time.Minute)) && out.From.Before(r.End) {
			crew = r.Officers
		}
	}
	var by string
	for _, r := range out.Replacements {
		if r.Post == post.Post && r.Officer == called {
			by = r.By
		}
	}
	if by == "" || !slices.Contains(crew, by) {
		t.Fatalf("replacements %+v; want %s's post place taken by a crew member of %s %v", out.Replacements, called, unit, crew)
	}

	after, err := h.srv.serviceDay(ctx, "bos", d)
	if err != nil {
		t.Fatal(err)
	}
	in, _, err := h.srv.dayInputs(ctx, "bos", d)
	if err != nil {
		t.Fatal(err)
	}
	p, err := h.srv.dayPlan(ctx, "bos", d)
	if err != nil {
		t.Fatal(err)
	}
	if vs := scheduler.Verify(in, p); len(vs) > 0 {
		t.Errorf("Verify after the call-off: %v", vs)
	}
	// The post is staffed exactly as before, minute by minute, and never by the officer
	// called off from the call-off on.
	cb, ca := postCoverage(mid), postCoverage(after)
	for k, n := range cb {
		if ca[k] != n {
			t.Errorf("post staffing at %s: %d officers after the call-off; want %d as before", k, ca[k], n)
			break
		}
	}
	if len(ca) != len(cb) {
		t.Errorf("post staffed %d officer-minutes after the call-off; want %d as before", len(ca), len(cb))
	}
	stands := false
	for _, p := range after.Posts {
		for _, b := range p.Blocks {
			if b.Officer == called && out.From.Before(b.End) {
				t.Errorf("%s called off at %s still stands post %s until %s", called, out.From, p.Post, b.End)
			}
			stands = stands || (b.Officer == by && !out.From.Before(b.Start) && out.From.Before(b.End))
		}
	}
	if !stands {
		t.Errorf("%s does not stand post %s from %s", by, post.Post, out.From)
	}
	for _, r := range after.Routes {
		if r.Unit != unit {
			continue
		}
		for _, v := range r.Visits {
			if !v.Arrive.Before(out.From) {
				t.Errorf("%s out of service from %s visits %s at %s", unit, out.From, v.Mission, v.Arrive)
			}
		}
	}

	es, err := h.store.Events(ctx, "bos", "", 500)
	if err != nil {
		t.Fatal(err)
	}
	oos, co := false, false
	for _, e := range es {
		if len(e.Officers) != 0 {
			continue // not the supervisors'
		}
		raw := string(e.Data)
		names := strings.Contains(raw, `"post":"`+post.Post+`"`) && strings.Contains(raw, `"`+unit+`"`)
		switch e.Type {
		case EventUnitOutOfService:
			oos = oos || names
		case EventCallOff:
			co = co || (names && strings.Contains(raw, called))
		}
	}
	if !oos || !co {
		t.Errorf("supervisor events: out of service naming %s and post %s %v, call-off naming both %v; want both", unit, post.Post, oos, co)
	}
}

// noOneFreeForPost calls off every officer of bos holding no position today (freeToday),
// so no one is free to take a post place, and returns today's one post, the officer
// standing it now, and the day after those call-offs.
func noOneFreeForPost(t *testing.T, h *harness, d scheduler.Date) (scheduler.Post, string, scheduler.ServiceDay) {
	t.Helper()
	ctx := context.Background()
	sup := h.token(RoleSupervisor, "bos", "")
	before, err := h.srv.serviceDay(ctx, "bos", d)
	if err != nil {
		t.Fatal(err)
	}
	if len(before.Posts) != 1 {
		t.Fatalf("today has %d posts; the test needs 1", len(before.Posts))
	}
	post := before.Posts[0]
	now := h.clock.Now()
	var called string
	for _, b := range post.Blocks {
		if !now.Before(b.Start) && now.Before(b.End) {
			called = b.Officer
		}
	}
	if called == "" {
		t.Fatalf("no one stands post %s at %s", post.Post, now.Format("15:04"))
	}
	for _, x := range freeToday(t, h, d, before) {
		if code, body := h.do(http.MethodPost, "/v1/officers/"+x+"/call-off", sup, `{"reason":"sick"}`); code != http.StatusOK {
			t.Fatalf("call-off of %s (no position today) = %d %s; want 200", x, code, body)
		}
	}
	mid, err := h.srv.serviceDay(ctx, "bos", d)
	if err != nil {
		t.Fatal(err)
	}
	return post, called, mid
}

// TestCallOffEmptyPostRefusedWhenNoUnitCanAbsorb: as TestCallOffEmptyPostDegrades, but no
// crew member is post-qualified (posts and crews are kept by different officers), so no
// unit taken out of service frees anyone for the post: the call-off is refused (422)
// naming the post place, and nothing of it is stored: the day's log and plan are as
// before, the post still stood by the officer.
func TestCallOffEmptyPostRefusedWhenNoUnitCanAbsorb(t *testing.T) {
	h, d := postCallOffHarness(t, 30, func(n int) []scheduler.Qualification {
		if n <= 10 {
			return []scheduler.Qualification{scheduler.QualPost}
		}
		return []scheduler.Qualification{scheduler.QualVehicle, scheduler.QualFoot}
	})
	ctx := context.Background()
	sup := h.token(RoleSupervisor, "bos", "")
	post, called, mid := noOneFreeForPost(t, h, d)
	logBefore, err := h.store.Changes(ctx, "bos", d)
	if err != nil {
		t.Fatal(err)
	}
	code, body := h.do(http.MethodPost, "/v1/officers/"+called+"/call-off", sup, `{"reason":"sick"}`)
	if code != http.StatusUnprocessableEntity || !strings.Contains(string(body), "post "+post.Post) ||
		!strings.Contains(string(body), called) || !strings.Contains(string(body), "out of service") {
		t.Fatalf("call-off of post stander %s = %d %s; want 422 naming %s's place on post %s", called, code, body, called, post.Post)
	}
	logAfter, err := h.store.Changes(ctx, "bos", d)
	if err != nil {
		t.Fatal(err)
	}
	if len(logAfter) != len(logBefore) {
		t.Errorf("today's log has %d changes after the refused call-off; want %d as before", len(logAfter), len(logBefore))
	}
	after, err := h.srv.serviceDay(ctx, "bos", d)
	if err != nil {
		t.Fatal(err)
	}
	if after.Version != mid.Version || !maps.Equal(postCoverage(after), postCoverage(mid)) {
		t.Errorf("today's plan changed with a refused call-off (version %s, was %s)", after.Version, mid.Version)
	}
}

// freeToday returns the officers of bos who hold no position in sd from now on: off
// today, or on duty now without a position (reserves).
func freeToday(t *testing.T, h *harness, d scheduler.Date, sd scheduler.ServiceDay) []string {
	t.Helper()
	ctx := context.Background()
	_, f, err := h.srv.region(ctx, "bos")
	if err != nil {
		t.Fatal(err)
	}
	now := h.clock.Now()
	holds := map[string]bool{}
	for _, r := range sd.Routes {
		if now.Before(r.End) {
			for _, o := range r.Officers {
				holds[o] = true
			}
		}
	}
	for _, p := range sd.Posts {
		for _, b := range p.Blocks {
			if now.Before(b.End) {
				holds[b.Officer] = true
			}
		}
	}
	var out []string
	for _, o := range f.OfficerList() {
		if !holds[o.ID] {
			out = append(out, o.ID)
		}
	}
	if len(out) == 0 {
		t.Fatal("every officer holds a position today; the test needs some free")
	}
	return out
}
