package api

import (
	"context"
	"fmt"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// chromiumOptions are the flags every browser test starts Debian's headless Chromium
// with: no sandbox or GPU, nothing fetched in the background, a fresh profile in dir.
func chromiumOptions(dir string, w, h int) []chromedp.ExecAllocatorOption {
	return []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-features", "Translate,OptimizationHints,MediaRouter"),
		chromedp.UserDataDir(dir),
		chromedp.WindowSize(w, h),
	}
}

// browser is a headless Chromium on one test server, recording every URL it requests.
type browser struct {
	t    *testing.T
	h    *harness
	srv  *httptest.Server
	ctx  context.Context
	mu   sync.Mutex
	urls []string
	errs []string // script exceptions and console errors
}

// newBrowser starts Chromium (w × h CSS pixels; mobile emulates a phone's touch screen)
// on a fresh harness's server; it skips when Debian's Chromium is absent.
func newBrowser(t *testing.T, w, h int64, mobile bool) *browser {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("VIGIL_CI") == "1" {
			t.Fatalf("no Chromium at %s and .ci/run should have installed it: %v", chromiumPath, err)
		}
		t.Skipf("no Chromium at %s (Debian package chromium; .ci/run installs it): %v", chromiumPath, err)
	}
	hs := newHarness(t)
	srv := httptest.NewServer(hs.srv.Handler())
	t.Cleanup(srv.Close)
	opts := chromiumOptions(t.TempDir(), int(w), int(h))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancelCtx := chromedp.NewContext(actx)
	t.Cleanup(cancelCtx)
	ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancel)
	b := &browser{t: t, h: hs, srv: srv, ctx: ctx}
	err := chromedp.Listen(ctx, func(ev any) {
		b.mu.Lock()
		defer b.mu.Unlock()
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			b.urls = append(b.urls, e.Request.URL)
		case *runtime.EventExceptionThrown:
			d := e.ExceptionDetails
			msg := fmt.Sprintf("%s at %s:%d", d.Text, d.URL, d.LineNumber+1)
			if d.Exception != nil {
				msg += ": " + d.Exception.Description
			}
			b.errs = append(b.errs, msg)
		case *runtime.EventConsoleAPICalled:
			if e.Type == "error" || e.Type == "warning" {
				for _, a := range e.Args {
					b.errs = append(b.errs, string(e.Type)+": "+string(a.Value)+a.Description)
				}
			}
		}
	})
	if err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	if _, err := chromedp.Call(ctx, runtime.Enable, cdp.Empty{}); err != nil {
		t.Fatalf("runtime events: %v", err)
	}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatalf("network events: %v", err)
	}
	if mobile {
		b.run("phone viewport", chromedp.EmulateViewport(w, h, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulateScale(2)))
	}
	return b
}

// run runs actions, failing the test with what on error.
func (b *browser) run(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.mu.Lock()
		defer b.mu.Unlock()
		b.t.Fatalf("%s: %v (script errors: %q)", what, err, b.errs)
	}
}

// signIn signs in with token and waits for the home page's element sel.
func (b *browser) signIn(token, sel string) {
	b.t.Helper()
	b.run("sign in",
		chromedp.Navigate(b.srv.URL+"/"),
		chromedp.WaitVisible(chromedp.ID("token")),
		chromedp.SetValue(chromedp.ID("token"), token),
		chromedp.Click(chromedp.ID("signin")),
		chromedp.WaitVisible(chromedp.CSS(sel)),
	)
}

