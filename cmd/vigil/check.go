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
		if err != nil {
			failed = append(failed, err)
			continue
		}
		fmt.Fprintf(e.stdout, "%s: ok: %d missions, %d posts; visits/day minimum %.0f, randomization floor %.0f, capacity %.0f (%.1f× minimum); officers %d (need %d)\n",
			r, h.Missions, h.Posts, h.MinimumVisits, h.FloorVisits, h.CapacityVisits, h.CapacityVisits/max(h.MinimumVisits, 1), h.Officers, h.OfficersNeeded)
		for _, w := range h.Warnings {
			fmt.Fprintf(e.stdout, "%s: warning: %s\n", r, w)
		}
	}
	if len(failed) > 0 {
		return usageError{errors.Join(failed...)}
	}
	return nil
}
