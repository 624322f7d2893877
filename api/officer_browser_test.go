package api

import (
	"context"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"vigil/scheduler"
)

// plannedVisit finds, in wfo's current service day, a route running now with two visits
// at least five minutes ahead; it returns the route and the visits' indexes.
func plannedVisits(t *testing.T, h *harness) (scheduler.Route, int, map[string]scheduler.PlanMission) {
	t.Helper()
	o, f := regionOf(t, h)
	p, err := h.srv.dayPlan(context.Background(), "wfo", h.srv.currentDate(o, f))
	if err != nil {
		t.Fatal(err)
	}
	ms := map[string]scheduler.PlanMission{}
	for _, m := range p.Missions {
		ms[m.ID] = m
	}
	now := h.clock.Now()
	for _, r := range p.ServiceDays[0].Routes {
		if now.Before(r.Start) || !now.Before(r.End) {
			continue
		}
		for i, v := range r.Visits {
			// Two visits far enough apart that the first's window is closed at the second,
			// and the visit before them with its window closed at the first.
			if v.Arrive.After(now.Add(5*time.Minute)) && i+1 < len(r.Visits) &&
				r.Visits[i+1].Arrive.Sub(v.Arrive) > scheduler.CheckInWindow+5*time.Minute &&
				(i == 0 || v.Arrive.Sub(r.Visits[i-1].Arrive) > scheduler.CheckInWindow) {
				return r, i, ms
			}
		}
	}
	t.Fatal("no route of wfo runs now with visits ahead")
	return scheduler.Route{}, 0, nil
}

// phone is an officer's phone in the browser: its position, its check-in button, and
// what the store holds of its check-ins.
type phone struct {
	t        *testing.T
	b        *browser
	officer  string
	missions map[string]scheduler.PlanMission
}

// newPhone grants the page the geolocation permission through the DevTools protocol.
func newPhone(t *testing.T, b *browser, officer string, missions map[string]scheduler.PlanMission) *phone {
	t.Helper()
	if _, err := chromedp.CallBrowser(b.ctx, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
		Permission: &cdpbrowser.PermissionDescriptor{Name: "geolocation"}, Setting: cdpbrowser.PermissionSettingGranted, Origin: b.srv.URL,
	}); err != nil {
		t.Fatalf("grant geolocation: %v", err)
	}
	return &phone{t: t, b: b, officer: officer, missions: missions}
}

// at puts the phone at a mission (Emulation.setGeolocationOverride, 5 m accuracy).
func (p *phone) at(mission string) {
	p.t.Helper()
	m := p.missions[mission]
	acc := 5.0
	if _, err := chromedp.Call(p.b.ctx, emulation.SetGeolocationOverride, emulation.SetGeolocationOverrideParams{
		Latitude: &m.Lat, Longitude: &m.Lon, Accuracy: &acc,
	}); err != nil {
		p.t.Fatalf("geolocation at %s: %v", mission, err)
	}
}

// checkIn chooses the mission and presses Check in.
func (p *phone) checkIn(mission string) {
	p.t.Helper()
	p.b.run("check in at "+mission,
		chromedp.SetValue(chromedp.ID("checkin-mission"), mission),
		chromedp.Click(chromedp.ID("checkin")),
	)
}

// resultHas waits until the check-in result says want, and returns it.
func (p *phone) resultHas(want string, timeout time.Duration) string {
	p.t.Helper()
	b := p.b
	ok := b.waitFor(`(document.getElementById("checkin-result").textContent || "").includes(`+jsString(want)+`)`, timeout)
	got := eval[string](b, `document.getElementById("checkin-result").textContent`)
	if !ok {
		b.mu.Lock()
		defer b.mu.Unlock()
		p.t.Fatalf("check-in result %q; want %q (script errors %q)", got, want, b.errs)
	}
	return got
}

// stored returns the officer's stored check-ins at a mission, this service day.
func (p *phone) stored(mission string) []scheduler.CheckIn {
	p.t.Helper()
	h := p.b.h
	o, f := regionOf(p.t, h)
	cis, err := h.store.CheckIns(context.Background(), "wfo", scheduler.ServiceDateOf(h.clock.Now(), f.Shifts, o.Location))
	if err != nil {
		p.t.Fatal(err)
	}
	var out []scheduler.CheckIn
	for _, c := range cis {
		if c.Mission == mission && c.Officer == p.officer {
			out = append(out, c)
		}
	}
	return out
}

