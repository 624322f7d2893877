package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"vigil/fixtures"
	"vigil/scheduler"
)

// TestCallOffAPI (issue 15): with wfo's named officers, a call-off at 10:00 through the
// API is replaced within the rules in one request; the others' published duties change
// only where a replacement came from; events reach the replacement and the supervisor.
func TestCallOffAPI(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	named, d := useNamedWFO(t, h)
	before, err := h.srv.serviceDay(ctx, "wfo", d)
	if err != nil {
		t.Fatal(err)
	}
	// The crew of a vehicle route in progress at 10:00 (the clock's time).
	now := h.clock.Now()
	var who string
	for _, r := range before.Routes {
		if r.Mode == scheduler.Vehicle && r.Start.Before(now) && now.Before(r.End) {
			who = r.Officers[0]
			break
		}
	}
	if who == "" {
		t.Fatal("no vehicle route in progress at 10:00")
	}
	sup := h.token(RoleSupervisor, "wfo", "")
	if code, body := h.do(http.MethodPost, "/v1/officers/"+who+"/call-off", h.token(RoleSupervisor, "chi", ""), `{}`); code != http.StatusForbidden {
		t.Errorf("other region's supervisor = %d %s; want 403", code, body)
	}
	code, body := h.do(http.MethodPost, "/v1/officers/"+who+"/call-off", sup, `{"reason":"sick"}`)
	if code != http.StatusOK {
		t.Fatalf("call-off = %d %s; want 200", code, body)
	}
	var out struct {
		From         time.Time
		Replacements []scheduler.Replacement
	}
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Replacements) == 0 || !out.From.Equal(now.Truncate(time.Minute)) {
		t.Fatalf("call-off answer %s; want replacements from 10:00", body)
	}
	quals := map[string]scheduler.Officer{}
	for _, x := range named.Roster {
		quals[x.ID] = x
	}
	changed := map[string]bool{who: true}
	for _, r := range out.Replacements {
		if r.By == "" || r.By == who {
			t.Errorf("replacement %+v; want another officer", r)
		}
		changed[r.By], changed[r.Officer] = true, true
		if r.Unit != "" {
			caps := scheduler.UnitCapabilities(named, r.Unit)
			if !quals[r.By].Has(scheduler.QualVehicle) && !quals[r.By].Has(scheduler.QualFoot) ||
				slices.Contains(caps, scheduler.CanineCapability) && !quals[r.By].Has(scheduler.QualCanine) {
				t.Errorf("replacement %s on unit %s holds %v", r.By, r.Unit, quals[r.By].Quals)
			}
		}
		if r.Post != "" && !quals[r.By].Has(scheduler.QualPost) {
			t.Errorf("replacement %s on post %s holds %v", r.By, r.Post, quals[r.By].Quals)
		}
	}
	if code, _ := h.do(http.MethodPost, "/v1/officers/"+who+"/call-off", sup, `{}`); code != http.StatusConflict {
		t.Errorf("second call-off = %d; want 409", code)
	}
	if code, _ := h.do(http.MethodPost, "/v1/officers/o-wfo-999/call-off", sup, `{}`); code != http.StatusNotFound {
		t.Errorf("unknown officer = %d; want 404", code)
	}

	after, err := h.srv.serviceDay(ctx, "wfo", d)
	if err != nil {
		t.Fatal(err)
	}
	if after.Revision != before.Revision+1 {
		t.Errorf("revision %d after the call-off; want %d", after.Revision, before.Revision+1)
	}
	// Assignments per officer (relief included), before and after.
	assign := func(sd scheduler.ServiceDay) map[string][]string {
		m := map[string][]string{}
		add := func(o, what string, a, b time.Time) {
			m[o] = append(m[o], what+" "+a.Format("15:04")+"-"+b.Format("15:04"))
		}
		for _, r := range sd.Routes {
			for _, o := range r.Officers {
				end := r.End
				for _, x := range r.Reliefs {
					if x.Off == o {
						end = x.At
					}
				}
				add(o, r.Unit, r.Start, end)
			}
			for _, x := range r.Reliefs {
				add(x.On, r.Unit, x.At, r.End)
			}
		}
		for _, p := range sd.Posts {
			for _, b := range p.Blocks {
				add(b.Officer, p.Post, b.Start, b.End)
			}
		}
		for _, v := range m {
			slices.Sort(v)
		}
		return m
	}
	was, is := assign(before), assign(after)
	for id, v := range is {
		if !changed[id] && !slices.Equal(v, was[id]) {
			t.Errorf("%s's duties changed: %v → %v", id, was[id], v)
		}
	}
	for _, x := range is[who] {
		if start, end := x[len(x)-11:len(x)-6], x[len(x)-5:]; start >= "10:00" || end > "10:00" {
			t.Errorf("%s called off at 10:00 still holds %s", who, x)
		}
	}
	// The replacement is free under the rules: not twice at once.
	for _, r := range out.Replacements {
		v := is[r.By]
		for i := 1; i < len(v); i++ {
			if v[i][len(v[i])-11:len(v[i])-6] < v[i-1][len(v[i-1])-5:] && v[i][:len(v[i])-12] != v[i-1][:len(v[i-1])-12] {
				t.Errorf("replacement %s in two places: %v", r.By, v)
			}
		}
	}
	// A replacement on a unit pulls the route as their own assignment (they join it at the
	// relief, not at its start), and may read the unit's route.
	for _, r := range out.Replacements {
		if r.Unit == "" || r.By == "" {
			continue
		}
		tok := h.token(RoleOfficer, "wfo", r.By)
		code, body := h.do(http.MethodGet, "/v1/me/assignments?date="+d.String(), tok, "")
		var a struct{ Routes []scheduler.Route }
		if err := json.Unmarshal(body, &a); code != http.StatusOK || err != nil {
			t.Fatalf("replacement %s's assignments = %d %s", r.By, code, body)
		}
		if !slices.ContainsFunc(a.Routes, func(x scheduler.Route) bool { return x.Unit == r.Unit }) {
			t.Errorf("replacement %s's assignments hold routes %v; want unit %s's, which they crew from %s", r.By, a.Routes, r.Unit, r.From.Format("15:04"))
		}
		if code, body := h.do(http.MethodGet, "/v1/plans/wfo/"+d.String()+"/units/"+r.Unit, tok, ""); code != http.StatusOK {
			t.Errorf("replacement %s reading unit %s's route = %d %.300s; want 200", r.By, r.Unit, code, body)
		}
	}
	// Events: the replacement's own, and the supervisors'.
	es, err := h.store.Events(ctx, "wfo", "", 100)
	if err != nil {
		t.Fatal(err)
	}
	toReplacement, toSupervisors := false, false
	for _, e := range es {
		if e.Type != EventCallOff {
			continue
		}
		if len(e.Officers) == 0 {
			toSupervisors = true
		}
		if slices.Contains(e.Officers, out.Replacements[0].By) {
			toReplacement = true
		}
	}
	if !toReplacement || !toSupervisors {
		t.Errorf("call-off events to the replacement %v, to the supervisors %v; want both", toReplacement, toSupervisors)
	}
}