// eval evaluates a script expression.
func eval[T any](b *browser, expr string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// waitFor polls a script expression until it is true or the timeout passes.
func (b *browser) waitFor(expr string, timeout time.Duration) bool {
	b.t.Helper()
	end := time.Now().Add(timeout)
	for time.Now().Before(end) {
		if ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](expr)); err == nil && ok {
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return false
}

// shot saves a screenshot of the viewport (full: the whole page).
func (b *browser) shot(name string, full bool) {
	b.t.Helper()
	// Screenshots are committed: never one of a sign-in form holding a token.
	if v := eval[string](b, `(document.getElementById("token") || {}).value || ""`); v != "" {
		b.t.Fatalf("screenshot %s would show a token in the sign-in form", name)
	}
	act := chromedp.CaptureScreenshot()
	if full {
		act = chromedp.FullScreenshot(90)
	}
	png, err := chromedp.Run(b.ctx, act)
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	saveShot(b.t, name, png)
}

// foreignRequests returns the requests that left the server's origin.
func (b *browser) foreignRequests() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	origin, _ := url.Parse(b.srv.URL)
	var out []string
	for _, u := range b.urls {
		p, err := url.Parse(u)
		if err != nil || p.Scheme == "data" || p.Scheme == "blob" {
			continue
		}
		if p.Host != origin.Host {
			out = append(out, u)
		}
	}
	return out
}

// TestMapInBrowser: a wfo supervisor's region page draws the interactive map over the
// embedded DC basemap (streets drawn), pans with the keyboard and zooms, and the chosen
// route's labels do not overlap at the default zoom; nothing leaves the server's origin.
func TestMapInBrowser(t *testing.T) {
	b := newBrowser(t, 1400, 1000, false)
	b.signIn(b.h.token(RoleSupervisor, "wfo", ""), "#map")
	if !b.waitFor(`document.getElementById("lmap").dataset.ready === "true"`, 10*time.Second) {
		b.mu.Lock()
		t.Fatalf("the interactive map is not ready; script errors: %q", b.errs)
	}
	if !b.waitFor(`document.getElementById("lmap").dataset.basemap === "loaded"`, 10*time.Second) {
		t.Fatal("the DC basemap did not load")
	}
	streets := eval[int](b, `document.querySelectorAll(".leaflet-base-pane path").length`)
	if streets < 100 {
		t.Errorf("basemap paths drawn = %d; want the DC streets (over 100)", streets)
	}
	if !eval[bool](b, `getComputedStyle(document.querySelector(".svgmap")).display === "none"`) {
		t.Error("the SVG fallback is still shown beside the interactive map")
	}

	// Labels at the default zoom: some shown, none overlapping another.
	boxes := eval[[][4]float64](b, `Array.from(document.querySelectorAll(".rlabel")).map(e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })`)
	if len(boxes) == 0 {
		t.Fatal("no route labels at the default zoom")
	}
	for i := range boxes {
		for j := i + 1; j < len(boxes); j++ {
			a, c := boxes[i], boxes[j]
			if a[0] < c[2] && c[0] < a[2] && a[1] < c[3] && c[1] < a[3] {
				t.Errorf("route labels %d %v and %d %v overlap", i, a, j, c)
			}
		}
	}
	stops := eval[int](b, `document.querySelectorAll(".mk.stop").length`)
	clusters := eval[int](b, `document.querySelectorAll(".cluster").length`)
	if stops == 0 || clusters == 0 {
		t.Errorf("route stops %d, clusters %d; want both drawn", stops, clusters)
	}
	b.shot("map-wfo-desktop.png", false)

	// Keyboard pan: focus the map, press the right arrow; then zoom in with +.
	before := eval[[2]float64](b, `[vigilMap.getCenter().lat, vigilMap.getCenter().lng]`)
	z0 := eval[float64](b, `vigilMap.getZoom()`)
	b.run("keyboard pan and zoom",
		chromedp.Focus(chromedp.ID("lmap")),
		chromedp.KeyEvent(kb.ArrowRight),
	)
	if !b.waitFor(`(() => { const c = vigilMap.getCenter(); return Math.abs(c.lng - `+ftoa(before[1])+`) > 1e-6; })()`, 3*time.Second) {
		t.Error("the map did not pan on the right arrow key")
	}
	after := eval[[2]float64](b, `[vigilMap.getCenter().lat, vigilMap.getCenter().lng]`)
	b.run("zoom in", chromedp.KeyEvent("+"))
	if !b.waitFor(`vigilMap.getZoom() > `+ftoa(z0), 3*time.Second) {
		t.Error("the map did not zoom on +")
	}
	z1 := eval[float64](b, `vigilMap.getZoom()`)
	t.Logf("centre %v → %v, zoom %v → %v", before, after, z0, z1)
	if f := b.foreignRequests(); len(f) > 0 {
		t.Errorf("requests left the server's origin: %v", f)
	}
	if !strings.HasPrefix(b.srv.URL, "http://127.0.0.1") {
		t.Logf("server at %s", b.srv.URL)
	}
}