// TestOfficerPhoneCheckIn: an officer on a 390 × 844 phone, at the mission by the
// DevTools geolocation, checks in and sees "Verified"; then, with the network cut, the page
// still reads from the service worker's copy, a check-in is kept on the phone, and when
// the network returns it is stored once, late-delivered; the officer cannot reach the
// supervisor's board; no request leaves the server's origin.
func TestOfficerPhoneCheckIn(t *testing.T) {
	b := newBrowser(t, 390, 844, true)
	h := b.h
	route, i, missions := plannedVisits(t, h)
	officer := route.Officers[0]
	first, second := route.Visits[i], route.Visits[i+1]
	ph := newPhone(t, b, officer, missions)
	at, checkIn, resultHas, stored := ph.at, ph.checkIn, ph.resultHas, ph.stored

	// Online, at the first visit's arrival, at its mission: verified.
	h.clock.Set(first.Arrive)
	b.signIn(h.token(RoleOfficer, "", officer), "#checkin")
	at(first.Mission)
	if next := eval[string](b, `document.getElementById("next-mission").dataset.mission`); next != first.Mission {
		t.Errorf("next visit shown %s; want %s", next, first.Mission)
	}
	// The officer's map shows their route over the basemap, and no threat level.
	if !b.waitFor(`document.getElementById("lmap").dataset.basemap === "loaded"`, 10*time.Second) {
		t.Error("the officer's map did not draw the basemap")
	}
	if data := eval[string](b, `document.getElementById("map-data").textContent`); strings.Contains(data, "threat") {
		t.Errorf("the officer's map data holds threat levels: %.200s", data)
	}
	if n := eval[int](b, `document.querySelectorAll(".mk.stop").length`); n == 0 {
		t.Error("the officer's map draws no stops")
	}
	b.run("scroll to the map", chromedp.ScrollIntoView(chromedp.ID("map")))
	b.shot("officer-phone-map.png", false)
	b.run("scroll to the top", chromedp.ScrollIntoView(chromedp.ID("my-shift")))
	checkIn(first.Mission)
	if got := resultHas("Verified", 10*time.Second); !strings.Contains(got, first.Arrive.Format("15:04")) {
		t.Errorf("result %q; want the check-in's time in the region's zone, %s", got, first.Arrive.Format("15:04"))
	}
	if got := stored(first.Mission); len(got) != 1 || !got[0].Verified || got[0].LateDelivered {
		t.Errorf("stored check-ins at %s = %+v; want one, verified, not late", first.Mission, got)
	}
	b.shot("officer-phone.png", false)

	// Offline at the second visit: the page reloads from the service worker's copy and
	// keeps the check-in; five minutes later the network returns and it is sent once.
	h.clock.Set(second.Arrive)
	b.run("reload at the second visit", chromedp.Navigate(b.srv.URL+"/me"), chromedp.WaitVisible(chromedp.ID("checkin")))
	if !b.waitFor(`navigator.serviceWorker.controller !== null`, 10*time.Second) {
		t.Fatal("the service worker does not control /me")
	}
	at(second.Mission)
	offline(t, b, true)
	b.run("reload offline", chromedp.Navigate(b.srv.URL+"/me"), chromedp.WaitVisible(chromedp.ID("checkin")))
	if !b.waitFor(`!document.getElementById("offline").hidden`, 5*time.Second) {
		t.Error("no offline banner while the network is cut")
	}
	// The page above came from the service worker: the network itself is cut.
	reach, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`fetch("/healthz", {cache: "no-store"}).then(() => "reached", () => "cut")`, chromedp.EvalAwaitPromise))
	if err != nil || reach != "cut" {
		t.Errorf("while offline a request to the server was %q (%v); want cut", reach, err)
	}
	checkIn(second.Mission)
	resultHas("Kept on this phone", 10*time.Second)
	b.shot("officer-phone-offline.png", false)
	if got := stored(second.Mission); len(got) != 0 {
		t.Fatalf("stored while offline: %+v", got)
	}
	h.clock.Add(5 * time.Minute)
	offline(t, b, false)
	got := resultHas("Verified", 10*time.Second)
	if !strings.Contains(got, "sent late") {
		t.Errorf("result after reconnecting %q; want it to say the check-in was sent late", got)
	}
	time.Sleep(500 * time.Millisecond) // a second send would land by now
	if got := stored(second.Mission); len(got) != 1 || !got[0].LateDelivered || got[0].ClientTime == nil || !got[0].At.After(*got[0].ClientTime) {
		t.Errorf("stored check-ins at %s after reconnecting = %+v; want exactly one, late-delivered, client time before receipt", second.Mission, got)
	}
	if q := eval[string](b, `localStorage.getItem("vigil-checkins-`+officer+`")`); q != "[]" {
		t.Errorf("offline queue after reconnecting = %s; want []", q)
	}

	// The supervisor's board is not the officer's.
	b.run("officer opens the region board", chromedp.Navigate(b.srv.URL+"/regions/wfo"), chromedp.WaitVisible(chromedp.ID("error-heading")))
	if s := eval[string](b, `document.getElementById("error-status").dataset.status`); s != "403" {
		t.Errorf("officer opening /regions/wfo: status %s; want 403", s)
	}
	if f := b.foreignRequests(); len(f) > 0 {
		t.Errorf("requests left the server's origin: %v", f)
	}
}

// offline cuts (or restores) the page's network, service worker included, and tells the
// page through navigator.onLine.
func offline(t *testing.T, b *browser, off bool) {
	t.Helper()
	conds := []*network.Conditions{}
	if off {
		conds = append(conds, &network.Conditions{Offline: true, DownloadThroughput: -1, UploadThroughput: -1})
	}
	yes := true
	if _, err := chromedp.Call(b.ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
		EmulateOfflineServiceWorker: &yes, MatchedNetworkConditions: conds,
	}); err != nil {
		t.Fatalf("network conditions: %v", err)
	}
	if _, err := chromedp.Call(b.ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{
		Offline: off, DownloadThroughput: -1, UploadThroughput: -1,
	}); err != nil {
		t.Fatalf("network state: %v", err)
	}
}

func jsString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// regionOf returns wfo's office and force as the server holds them.
func regionOf(t *testing.T, h *harness) (scheduler.Office, scheduler.RegionForce) {
	t.Helper()
	o, f, err := h.srv.region(context.Background(), "wfo")
	if err != nil {
		t.Fatal(err)
	}
	return o, f
}
