package main

import (
	"bytes"
	"context"
	"encoding/json"
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
