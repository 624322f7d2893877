package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/schollz/progressbar/v3"

	"vigil/scheduler"
	"vigil/scheduler/simulate"
)

// defaultSimulateDays is --days when not given: the default training days and as many
// test days (DESIGN.md's default of 1 would leave nothing to test on).
const defaultSimulateDays = 2 * simulate.DefaultTrain

func runSimulate(ctx context.Context, args []string, e *env) error {
	fs := newFlags("simulate", "--region R [--date YYYY-MM-DD] [--days N] [--train 28] [--attack 30] [--seed HEX] [--units vehicle=10,foot=2] [--threat mission=level,...] [--incidents 200] [--format text|json] [--charts DIR] [--missions F] [--force F]", e)
	var inf inputFlags
	inf.register(fs)
	region := fs.String("region", "", "region (office id), e.g. wfo (required)")
	date := fs.String("date", "", "first service date (default: the next service day to start)")
	days := fs.Int("days", defaultSimulateDays, "service days to plan, training days included (more than --train)")
	train := fs.Int("train", simulate.DefaultTrain, "training days: the adversaries learn on them, the rest are scored")
	attack := fs.Int("attack", simulate.DefaultAttack, "attack minutes of the historical adversary and the minimax value (live always reports 15, 30, 60)")
	seed := fs.String("seed", simulate.DefaultSeed, "simulation seed in hex (never the live key): the same seed gives the same report")
	units := fs.String("units", "", "units on duty per shift, by mode, e.g. vehicle=10,foot=2 (default: the force file's)")
	threat := fs.String("threat", "", "threat levels to set, by mission id, e.g. emb-fr=5,emb-de=4")
	incidents := fs.Int("incidents", simulate.DefaultIncidents, "random incidents per service day for the response times (0 skips them)")
	format := fs.String("format", "text", "output format: text or json")
	charts := fs.String("charts", "", "directory to write SVG charts into")
	if err := parse(fs, args); err != nil {
		return err
	}
	if !oneOf(*format, "text", "json") {
		return usageError{fmt.Errorf("--format %q: want text or json", *format)}
	}
	if *train < 1 {
		return usageError{fmt.Errorf("--train %d: want at least 1", *train)}
	}
	if *days <= *train || *days > 3660 {
		return usageError{fmt.Errorf("--days %d: want more than --train %d (the days include the training days) and at most 3660", *days, *train)}
	}
	if *attack < 5 || *attack > 24*60 {
		return usageError{fmt.Errorf("--attack %d: want 5 to 1440 minutes", *attack)}
	}
	if *incidents < 0 || *incidents > 100000 {
		return usageError{fmt.Errorf("--incidents %d: want 0 to 100000 a day", *incidents)}
	}
	seedBytes, err := simulate.ParseSeed(*seed)
	if err != nil {
		return usageError{fmt.Errorf("--seed: %w", err)}
	}
	sc := simulate.Scenario{Days: *days, Train: *train, Attack: *attack, Seed: seedBytes, Incidents: *incidents}
	if sc.Units, err = parseUnits(*units); err != nil {
		return usageError{fmt.Errorf("--units: %w", err)}
	}
	if sc.Threat, err = parseThreat(*threat); err != nil {
		return usageError{fmt.Errorf("--threat: %w", err)}
	}
	in, err := inf.regionInputs(*region)
	if err != nil {
		return err
	}
	if sc.From, err = serviceDate(*date, in, e.now()); err != nil {
		return err
	}
	if e.terminal {
		bar := progressbar.NewOptions(*days+4, progressbar.OptionSetWriter(e.stderr),
			progressbar.OptionSetDescription("simulating"), progressbar.OptionClearOnFinish())
		sc.Progress = func(done, _ int) { bar.Set(done) }
	}
	res, err := simulate.Run(ctx, in, sc)
	if err != nil {
		var se *simulate.ScenarioError
		switch {
		case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
			return errors.New("interrupted")
		case errors.As(err, &se):
			return usageError{err}
		}
		return err
	}
	if *format == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return err
		}
	} else if err := simulate.WriteText(e.stdout, res); err != nil {
		return err
	}
	if *charts != "" {
		paths, err := simulate.WriteCharts(*charts, res)
		if err != nil {
			return err
		}
		// File names never go into machine output.
		var w io.Writer = e.stdout
		if *format == "json" {
			w = e.stderr
		}
		fmt.Fprintf(w, "\nCharts written: %s\n", strings.Join(paths, ", "))
	}
	return nil
}

// parseUnits parses "vehicle=10,foot=2"; "" gives nil (the force file's units).
func parseUnits(s string) (map[scheduler.Mode]int, error) {
	kv, err := parsePairs(s)
	if err != nil || kv == nil {
		return nil, err
	}
	out := map[scheduler.Mode]int{}
	for k, n := range kv {
		m := scheduler.Mode(k)
		if m != scheduler.Vehicle && m != scheduler.Foot {
			return nil, fmt.Errorf("unknown mode %q; want vehicle or foot", k)
		}
		if n < 0 || n > 999 {
			return nil, fmt.Errorf("%s=%d: want 0 to 999 units", k, n)
		}
		out[m] = n
	}
	return out, nil
}

// parseThreat parses "emb-fr=5,emb-de=4"; the missions are checked against the region
// when the scenario is applied.
func parseThreat(s string) (map[string]int, error) {
	kv, err := parsePairs(s)
	if err != nil || kv == nil {
		return nil, err
	}
	for k, n := range kv {
		if !scheduler.ValidThreat(n) {
			return nil, fmt.Errorf("%s=%d: want a threat level from %d to %d", k, n, scheduler.MinThreat, scheduler.MaxThreat)
		}
	}
	return kv, nil
}

// parsePairs parses comma-separated name=integer pairs; a name given twice is an error.
func parsePairs(s string) (map[string]int, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	out := map[string]int{}
	for _, part := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, fmt.Errorf("%q is not name=number", part)
		}
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return nil, fmt.Errorf("%q: %q is not a whole number", part, v)
		}
		if _, dup := out[k]; dup {
			return nil, fmt.Errorf("%s given twice", k)
		}
		out[k] = n
	}
	return out, nil
}