// TestRosterLeaveAndQualifications: GET /v1/roster shows a supervisor every officer's
// qualifications and the day's leave, and an officer only their own.
func TestRosterLeaveAndQualifications(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	if err := h.ds.AddPeople(fixtures.OfficersFile, ""); err != nil {
		t.Fatal(err)
	}
	named := *h.ds.Force.Regions["wfo"]
	o := h.ds.Offices["wfo"]
	d := scheduler.ServiceDateOf(h.clock.Now(), named.Shifts, o.Location).AddDays(20)
	named.Leave = []scheduler.Leave{
		{Officer: "o-wfo-005", From: d, To: d.AddDays(2), Kind: "annual"},
		{Officer: "o-wfo-006", From: d, To: d, Kind: "training"},
	}
	if err := h.store.PutForce(ctx, named); err != nil {
		t.Fatal(err)
	}
	type out struct {
		Officers []scheduler.Officer
		Days     []struct {
			Date   string
			Leave  []scheduler.Leave
			Shifts []struct{ Officers []string }
		}
	}
	q := "/v1/roster?region=wfo&from=" + d.String() + "&to=" + d.AddDays(1).String()
	var sup out
	h.getJSON(q, h.token(RoleSupervisor, "wfo", ""), &sup)
	if len(sup.Officers) != len(named.Roster) || len(sup.Officers[0].Quals) == 0 {
		t.Errorf("supervisor sees %d officers (first %+v); want all %d with qualifications", len(sup.Officers), sup.Officers[0], len(named.Roster))
	}
	if len(sup.Days) != 2 || len(sup.Days[0].Leave) != 2 || len(sup.Days[1].Leave) != 1 {
		t.Fatalf("supervisor's leave by day = %+v; want 2 then 1", sup.Days)
	}
	for _, day := range sup.Days {
		for _, sh := range day.Shifts {
			if slices.Contains(sh.Officers, "o-wfo-005") {
				t.Errorf("o-wfo-005 on duty on %s, a day of leave", day.Date)
			}
		}
	}
	var own out
	h.getJSON("/v1/roster?from="+d.String()+"&to="+d.String(), h.token(RoleOfficer, "", "o-wfo-006"), &own)
	if len(own.Officers) != 1 || own.Officers[0].ID != "o-wfo-006" || len(own.Days) != 1 || len(own.Days[0].Leave) != 1 || own.Days[0].Leave[0].Officer != "o-wfo-006" {
		t.Errorf("officer's roster = %+v; want only their own record and leave", own)
	}
}

