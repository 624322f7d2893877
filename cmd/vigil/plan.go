package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/schollz/progressbar/v3"

	"vigil/scheduler"
)

func runPlan(ctx context.Context, args []string, e *env) error {
	fs := newFlags("plan", "--region R [--date YYYY-MM-DD] [--days N] [--format json|geojson|csv|text] [--posts] [--key HEX | --key-file F]", e)
	var inf inputFlags
	inf.register(fs)
	region := fs.String("region", "", "region (office id), e.g. wfo (required)")
	date := fs.String("date", "", "first service date (default: the next service day to start)")
	days := fs.Int("days", 1, "number of consecutive service days")
	format := fs.String("format", "text", "output format: json, geojson, csv or text")
	posts := fs.Bool("posts", false, "with --format csv: write the fixed-post blocks instead of the visits")
	keyHex := fs.String("key", "", "master key, 64 hex digits (else $VIGIL_KEY, else --key-file)")
	keyFile := fs.String("key-file", "", "file holding the master key")
	if err := parse(fs, args); err != nil {
		return err
	}
	if !oneOf(*format, "json", "geojson", "csv", "text") {
		return usageError{fmt.Errorf("--format %q: want json, geojson, csv or text", *format)}
	}
	if *posts && *format != "csv" {
		return usageError{errors.New("--posts goes with --format csv")}
	}
	if *days < 1 || *days > 3660 {
		return usageError{fmt.Errorf("--days %d: want 1 to 3660", *days)}
	}
	master, err := masterKey(*keyHex, e.getenv("VIGIL_KEY"), *keyFile)
	if err != nil {
		return err
	}
	in, err := inf.regionInputs(*region)
	if err != nil {
		return err
	}
	from, err := serviceDate(*date, in, e.now())
	if err != nil {
		return err
	}
	opt := scheduler.PlanOptions{Key: scheduler.PlanKey(master), From: from, Days: *days}
	if e.terminal && *days > 1 {
		bar := progressbar.NewOptions(*days, progressbar.OptionSetWriter(e.stderr), progressbar.OptionSetDescription("planning"), progressbar.OptionClearOnFinish())
		opt.Progress = func(done, _ int) { bar.Set(done) }
	}
	p, err := scheduler.PlanDays(in, opt)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if k, want := p.Policy.VisitsPerMaxGap, in.Force.Randomization.VisitsPerMaxGap; k < want {
		fmt.Fprintf(e.stderr, "warning %s: %s\n", p.Region, scheduler.FloorWarning(k, want))
	}
	switch *format {
	case "json":
		return scheduler.WritePlanJSON(e.stdout, p)
	case "geojson":
		return scheduler.WritePlanGeoJSON(e.stdout, p)
	case "csv":
		return scheduler.WritePlanCSV(e.stdout, p, *posts)
	default:
		return scheduler.WritePlanText(e.stdout, p)
	}
}

// masterKey takes the master key from --key, else $VIGIL_KEY, else --key-file; with none
// it is bad usage (exit 2). Messages never include the key.
func masterKey(flagHex, envHex, file string) ([]byte, error) {
	switch {
	case flagHex != "":
		k, err := scheduler.ParseMasterKey(flagHex)
		if err != nil {
			return nil, usageError{fmt.Errorf("--key: %w", err)}
		}
		return k, nil
	case envHex != "":
		k, err := scheduler.ParseMasterKey(envHex)
		if err != nil {
			return nil, usageError{fmt.Errorf("VIGIL_KEY: %w", err)}
		}
		return k, nil
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, usageError{fmt.Errorf("--key-file: %w", err)}
		}
		k, err := scheduler.ParseMasterKey(string(b))
		if err != nil {
			return nil, usageError{fmt.Errorf("--key-file %s: %w", file, err)}
		}
		return k, nil
	}
	return nil, usageError{errors.New("no master key: give --key, VIGIL_KEY or --key-file")}
}
