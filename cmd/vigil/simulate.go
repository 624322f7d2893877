package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/schollz/progressbar/v3"

	"vigil/scheduler/simulate"
)

// defaultSimulateDays is --days when not given: the default training days and as many
// test days (DESIGN.md's default of 1 would leave nothing to test on).
const defaultSimulateDays = 2 * simulate.DefaultTrain

func runSimulate(ctx context.Context, args []string, e *env) error {
	fs := newFlags("simulate", "--region R [--date YYYY-MM-DD] [--days N] [--train 28] [--attack 30] [--seed HEX] [--units vehicle=10,foot=2] [--threat mission=level,...] [--incidents 200] [--frontier [--floors 0,1,2,3,4,5,6]] [--format text|json] [--charts DIR] [--missions F] [--force F]", e)
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
	frontier := fs.Bool("frontier", false, "plan the scenario once per randomization floor (--floors) and report the trade-off per floor instead of the four planners")
	floors := fs.String("floors", "", "the frontier's floors in visits per max gap, e.g. 0,1,2,3,4,5,6 (the default; implies --frontier)")
	format := fs.String("format", "text", "output format: text or json")
	charts := fs.String("charts", "", "directory to write SVG charts into")
	if err := parse(fs, args); err != nil {
		return err
	}
	if !oneOf(*format, "text", "json") {
		return usageError{fmt.Errorf("--format %q: want text or json", *format)}
	}
	uk, err := simulate.ParsePairs(*units)
	if err != nil {
		return usageError{fmt.Errorf("--units: %w", err)}
	}
	tk, err := simulate.ParsePairs(*threat)
	if err != nil {
		return usageError{fmt.Errorf("--threat: %w", err)}
	}
	draft := simulate.Draft{Date: *date, Days: days, Train: train, Attack: attack, Incidents: incidents,
		Seed: *seed, Units: uk, Threat: tk}
	if *frontier || *floors != "" {
		if draft.Frontier, err = simulate.ParseFloors(*floors); err != nil {
			return usageError{fmt.Errorf("--floors: %w", err)}
		}
	}
	in, err := inf.regionInputs(*region)
	if err != nil {
		return err
	}
	sc, err := simulate.ParseScenario(draft, simulate.CommandLimits, in.Force.Shifts, in.Office.Location, e.now())
	if err != nil {
		return usageError{err}
	}
	sc.Progress = simulateProgress(sc, e)
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
	return writeSimulation(res, *format, *charts, e)
}

// simulateProgress shows a run's progress on stderr: a bar on a terminal; otherwise, for a
// frontier run (the long one), a line per floor done.
func simulateProgress(sc simulate.Scenario, e *env) func(done, total int) {
	if e.terminal {
		total := sc.Days + 4
		if len(sc.Frontier) > 0 {
			total = len(sc.Frontier) * (sc.Days + 1)
		}
		bar := progressbar.NewOptions(total, progressbar.OptionSetWriter(e.stderr),
			progressbar.OptionSetDescription("simulating"), progressbar.OptionClearOnFinish())
		return func(done, _ int) { bar.Set(done) }
	}
	if len(sc.Frontier) == 0 {
		return nil
	}
	return func(done, total int) {
		if per := sc.Days + 1; done%per == 0 {
			i := done/per - 1
			fmt.Fprintf(e.stderr, "frontier: floor %g done (%d of %d)\n", sc.Frontier[i], i+1, len(sc.Frontier))
		}
	}
}

// writeSimulation writes res in format, and its charts into dir when given.
func writeSimulation(res *simulate.Result, format, dir string, e *env) error {
	frontier := len(res.Frontier) > 0
	if format == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return err
		}
	} else if frontier {
		if err := simulate.WriteFrontierText(e.stdout, res); err != nil {
			return err
		}
	} else if err := simulate.WriteText(e.stdout, res); err != nil {
		return err
	}
	if dir == "" {
		return nil
	}
	var paths []string
	var err error
	if frontier {
		var p string
		p, err = simulate.WriteFrontierChart(dir, res)
		paths = []string{p}
	} else {
		paths, err = simulate.WriteCharts(dir, res)
	}
	if err != nil {
		return err
	}
	// File names never go into machine output.
	var w io.Writer = e.stdout
	if format == "json" {
		w = e.stderr
	}
	fmt.Fprintf(w, "\nCharts written: %s\n", strings.Join(paths, ", "))
	return nil
}