// TestDashboardRosterPage: the supervisor's roster page shows the weeks ahead with leave
// and the qualifications on duty, and its call-off form replaces an officer within the
// rules; without the CSRF token the form is refused.
func TestDashboardRosterPage(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	if err := h.ds.AddPeople(fixtures.OfficersFile, ""); err != nil {
		t.Fatal(err)
	}
	named := *h.ds.Force.Regions["wfo"]
	o := h.ds.Offices["wfo"]
	d := scheduler.ServiceDateOf(h.clock.Now(), named.Shifts, o.Location)
	named.Leave = []scheduler.Leave{{Officer: "o-wfo-007", From: d.AddDays(3), To: d.AddDays(4), Kind: "sick"}}
	if err := h.store.PutForce(ctx, named); err != nil {
		t.Fatal(err)
	}
	sup := h.token(RoleSupervisor, "wfo", "")
	r := h.page(http.MethodGet, "/regions/wfo/roster?weeks=1", sup, nil, nil)
	body := readBody(t, r)
	if r.StatusCode != http.StatusOK || !strings.Contains(body, `id="roster-days"`) || strings.Count(body, "<tr>\n<th>") != 7 ||
		!strings.Contains(body, "o-wfo-007 (sick)") || !strings.Contains(body, "canine ") || !strings.Contains(body, `id="calloff-form"`) {
		t.Fatalf("GET /regions/wfo/roster = %d; want 7 days, the leave, the qualifications and the form\n%.2000s", r.StatusCode, body)
	}
	if r := h.page(http.MethodGet, "/regions/wfo/roster", h.token(RoleSupervisor, "chi", ""), nil, nil); r.StatusCode != http.StatusForbidden {
		t.Errorf("another region's supervisor = %d; want 403", r.StatusCode)
	}
	// Someone on duty now, from the form's list.
	m := regexp.MustCompile(`<option value="(o-wfo-\d+)">`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("the call-off form offers no officer on duty")
	}
	if r := h.page(http.MethodPost, "/regions/wfo/call-off", sup, url.Values{"officer": {m[1]}}, nil); r.StatusCode != http.StatusForbidden {
		t.Errorf("call-off without CSRF = %d; want 403", r.StatusCode)
	}
	csrf := h.srv.csrfToken(h.session(sup))
	r = h.page(http.MethodPost, "/regions/wfo/call-off", sup, url.Values{"csrf": {csrf}, "officer": {m[1]}, "reason": {"sick"}}, nil)
	body = readBody(t, r)
	if r.StatusCode != http.StatusOK || !strings.Contains(body, `id="calloff-done"`) || !strings.Contains(body, ": o-wfo-") {
		t.Errorf("call-off form = %d; want the replacements named\n%.2000s", r.StatusCode, body)
	}
}

