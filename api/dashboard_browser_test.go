package api

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromiumPath is Debian's Chromium, which .ci/run installs.
const chromiumPath = "/usr/bin/chromium"

// TestDashboardInBrowser drives headless Chromium through the dashboard: a wfo supervisor
// signs in, sees the map and the roster, raises a mission's threat level and sees the
// re-plan add visits to it; an officer then signs in and is refused the supervisor page.
// A screenshot goes to t.TempDir() and, when VIGIL_SCREENSHOTS is set, to that directory.
func TestDashboardInBrowser(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil && os.Getenv("VIGIL_CI") == "1" {
		t.Fatalf("no Chromium at %s and .ci/run should have installed it: %v", chromiumPath, err)
	} else if err != nil {
		t.Skipf("no Chromium at %s (Debian package chromium; .ci/run installs it): %v", chromiumPath, err)
	}
	h := newHarness(t)
	srv := httptest.NewServer(h.srv.Handler())
	defer srv.Close()

	opts := chromiumOptions(t.TempDir(), 1400, 1000)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancelCtx := chromedp.NewContext(actx)
	defer cancelCtx()
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()

	signIn := func(token string) error {
		return chromedp.Do(ctx,
			chromedp.Navigate(srv.URL+"/"),
			chromedp.WaitVisible(chromedp.ID("token")),
			chromedp.SetValue(chromedp.ID("token"), token),
			chromedp.Click(chromedp.ID("signin")),
		)
	}
	// attr reads an attribute of the element a CSS selector names.
	attr := func(sel, name string) string {
		t.Helper()
		r, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(sel), name))
		if err != nil || !r.Exists {
			t.Fatalf("attribute %s of %s: %v (exists %v)", name, sel, err, r.Exists)
		}
		return r.Value
	}
	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return v
	}
	location := func() string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		return v
	}

	const mission = "emb-afghanistan" // threat 1 in the fixtures
	sup := h.token(RoleSupervisor, "wfo", "")
	if err := signIn(sup); err != nil {
		t.Fatalf("supervisor sign-in: %v", err)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.ID("map"))); err != nil {
		t.Fatalf("wfo map: %v", err)
	}
	if loc := location(); !strings.HasSuffix(loc, "/regions/wfo") || strings.Contains(loc, sup) {
		t.Errorf("after sign-in the browser is at %q; want /regions/wfo, without the token", loc)
	}
	if roster := text("#roster"); !strings.Contains(roster, "officers") || !strings.Contains(roster, "night") {
		t.Errorf("roster text %q; want the shifts and their officers", roster)
	}
	before := attr("#m-"+mission, "data-visits")
	err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.ID("threat-mission"), mission),
		chromedp.SetValue(chromedp.ID("threat-level"), "5"),
		chromedp.Click(chromedp.ID("threat-submit")),
		chromedp.WaitVisible(chromedp.ID("replan")),
	)
	if err != nil {
		t.Fatalf("threat change: %v", err)
	}
	added, after := attr("#replan-added", "data-n"), attr("#m-"+mission, "data-visits")
	nb, _ := strconv.Atoi(before)
	na, _ := strconv.Atoi(after)
	if nadd, _ := strconv.Atoi(added); na <= nb || nadd <= 0 {
		t.Errorf("visits of %s before %q, after %q, re-plan added %q; want more visits after raising its threat to 5", mission, before, after, added)
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	saveShot(t, "dashboard-wfo.png", shot)
	if shot, err = chromedp.Run(ctx, chromedp.CaptureScreenshot()); err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	saveShot(t, "dashboard-wfo-top.png", shot)

	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("signout")), chromedp.WaitVisible(chromedp.ID("token"))); err != nil {
		t.Fatalf("sign-out: %v", err)
	}
	if err := signIn(h.token(RoleOfficer, "", "o-wfo-001")); err != nil {
		t.Fatalf("officer sign-in: %v", err)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.ID("my-shift"))); err != nil {
		t.Fatal(err)
	}
	if loc := location(); !strings.HasSuffix(loc, "/me") {
		t.Errorf("officer signed in at %q; want /me", loc)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/regions/wfo"), chromedp.WaitVisible(chromedp.ID("error-heading"))); err != nil {
		t.Fatalf("officer opening /regions/wfo: %v", err)
	}
	if status, heading := attr("#error-status", "data-status"), text("#error-heading"); status != "403" || !strings.Contains(heading, "Not for this sign-in") {
		t.Errorf("officer opening /regions/wfo: status %q heading %q; want 403, Not for this sign-in", status, heading)
	}
}

// saveShot writes a PNG screenshot to the test's directory and, when VIGIL_SCREENSHOTS is
// set, to that directory too.
func saveShot(t *testing.T, name string, png []byte) {
	t.Helper()
	if len(png) == 0 {
		t.Errorf("screenshot %s is empty", name)
		return
	}
	dirs := []string{t.TempDir()}
	if d := os.Getenv("VIGIL_SCREENSHOTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, d)
	}
	for _, d := range dirs {
		p := filepath.Join(d, name)
		if err := os.WriteFile(p, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", p)
	}
}