func ftoa(f float64) string { return strings.TrimRight(strings.TrimRight(fmtFloat(f), "0"), ".") }

func fmtFloat(f float64) string { return strconv.FormatFloat(f, 'f', 9, 64) }

// TestSupervisorBoardInBrowser: the wfo supervisor's board shows the units' planned
// positions and the compliance strip, and a check-in made meanwhile appears in the live
// feed and on the map within 2 s, without a reload.
func TestSupervisorBoardInBrowser(t *testing.T) {
	b := newBrowser(t, 1400, 1000, false)
	h := b.h
	route, i, missions := plannedVisits(t, h)
	v := route.Visits[i]
	h.clock.Set(v.Arrive)
	b.signIn(h.token(RoleSupervisor, "wfo", ""), "#board")
	if !b.waitFor(`document.getElementById("lmap").dataset.ready === "true"`, 10*time.Second) {
		t.Fatal("the map is not ready")
	}
	if n := eval[int](b, `document.querySelectorAll(".leaflet-marker-pane .unit").length`); n == 0 {
		t.Error("no unit drawn at its planned position")
	}
	if n := eval[int](b, `document.querySelectorAll("#compliance-strip rect").length`); n == 0 {
		t.Error("no compliance strip")
	}
	origin := eval[float64](b, `performance.timeOrigin`)

	m := missions[v.Mission]
	body := fmt.Sprintf(`{"mission":%q,"lat":%f,"lon":%f}`, v.Mission, m.Lat, m.Lon)
	sent := time.Now()
	if code, out := h.do("POST", "/v1/checkins", h.token(RoleOfficer, "", route.Officers[0]), body); code != 201 {
		t.Fatalf("POST /v1/checkins = %d %s", code, out)
	}
	want := `Array.from(document.querySelectorAll("#board-feed li")).some(li => li.textContent.includes(` + jsString(route.Officers[0]) + `) && li.classList.contains("ok"))`
	if !b.waitFor(want, 2*time.Second) {
		b.mu.Lock()
		t.Fatalf("the check-in did not appear on the board within 2 s (script errors %q)", b.errs)
	}
	t.Logf("check-in on the board after %v", time.Since(sent).Round(time.Millisecond))
	if got := eval[float64](b, `performance.timeOrigin`); got != origin {
		t.Error("the page reloaded; want the check-in to arrive without a reload")
	}
	if n := eval[int](b, `document.querySelectorAll(".leaflet-marker-pane .live.ok").length`); n != 1 {
		t.Errorf("check-in marks on the map = %d; want 1", n)
	}
	if !b.waitFor(`document.getElementById("c-done") && document.getElementById("c-done").textContent.trim() !== ""`, 2*time.Second) {
		t.Error("compliance figures missing after the event")
	}
	b.shot("board-wfo-desktop.png", false)

	// A threat raised to 5 re-plans: the page shows it, the changed routes highlighted.
	b.run("raise a threat", chromedp.Navigate(b.srv.URL+"/regions/wfo?unit=all"), chromedp.WaitVisible(chromedp.ID("threat-form")),
		chromedp.SetValue(chromedp.ID("threat-mission"), "emb-afghanistan"),
		chromedp.SetValue(chromedp.ID("threat-level"), "5"),
		chromedp.Click(chromedp.ID("threat-submit")),
		chromedp.WaitVisible(chromedp.ID("replan")))
	units := eval[string](b, `document.getElementById("replan").textContent`)
	if !b.waitFor(`+(document.getElementById("lmap").dataset.changed || 0) > 0`, 5*time.Second) {
		t.Errorf("no changed route highlighted after the re-plan (%s)", strings.Join(strings.Fields(units), " "))
	}
	b.shot("replan-wfo-desktop.png", false)
	b.run("phone width", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulateScale(2)),
		chromedp.Navigate(b.srv.URL+"/regions/wfo"), chromedp.WaitVisible(chromedp.ID("board")))
	b.waitFor(`document.getElementById("lmap").dataset.ready === "true"`, 10*time.Second)
	b.shot("region-wfo-phone.png", false)
	if f := b.foreignRequests(); len(f) > 0 {
		t.Errorf("requests left the server's origin: %v", f)
	}
}

