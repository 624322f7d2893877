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
		h, err := scheduler.CheckRegion(ri, scheduler.TravelModel(ri.Force))
		if err == nil {
			// The region can afford its minimums; each zone the planner cuts must too,
			// which only planning a day shows.
			err = scheduler.CheckPlan(ri, scheduler.ServiceDateOf(e.now(), ri.Force.Shifts, ri.Office.Location))
		}
		if err != nil {
			failed = append(failed, err)
			continue
		}
		fmt.Fprintf(e.stdout, "ok %s\n", h)
		for _, w := range h.Warnings {
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
