package api

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestRosterPage: a wfo supervisor, at desktop and at phone size, opens the roster page
// two weeks ahead and sees every day's shifts with the officers on duty against the
// positions and the qualifications on duty, and a day of leave booked through the API;
// the call-off form, submitted in the browser for an officer on duty, names the
// replacements and the call-off is stored; an officer is refused the page.
// Screenshots go to t.TempDir() and, when VIGIL_SCREENSHOTS is set, to that directory.
func TestRosterPage(t *testing.T) {
	for _, tc := range []struct {
		name   string
		w, h   int64
		mobile bool
	}{
		{"desktop", 1280, 900, false},
		{"phone", 390, 844, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newBrowser(t, tc.w, tc.h, tc.mobile)
			checkRosterPage(t, b, "roster-wfo-"+tc.name+".png")
		})
	}
}

// checkRosterPage runs TestRosterPage's steps in one browser.
func checkRosterPage(t *testing.T, b *browser, shot string) {
	h := b.h
	ctx := context.Background()
	_, d := useNamedWFO(t, h)
	// Leave through the API for an officer on duty tomorrow.
	tomorrow, err := h.srv.serviceDay(ctx, "wfo", d.AddDays(1))
	if err != nil {
		t.Fatal(err)
	}
	away := tomorrow.Routes[0].Officers[0]
	sup := h.token(RoleSupervisor, "wfo", "")
	body := `{"from":"` + d.AddDays(1).String() + `","to":"` + d.AddDays(2).String() + `","kind":"annual","reason":"holiday"}`
	if code, got := h.do(http.MethodPost, "/v1/officers/"+away+"/leave", sup, body); code != http.StatusOK {
		t.Fatalf("leave = %d %s; want 200", code, got)
	}

	b.signIn(sup, "#map")
	b.run("open the roster", chromedp.Navigate(b.srv.URL+"/regions/wfo/roster?weeks=2"), chromedp.WaitVisible(chromedp.ID("roster-days")))
	rows := eval[[]string](b, `[...document.querySelectorAll("#roster-days tbody tr")].map(r => r.innerText)`)
	if len(rows) != 14 {
		t.Fatalf("roster rows = %d; want 14 days for weeks=2: %q", len(rows), rows)
	}
	for i, r := range rows {
		date := d.AddDays(i).String()
		if !strings.HasPrefix(r, date) {
			t.Errorf("row %d = %.80q; want the day %s", i, r, date)
		}
		for _, want := range []string{"day", "night", " / ", "vehicle ", "canine ", "post "} {
			if !strings.Contains(r, want) {
				t.Errorf("row %s = %.300q; want the shifts on duty / positions with qualifications (%q)", date, r, want)
			}
		}
	}
	// A shift line: "day 07:00: 80 / 80 vehicle 40 · …", on duty filling the positions.
	lines := eval[[]string](b, `[...document.querySelectorAll("#roster-days tbody tr:first-child td:nth-child(2) div")].map(d => d.innerText)`)
	if len(lines) < 2 {
		t.Errorf("today's shifts on the page = %q; want each shift", lines)
	}
	for _, l := range lines {
		var shift, start string
		var on, pos int
		// %s stops at spaces; "07:00:" is read whole with its colon.
		if n, _ := fmt.Sscanf(l, "%s %s %d / %d", &shift, &start, &on, &pos); n != 4 || on == 0 || on < pos {
			t.Errorf("shift line %q: want on duty / positions with every position filled", l)
		}
	}
	for i, want := range []string{"", away + " (annual)", away + " (annual)", ""} {
		leave := eval[string](b, `document.querySelector("#roster-days tbody tr:nth-child(`+strconv.Itoa(i+1)+`) td:nth-child(3)").innerText`)
		if (want == "" && strings.Contains(leave, away)) || !strings.Contains(leave, want) {
			t.Errorf("leave on %s = %q; want %q", d.AddDays(i), leave, want)
		}
	}

	// The call-off form: the first officer it offers, on duty now.
	officer := eval[string](b, `document.getElementById("calloff-officer").value`)
	if !strings.HasPrefix(officer, "o-wfo-") {
		t.Fatalf("the call-off form offers %q; want an officer of wfo on duty", officer)
	}
	b.run("call off "+officer,
		chromedp.SetValue(chromedp.CSS(`#calloff-form input[name="reason"]`), "sick"),
		chromedp.Click(chromedp.ID("calloff-submit")),
		chromedp.WaitVisible(chromedp.ID("calloff-done")),
	)
	done := eval[string](b, `document.getElementById("calloff-done").innerText`)
	reps := eval[[]string](b, `[...document.querySelectorAll("#calloff-done li")].map(l => l.innerText)`)
	if !strings.Contains(done, officer+" called off from") || len(reps) == 0 {
		t.Errorf("call-off result %q; want %s called off and the replacements named", done, officer)
	}
	for _, r := range reps {
		if !strings.Contains(r, ": o-wfo-") || strings.HasSuffix(r, officer) {
			t.Errorf("replacement %q; want a position and another wfo officer", r)
		}
	}
	// The form no longer offers the officer called off.
	if ids := eval[[]string](b, `[...document.querySelectorAll("#calloff-officer option")].map(o => o.value)`); len(ids) == 0 || slices.Contains(ids, officer) {
		t.Errorf("after the call-off the form offers %d officers, %s among them %v; want those on duty but %s", len(ids), officer, slices.Contains(ids, officer), officer)
	}
	changes, err := h.store.Changes(ctx, "wfo", d)
	if err != nil {
		t.Fatal(err)
	}
	var stored bool
	for _, c := range changes {
		stored = stored || (c.Officer == officer && c.Reason == "sick")
	}
	if !stored {
		t.Errorf("stored changes of %s = %+v; want the call-off of %s (sick)", d, changes, officer)
	}
	b.run("scroll to the result", chromedp.ScrollIntoView(chromedp.ID("roster")))
	b.shot(shot, false)
	if w := eval[int](b, `document.documentElement.scrollWidth - document.documentElement.clientWidth`); w > 0 {
		t.Errorf("the page is %d px wider than the viewport; want only the table to scroll", w)
	}

	// An officer is refused the page.
	b.run("sign out", chromedp.Click(chromedp.ID("signout")), chromedp.WaitVisible(chromedp.ID("token")))
	b.signIn(h.token(RoleOfficer, "", "o-wfo-001"), "#my-shift")
	b.run("officer opens the roster", chromedp.Navigate(b.srv.URL+"/regions/wfo/roster"), chromedp.WaitVisible(chromedp.ID("error-heading")))
	if s := eval[string](b, `document.getElementById("error-status").dataset.status`); s != "403" {
		t.Errorf("officer opening the roster: status %q; want 403", s)
	}
	if n := eval[int](b, `document.querySelectorAll("#roster-days").length`); n != 0 {
		t.Error("the officer sees the roster table")
	}
}
