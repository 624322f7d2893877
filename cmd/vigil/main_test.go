package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
)

// runCLI runs the program with args and an environment map, returning the exit status,
// stdout and stderr as a person would see them.
func runCLI(t *testing.T, environ map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{
		getenv: func(k string) string { return environ[k] },
		stdout: &out,
		stderr: &errb,
		clock:  clockwork.NewFakeClockAt(time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)),
	}
	code := exitCode(run(context.Background(), args, e), &errb)
	return code, out.String(), errb.String()
}

const testKey = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

func TestUsage(t *testing.T) {
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"help"}, 0, "Commands:"},
		{nil, 2, "no command"},
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{[]string{"zones"}, 2, "--region is required"},
		{[]string{"zones", "--region", "wfo", "--format", "pdf"}, 2, "--format"},
		{[]string{"plan", "--region", "wfo"}, 2, "no master key"},
		{[]string{"plan", "--region", "wfo", "--key", "abc"}, 2, "--key: master key must be 64 hex digits"},
		{[]string{"plan", "--region", "nowhere", "--key", testKey}, 2, "nowhere"},
		{[]string{"plan", "--region", "wfo", "--key", testKey, "--date", "27/11/2026"}, 2, "--date"},
		{[]string{"check", "--bogus"}, 2, "bogus"},
	}
	for _, tt := range tests {
		code, out, errs := runCLI(t, nil, tt.args...)
		if code != tt.code || !strings.Contains(out+errs, tt.want) {
			t.Errorf("vigil %v = %d, %q; want %d and %q", tt.args, code, out+errs, tt.code, tt.want)
		}
	}
}

func TestCheckShippedFixtures(t *testing.T) {
	code, out, errs := runCLI(t, nil, "check")
	if code != 0 {
		t.Fatalf("vigil check = %d; stderr %s", code, errs)
	}
	if !strings.Contains(out, "ok wfo: 177 missions") {
		t.Errorf("vigil check output lacks the wfo headroom line:\n%s", out)
	}
}

func TestCheckRejectsBadMissions(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.csv")
	csv := "id,name,kind,country,address,city,state,lat,lon,threat,fixed_posts,region\r\n" +
		"emb-x,Embassy X,embassy,X,,Washington,DC,38.9,-77.0,3,,wfo\r\n" +
		"emb-y,Embassy Y,embassy,Y,,Washington,DC,138.9,-77.0,9,,wfo\r\n"
	if err := os.WriteFile(bad, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errs := runCLI(t, nil, "check", "--missions", bad)
	if code != 2 {
		t.Fatalf("vigil check --missions bad.csv = %d; want 2", code)
	}
	for _, want := range []string{"bad.csv:3", "lat", "threat"} {
		if !strings.Contains(errs, want) {
			t.Errorf("vigil check stderr %q lacks %q", errs, want)
		}
	}
}

func TestZonesWFO(t *testing.T) {
	code, out, errs := runCLI(t, nil, "zones", "--region", "wfo", "--format", "json")
	if code != 0 {
		t.Fatalf("vigil zones = %d; stderr %s", code, errs)
	}
	var zones []zoneDTO
	if err := json.Unmarshal([]byte(out), &zones); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, z := range zones {
		for _, m := range z.Missions {
			if seen[m] {
				t.Errorf("mission %s in two zones", m)
			}
			seen[m] = true
		}
	}
	if len(seen) != 177 {
		t.Errorf("zones hold %d missions; want 177", len(seen))
	}
}

// forceWith writes the shipped force file with wfo's units replaced, and returns its path.
func forceWith(t *testing.T, units string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "fixtures", "force.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(b), "units: {vehicle: 26, foot: 4}", "units: "+units, 1)
	if s == string(b) {
		t.Fatal("shipped force.yaml has no wfo units line to replace")
	}
	path := filepath.Join(t.TempDir(), "force.yaml")
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestCheckFloorAndShortForce checks vigil check's randomization report (DESIGN.md §3):
// the floor kept and the visits left for value; a lowered floor is a warning, not a
// failure; and a force too small names the units it needs, which plan when added, found
// by trying.
func TestCheckFloorAndShortForce(t *testing.T) {
	code, out, errs := runCLI(t, nil, "check", "--region", "wfo")
	if code != 0 || !strings.Contains(out, "floor wfo: 3 visits per max gap kept (policy 3),") || strings.Contains(out, "lowered") {
		t.Fatalf("vigil check --region wfo = %d:\n%s%s\nwant the default floor kept", code, out, errs)
	}
	code, out, errs = runCLI(t, nil, "check", "--region", "wfo", "--force", forceWith(t, "{vehicle: 10, foot: 4}"))
	if code != 0 || !strings.Contains(out, "warning wfo: randomization floor lowered to ") {
		t.Fatalf("vigil check with 10 vehicles = %d:\n%s%s\nwant ok with a lowered-floor warning", code, out, errs)
	}
	code, _, errs = runCLI(t, nil, "check", "--region", "wfo", "--force", forceWith(t, "{vehicle: 3, foot: 0}"))
	var n int
	i := strings.Index(errs, "; with ")
	if code != 2 || i < 0 {
		t.Fatalf("vigil check with 3 vehicles = %d, stderr %q; want 2 naming the units needed", code, errs)
	}
	if _, err := fmt.Sscanf(errs[i:], "; with %d more vehicle units per shift it plans (tried)", &n); err != nil || n < 1 {
		t.Fatalf("stderr %q: %v", errs, err)
	}
	for _, tt := range []struct {
		vehicles int
		code     int
	}{{3 + n, 0}, {3 + n - 1, 2}} {
		// Officers as the trial assumed them: enough for the units.
		f := forceWith(t, fmt.Sprintf("{vehicle: %d, foot: 0}", tt.vehicles))
		b, _ := os.ReadFile(f)
		os.WriteFile(f, []byte(strings.Replace(string(b), "officers: 243", "officers: 400", 1)), 0o600)
		if code, out, errs := runCLI(t, nil, "check", "--region", "wfo", "--force", f); code != tt.code {
			t.Errorf("vigil check with %d vehicles = %d; want %d\n%s%s", tt.vehicles, code, tt.code, out, errs)
		}
	}
}