// pageTiming is what the Performance API says of a page load, in milliseconds and bytes.
type pageTiming struct {
	Interactive  float64 `json:"interactive"`   // navigation: domInteractive
	DOMReady     float64 `json:"dom_ready"`     // domContentLoadedEventEnd
	Load         float64 `json:"load"`          // loadEventEnd
	FirstPaint   float64 `json:"first_paint"`   // paint: first-contentful-paint
	MapReady     float64 `json:"map_ready"`     // static/map.js drew the map (0: no map)
	BasemapReady float64 `json:"basemap_ready"` // the basemap was drawn (0: none)
	Transferred  float64 `json:"transferred"`   // bytes over the wire, page and resources
	Decoded      float64 `json:"decoded"`       // bytes after decompression
	Requests     int     `json:"requests"`
}

const timingJS = `(() => {
  const n = performance.getEntriesByType("navigation")[0];
  const fcp = performance.getEntriesByName("first-contentful-paint")[0];
  const rs = performance.getEntriesByType("resource");
  const m = document.getElementById("lmap");
  let tx = n.transferSize, dec = n.decodedBodySize;
  rs.forEach(r => { tx += r.transferSize; dec += r.decodedBodySize; });
  return {interactive: n.domInteractive, dom_ready: n.domContentLoadedEventEnd, load: n.loadEventEnd,
    first_paint: fcp ? fcp.startTime : 0, map_ready: m && m.dataset.readyMs ? +m.dataset.readyMs : 0,
    basemap_ready: m && m.dataset.basemapMs ? +m.dataset.basemapMs : 0,
    transferred: tx, decoded: dec, requests: rs.length + 1};
})()`