// TestCallOffUncoverableDegrades (issue 15): canine-qualified officers are called off one
// by one until a canine unit's place cannot be covered; that call-off is accepted and
// degrades the plan as an out-of-service unit would: the answer names the empty place and
// the unit taken out, the unit makes no visit from then, and the supervisors get the
// out-of-service event and the call-off event naming both.
func TestCallOffUncoverableDegrades(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	named, d := useNamedWFO(t, h)
	sup := h.token(RoleSupervisor, "wfo", "")
	type answer struct {
		From           time.Time
		Replacements   []scheduler.Replacement
		EmptyPositions []scheduler.Replacement `json:"empty_positions"`
		OutOfService   []string                `json:"out_of_service"`
	}
	var out answer
	var body []byte
	for _, x := range named.Roster {
		if !x.Has(scheduler.QualCanine) {
			continue
		}
		var code int
		code, body = h.do(http.MethodPost, "/v1/officers/"+x.ID+"/call-off", sup, `{"reason":"sick"}`)
		if code != http.StatusOK {
			t.Fatalf("call-off of %s = %d %s; want 200 (an empty place takes a unit out of service)", x.ID, code, body)
		}
		out = answer{}
		if err := json.Unmarshal(body, &out); err != nil {
			t.Fatal(err)
		}
		if len(out.OutOfService) > 0 {
			break
		}
		for _, r := range out.Replacements {
			if r.By == "" {
				t.Fatalf("call-off answer %s names an empty place without a unit taken out", body)
			}
		}
	}
	if len(out.OutOfService) == 0 || len(out.EmptyPositions) == 0 {
		t.Fatalf("every canine officer called off and no unit taken out of service; last answer %s", body)
	}
	unit := out.OutOfService[0]
	gap := out.EmptyPositions[0]
	if gap.By != "" || (gap.Unit != unit && gap.Post == "") || !slices.Contains(scheduler.UnitCapabilities(named, unit), scheduler.CanineCapability) {
		t.Errorf("answer %s; want an empty canine place absorbed by a canine unit taken out", body)
	}
	after, err := h.srv.serviceDay(ctx, "wfo", d)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range after.Routes {
		for _, v := range r.Visits {
			if r.Unit == unit && !v.Arrive.Before(out.From) {
				t.Errorf("%s out of service from %s visits %s at %s", unit, out.From, v.Mission, v.Arrive)
			}
		}
	}
	es, err := h.store.Events(ctx, "wfo", "", 500)
	if err != nil {
		t.Fatal(err)
	}
	oos, named2 := false, false
	for _, e := range es {
		if len(e.Officers) != 0 {
			continue
		}
		raw, _ := json.Marshal(e)
		switch e.Type {
		case EventUnitOutOfService:
			oos = oos || strings.Contains(string(raw), unit)
		case EventCallOff:
			named2 = named2 || (strings.Contains(string(raw), "empty_positions") && strings.Contains(string(raw), `"`+unit+`"`) && strings.Contains(string(raw), gap.Officer))
		}
	}
	if !oos || !named2 {
		t.Errorf("supervisor events: out of service %v, call-off naming the empty place %v; want both", oos, named2)
	}
}
