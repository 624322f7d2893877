package api

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/uber/h3-go/v4"

	"vigil/scheduler"
)

// TestCheckInEdges posts check-ins through the HTTP API at the edges of check-in
// verification (DESIGN.md §2, issue 19): 15 minutes either side of the planned arrival and
// one minute past, the ring-1 H3 disk at resolution 10 and the ring beyond it, each flag
// reason by its name on the wire (literals, not the Reason constants: a renamed reason is
// a changed contract), another region's mission, a mission the unit has no visit to, and
// the end of the shift.
func TestCheckInEdges(t *testing.T) {
	h, _, admin, on, other, route := opsSetup(t)
	v := isolated(t, route)
	lat, lon := h.missionPoint(v.Mission)
	onTok, otherTok := h.token(RoleOfficer, "", on), h.token(RoleOfficer, "", other)

	// Resolution-10 cells around the mission's: a neighbour (ring 1) and a cell at grid
	// distance 2, computed with h3-go here, not through the server's code.
	home := h3.LatLngToCell(h3.NewLatLng(lat, lon), 10)
	ring1 := home.GridDisk(1)
	var near, far h3.Cell
	for _, c := range ring1 {
		if c != home {
			near = c
			break
		}
	}
	for _, c := range home.GridDisk(2) {
		if !slices.Contains(ring1, c) {
			far = c
			break
		}
	}
	if near == 0 || far == 0 {
		t.Fatalf("no ring-1 or ring-2 cell around %v", home)
	}
	nearLL, farLL := near.LatLng(), far.LatLng()

	// A mission of another region (wfo), at its own place.
	var foreign scheduler.Mission
	for _, m := range h.ds.Missions {
		if m.Region == "wfo" {
			foreign = m
			break
		}
	}
	tests := []struct {
		name     string
		tok      string
		at       time.Time
		mission  string
		lat, lon float64
		reason   string // "" for verified
	}{
		{"15 min early", onTok, v.Arrive.Add(-15 * time.Minute), v.Mission, lat, lon, ""},
		{"16 min early", onTok, v.Arrive.Add(-16 * time.Minute), v.Mission, lat, lon, "too_early"},
		{"15 min late", onTok, v.Arrive.Add(15 * time.Minute), v.Mission, lat, lon, ""},
		{"16 min late", onTok, v.Arrive.Add(16 * time.Minute), v.Mission, lat, lon, "too_late"},
		{"at the arrival", onTok, v.Arrive, v.Mission, lat, lon, ""},
		{"ring-1 neighbour cell", onTok, v.Arrive, v.Mission, nearLL.Lat, nearLL.Lng, ""},
		{"ring-2 cell", onTok, v.Arrive, v.Mission, farLL.Lat, farLL.Lng, "outside_area"},
		{"officer not on the route", otherTok, v.Arrive, v.Mission, lat, lon, "not_on_duty"},
		{"mission unknown", onTok, v.Arrive, "emb-nowhere", lat, lon, "unknown_mission"},
		{"another region's mission", onTok, v.Arrive, foreign.ID, foreign.Lat, foreign.Lon, "unknown_mission"},
		// The route's officers are on duty until 15 minutes after its end.
		{"14 min after the shift", onTok, route.End.Add(14 * time.Minute), v.Mission, lat, lon, "too_late"},
		{"15 min after the shift", onTok, route.End.Add(15 * time.Minute), v.Mission, lat, lon, "not_on_duty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.clock.Set(tt.at)
			code, ci := h.checkIn(tt.tok, tt.mission, tt.lat, tt.lon)
			if code != http.StatusCreated {
				t.Fatalf("POST /v1/checkins = %d; want 201", code)
			}
			if ci.Verified != (tt.reason == "") || ci.Reason != tt.reason {
				t.Errorf("check-in = verified %v reason %q; want verified %v reason %q", ci.Verified, ci.Reason, tt.reason == "", tt.reason)
			}
		})
	}

	// no_planned_visit: an officer on a hou route checks in at a hou mission that none of
	// the officer's routes visits (hou has three vehicles, each on its own zone).
	t.Run("no planned visit", func(t *testing.T) {
		h.clock.Set(start)
		hf := h.ds.Force.Regions["hou"]
		loc := h.ds.Offices["hou"].Location
		d := scheduler.ServiceDateOf(start, hf.Shifts, loc)
		for n := 1; n <= hf.Units[scheduler.Vehicle]; n++ {
			var u unitOut
			h.getJSON("/v1/plans/hou/"+d.String()+"/units/"+scheduler.UnitID("hou", scheduler.Vehicle, n), admin, &u)
			for _, r := range u.Routes {
				if start.Before(r.Start) || !start.Before(r.End) || len(r.Officers) == 0 {
					continue
				}
				for _, m := range h.ds.Missions {
					if m.Region != "hou" || slices.ContainsFunc(r.Visits, func(x scheduler.Visit) bool { return x.Mission == m.ID }) {
						continue
					}
					code, ci := h.checkIn(h.token(RoleOfficer, "", r.Officers[0]), m.ID, m.Lat, m.Lon)
					if code != http.StatusCreated || ci.Verified || ci.Reason != "no_planned_visit" {
						t.Fatalf("check-in by %s at %s (not on its route) = %d verified %v reason %q; want 201 no_planned_visit",
							r.Officers[0], m.ID, code, ci.Verified, ci.Reason)
					}
					return
				}
			}
		}
		t.Fatal("every hou mission is on every running hou route: no case for no_planned_visit")
	})
}