// TestPagesInBrowser loads each page (desktop and phone), takes its screenshot and logs
// its weight and timings (docs/web-performance.md records them; no timed assertion). The
// wfo region page is loaded twice, the second time with a warm cache, as a supervisor
// reopening it would. Every focusable control is reachable by Tab on the region page.
func TestPagesInBrowser(t *testing.T) {
	b := newBrowser(t, 1400, 1000, false)
	h := b.h
	timing := func(name string) pageTiming {
		t.Helper()
		b.waitFor(`document.readyState === "complete"`, 10*time.Second)
		pt := eval[pageTiming](b, timingJS)
		t.Logf("%s: interactive %.0f ms, first contentful paint %.0f ms, load %.0f ms, map %.0f ms, basemap %.0f ms; %d requests, %.0f kB transferred, %.0f kB decoded",
			name, pt.Interactive, pt.FirstPaint, pt.Load, pt.MapReady, pt.BasemapReady, pt.Requests, pt.Transferred/1000, pt.Decoded/1000)
		return pt
	}
	b.run("sign-in page", chromedp.Navigate(b.srv.URL+"/"), chromedp.WaitVisible(chromedp.ID("token")))
	b.shot("signin-desktop.png", false)
	b.signIn(h.token(RoleSupervisor, "wfo", ""), "#board")
	b.waitFor(`document.getElementById("lmap").dataset.basemap === "loaded"`, 10*time.Second)
	cold := timing("wfo region, cold")
	b.run("reload", chromedp.Navigate(b.srv.URL+"/regions/wfo"), chromedp.WaitVisible(chromedp.ID("board")))
	b.waitFor(`document.getElementById("lmap").dataset.basemap === "loaded"`, 10*time.Second)
	warm := timing("wfo region, warm")
	if cold.Interactive <= 0 || warm.MapReady <= 0 || cold.Transferred <= 0 {
		t.Errorf("timings not measured: cold %+v warm %+v", cold, warm)
	}

	// Keyboard: Tab reaches the map, a mission marker and the forms, in that order.
	reached := map[string]bool{}
	for range 120 {
		b.run("tab", chromedp.KeyEvent(kb.Tab))
		id := eval[string](b, `(() => { const e = document.activeElement; if (!e) return ""; if (e.id) return e.id; if (e.classList.contains("mk")) return "marker"; if (e.classList.contains("cluster")) return "cluster"; return e.tagName; })()`)
		reached[id] = true
	}
	for _, want := range []string{"shift", "unit", "lmap", "marker", "threat-mission", "threat-submit"} {
		if !reached[want] {
			t.Errorf("Tab never reached %s (reached %v)", want, reached)
		}
	}

	b.run("all units", chromedp.Navigate(b.srv.URL+"/regions/wfo?unit=all"), chromedp.WaitVisible(chromedp.ID("board")))
	b.waitFor(`document.getElementById("lmap").dataset.basemap === "loaded"`, 10*time.Second)
	b.shot("region-wfo-all-desktop.png", false)

	// Admin: the regions list, a region without a basemap (says so), the simulation page.
	b.run("sign out", chromedp.Click(chromedp.ID("signout")), chromedp.WaitVisible(chromedp.ID("token")))
	b.signIn(h.token(RoleAdmin, "", ""), "#regions")
	b.shot("regions-desktop.png", false)
	b.run("bos", chromedp.Navigate(b.srv.URL+"/regions/bos"), chromedp.WaitVisible(chromedp.ID("map")))
	if !b.waitFor(`document.getElementById("lmap").dataset.ready === "true"`, 10*time.Second) {
		t.Fatal("bos map not ready")
	}
	if note := eval[string](b, `(document.querySelector(".map-note") || {}).textContent || ""`); !strings.Contains(note, "No street basemap") {
		t.Errorf("bos map note %q; want it to say no street basemap is shipped", note)
	}
	timing("bos region")
	b.shot("region-bos-desktop.png", false)
	b.run("simulate", chromedp.Navigate(b.srv.URL+"/simulate"), chromedp.WaitVisible(chromedp.ID("simulate")))
	b.shot("simulate-desktop.png", false)

	// Phone widths: sign-in, officer page (desktop too), regions list.
	b.run("sign out", chromedp.Click(chromedp.ID("signout")), chromedp.WaitVisible(chromedp.ID("token")))
	route, i, _ := plannedVisits(t, h)
	h.clock.Set(route.Visits[i].Arrive)
	b.signIn(h.token(RoleOfficer, "", route.Officers[0]), "#checkin")
	timing("officer /me")
	b.shot("officer-desktop.png", false)
	b.run("phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulateScale(2)),
		chromedp.Navigate(b.srv.URL+"/me"), chromedp.WaitVisible(chromedp.ID("checkin")))
	b.run("scroll to the events", chromedp.ScrollIntoView(chromedp.ID("feed")))
	b.shot("officer-phone-events.png", false)
	b.run("sign out", chromedp.Click(chromedp.ID("signout")), chromedp.WaitVisible(chromedp.ID("token")))
	b.shot("signin-phone.png", false)
	if f := b.foreignRequests(); len(f) > 0 {
		t.Errorf("requests left the server's origin: %v", f)
	}
}
