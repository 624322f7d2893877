package main

import (
	"context"
	"errors"
	"fmt"

	"vigil/scheduler"
)

func runCheck(_ context.Context, args []string, e *env) error {
	fs := newFlags("check", "[--missions F] [--force F] [--region R]", e)
	var in inputFlags
	in.register(fs)
	region := fs.String("region", "", "check only this region (default: every region)")
	if err := parse(fs, args); err != nil {
		return err
	}
	ds, err := in.load()
	if err != nil {
		return err
	}
	regions := ds.Regions()
	if *region != "" {
		regions = []string{*region}
	}
	var failed []error
	for _, r := range regions {
		ri, err := ds.Inputs(r)
		if err != nil {
			failed = append(failed, err)
			continue
		}
		d := scheduler.ServiceDateOf(e.now(), ri.Force.Shifts, ri.Office.Location)
		h, err := scheduler.CheckRegion(ri, scheduler.TravelModel(ri.Force))
		k := 0.0
		if err == nil {
			// The region can afford its minimums; each zone the planner cuts must too,
			// which only planning a day shows. The trial plan also gives the floor the
			// planner keeps, which is what the check reports.
			k, err = scheduler.CheckPlanFloor(ri, d)
		}
		if err != nil {
			failed = append(failed, withUnitsNeeded(ri, d, err))
			continue
		}
		fmt.Fprintf(e.stdout, "ok %s\n", h)
		fmt.Fprintf(e.stdout, "floor %s: %g visits per max gap kept (policy %g), %.0f visits a day left for value\n",
			r, k, h.VisitsPerMaxGap, h.ValueVisits)
		warnings := h.Warnings
		if k < h.VisitsPerMaxGap && k < h.FloorAfforded {
			// The region-wide model affords more than the zones' dispatch does.
			warnings = append(warnings, scheduler.FloorWarning(k, h.VisitsPerMaxGap))
		}
		for _, w := range warnings {
			fmt.Fprintf(e.stdout, "warning %s: %s\n", r, w)
		}
		// Liaison contacts live in the service's store, not in the input files, so the
		// files alone leave every mission without them (DESIGN.md §5).
		if w := scheduler.ContactWarning(r, len(ri.Missions)); w != "" {
			fmt.Fprintf(e.stdout, "warning %s (contacts are kept in the service's store)\n", w)
		}
	}
	if len(failed) > 0 {
		return usageError{errors.Join(failed...)}
	}
	return nil
}

// withUnitsNeeded adds to a region's infeasible-force error how many more units it needs,
// found by trying forces with more until one plans (scheduler.UnitsNeeded).
func withUnitsNeeded(in scheduler.Inputs, d scheduler.Date, err error) error {
	var ie *scheduler.InfeasibleError
	if !errors.As(err, &ie) {
		return err
	}
	mode, n, terr := scheduler.UnitsNeeded(in, d)
	if terr != nil || n == 0 {
		return err
	}
	return fmt.Errorf("%w; with %d more %s units per shift it plans (tried)", err, n, mode)
}
