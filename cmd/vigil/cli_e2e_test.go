package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"vigil/scheduler"
)

// End to end through the built binary (issue 19): `vigil plan` in every format parsed back,
// the JSON equal to a served instance's with the same key, and day independence.

var (
	vigilBinOnce sync.Once
	vigilBin     string
	vigilBinErr  error
)

// TestMain removes the binary built for the end-to-end tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if vigilBin != "" {
		os.RemoveAll(filepath.Dir(vigilBin))
	}
	os.Exit(code)
}

// binary builds cmd/vigil once per test run.
func binary(t *testing.T) string {
	t.Helper()
	vigilBinOnce.Do(func() {
		dir, err := os.MkdirTemp("", "vigil-e2e-")
		if err != nil {
			vigilBinErr = err
			return
		}
		vigilBin = filepath.Join(dir, "vigil")
		out, err := exec.Command("go", "build", "-o", vigilBin, ".").CombinedOutput()
		if err != nil {
			vigilBinErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if vigilBinErr != nil {
		t.Fatal(vigilBinErr)
	}
	return vigilBin
}

// vigil runs the binary with VIGIL_KEY set to testKey and returns its stdout.
func vigil(t *testing.T, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	cmd.Env = append(os.Environ(), "VIGIL_KEY="+testKey)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("vigil %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return out
}

// e2eRegion is a small region with several units and a fixed post (its threat-5 mission).
const e2eRegion = "nyc"

// nextDate is the date of tomorrow in the region's time zone: a date the served instance
// (on the real clock) plans for an admin.
func nextDate(t *testing.T) scheduler.Date {
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	n := time.Now().In(loc).AddDate(0, 0, 1)
	return scheduler.Date{Year: n.Year(), Month: n.Month(), Day: n.Day()}
}

func TestPlanEveryFormatParsedBack(t *testing.T) {
	d := "2026-12-01"
	var p scheduler.Plan
	if err := json.Unmarshal(vigil(t, "plan", "--region", e2eRegion, "--date", d, "--days", "2", "--format", "json"), &p); err != nil {
		t.Fatalf("plan JSON: %v", err)
	}
	if p.Schema != scheduler.PlanSchema || p.Region != e2eRegion || p.From != d || p.Days != 2 || len(p.ServiceDays) != 2 {
		t.Fatalf("plan JSON: schema %q region %q from %q days %d/%d; want %s %s %s 2/2",
			p.Schema, p.Region, p.From, p.Days, len(p.ServiceDays), scheduler.PlanSchema, e2eRegion, d)
	}
	at := map[string]orb.Point{}
	for _, m := range p.Missions {
		at[m.ID] = orb.Point{m.Lon, m.Lat}
	}
	type visitRow struct{ date, unit, mission, arrive, depart string }
	var visits []visitRow
	routes, posts, blocks := 0, 0, 0
	var units []string
	for _, sd := range p.ServiceDays {
		for _, r := range sd.Routes {
			if len(r.Visits) > 0 {
				routes++
			}
			if !slices.Contains(units, r.Unit) {
				units = append(units, r.Unit)
			}
			for _, v := range r.Visits {
				visits = append(visits, visitRow{sd.Date, r.Unit, v.Mission, v.Arrive.Format(time.RFC3339), v.Depart.Format(time.RFC3339)})
			}
		}
		posts += len(sd.Posts)
		for _, post := range sd.Posts {
			blocks += len(post.Blocks)
		}
	}
	if len(visits) == 0 || posts == 0 {
		t.Fatalf("plan of %s has %d visits and %d posts; the test wants both", e2eRegion, len(visits), posts)
	}

	t.Run("geojson", func(t *testing.T) {
		fc, err := geojson.UnmarshalFeatureCollection(vigil(t, "plan", "--region", e2eRegion, "--date", d, "--days", "2", "--format", "geojson"))
		if err != nil {
			t.Fatalf("GeoJSON: %v", err)
		}
		if got, want := len(fc.Features), routes+len(visits)+posts; got != want {
			t.Errorf("GeoJSON has %d features; want %d routes + %d visits + %d posts", got, routes, len(visits), posts)
		}
		var got []visitRow
		for _, f := range fc.Features {
			if _, ok := f.Properties["arrive"]; !ok {
				continue
			}
			v := visitRow{f.Properties.MustString("date"), f.Properties.MustString("unit"), f.Properties.MustString("mission"),
				f.Properties.MustString("arrive"), f.Properties.MustString("depart")}
			got = append(got, v)
			if pt, ok := f.Geometry.(orb.Point); !ok || pt != at[v.mission] {
				t.Errorf("visit feature of %s at %v; want the point %v", v.mission, f.Geometry, at[v.mission])
			}
		}
		if !slices.Equal(got, visits) {
			t.Errorf("GeoJSON visits differ from the JSON plan's (%d vs %d)", len(got), len(visits))
		}
	})

	t.Run("csv", func(t *testing.T) {
		rows, err := csv.NewReader(bytes.NewReader(vigil(t, "plan", "--region", e2eRegion, "--date", d, "--days", "2", "--format", "csv"))).ReadAll()
		if err != nil {
			t.Fatalf("CSV: %v", err)
		}
		if want := []string{"date", "shift", "unit", "mode", "zone", "mission", "arrive", "depart", "officers"}; len(rows) == 0 || !slices.Equal(rows[0], want) {
			t.Fatalf("CSV header %v; want %v", rows[:min(1, len(rows))], want)
		}
		var got []visitRow
		for _, r := range rows[1:] {
			got = append(got, visitRow{r[0], r[2], r[5], r[6], r[7]})
		}
		if !slices.Equal(got, visits) {
			t.Errorf("CSV visits differ from the JSON plan's (%d rows vs %d visits)", len(got), len(visits))
		}
		prows, err := csv.NewReader(bytes.NewReader(vigil(t, "plan", "--region", e2eRegion, "--date", d, "--days", "2", "--format", "csv", "--posts"))).ReadAll()
		if err != nil {
			t.Fatalf("CSV --posts: %v", err)
		}
		if len(prows) != 1+blocks || !slices.Equal(prows[0], []string{"date", "post", "mission", "officer", "start", "end"}) {
			t.Errorf("CSV --posts: %d rows, header %v; want 1 + %d blocks", len(prows), prows[0], blocks)
		}
	})

	t.Run("text", func(t *testing.T) {
		text := string(vigil(t, "plan", "--region", e2eRegion, "--date", d, "--days", "2"))
		if !strings.HasPrefix(text, "Vigil plan for region "+e2eRegion) {
			t.Errorf("text starts %q; want the region's title", text[:min(60, len(text))])
		}
		for _, sd := range p.ServiceDays {
			if !strings.Contains(text, "Service day "+sd.Date) {
				t.Errorf("text does not mention service day %s", sd.Date)
			}
		}
		for _, u := range units {
			if !strings.Contains(text, u) {
				t.Errorf("text does not mention route unit %s", u)
			}
		}
		for _, v := range visits {
			if !strings.Contains(text, v.mission) {
				t.Errorf("text does not mention visited mission %s", v.mission)
			}
		}
	})

	t.Run("one day equals day 2 of two", func(t *testing.T) {
		var one scheduler.Plan
		if err := json.Unmarshal(vigil(t, "plan", "--region", e2eRegion, "--date", "2026-12-02", "--format", "json"), &one); err != nil {
			t.Fatal(err)
		}
		a, _ := json.Marshal(one.ServiceDays)
		b, _ := json.Marshal(p.ServiceDays[1:])
		if !bytes.Equal(a, b) {
			t.Errorf("vigil plan --date 2026-12-02 differs from day 2 of --date 2026-12-01 --days 2")
		}
	})
}

// TestPlanEqualsServed checks the README's claim: `vigil plan` with the service's key
// writes the plan JSON the service serves, byte for byte.
func TestPlanEqualsServed(t *testing.T) {
	bin := binary(t)
	dir := t.TempDir()
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := exec.CommandContext(ctx, bin, "serve", "--addr", addr, "--data", filepath.Join(dir, "vigil.db"))
	srv.Env = append(os.Environ(), "VIGIL_KEY="+testKey)
	var logs bytes.Buffer
	srv.Stdout, srv.Stderr = &logs, &logs
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Wait()
	up := false
	for i := 0; i < 200 && !up; i++ {
		if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
			resp.Body.Close()
			up = resp.StatusCode == http.StatusOK
		} else {
			time.Sleep(50 * time.Millisecond)
		}
	}
	if !up {
		cancel()
		srv.Wait()
		t.Fatalf("vigil serve did not answer on %s:\n%s", addr, logs.String())
	}
	tok := strings.TrimSpace(string(vigil(t, "token", "--role", "admin")))
	d := nextDate(t).String()
	req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/v1/plans/"+e2eRegion+"/"+d, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	served, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /v1/plans/%s/%s = %d %v %s", e2eRegion, d, resp.StatusCode, err, served)
	}
	cli := vigil(t, "plan", "--region", e2eRegion, "--date", d, "--format", "json")
	if !bytes.Equal(cli, served) {
		t.Errorf("vigil plan --date %s (%d bytes) differs from GET /v1/plans/%s/%s (%d bytes)", d, len(cli), e2eRegion, d, len(served))
	}
	var p scheduler.Plan
	if err := json.Unmarshal(served, &p); err != nil || len(p.ServiceDays) != 1 || len(p.ServiceDays[0].Routes) == 0 {
		t.Errorf("served plan: %v, %d days; want one day with routes", err, len(p.ServiceDays))
	}
	// Another key plans otherwise: the equality above is the key's doing.
	cmd := exec.Command(bin, "plan", "--region", e2eRegion, "--date", d, "--format", "json", "--key", strings.Repeat("ab", 32))
	if other, err := cmd.Output(); err != nil || bytes.Equal(other, served) {
		t.Errorf("vigil plan with another key: %v, equal to the served plan %v; want a different plan", err, bytes.Equal(other, served))
	}
	cancel()
}
