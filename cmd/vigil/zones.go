package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"vigil/geo"
	"vigil/scheduler"
)

func runZones(_ context.Context, args []string, e *env) error {
	fs := newFlags("zones", "--region R [--resolution N] [--format geojson|json|text] [--missions F] [--force F]", e)
	var inf inputFlags
	inf.register(fs)
	region := fs.String("region", "", "region (office id), e.g. wfo (required)")
	res := fs.Int("resolution", 0, "coarsest H3 resolution (default: the force's h3_resolution, else 8)")
	format := fs.String("format", "text", "output format: geojson, json or text")
	if err := parse(fs, args); err != nil {
		return err
	}
	if !oneOf(*format, "geojson", "json", "text") {
		return usageError{fmt.Errorf("--format %q: want geojson, json or text", *format)}
	}
	in, err := inf.regionInputs(*region)
	if err != nil {
		return err
	}
	if *res != 0 {
		if *res < 0 || *res > scheduler.MaxH3Resolution {
			return usageError{fmt.Errorf("--resolution %d: want 0 to %d", *res, scheduler.MaxH3Resolution)}
		}
		in.Force.H3Resolution = *res
	}
	zones, err := scheduler.Zones(in)
	if err != nil {
		return err
	}
	switch *format {
	case "geojson":
		sites := make([]geo.Site, len(in.Missions))
		for i, m := range in.Missions {
			sites[i] = geo.Site{ID: m.ID, Point: geo.Point{Lat: m.Lat, Lon: m.Lon}}
		}
		b, err := json.Marshal(geo.ZonesFeatureCollection(zones, sites))
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(e.stdout, "%s\n", b)
		return err
	case "json":
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(zonesJSON(zones))
	default:
		total := 0.0
		units := 0
		for _, z := range zones {
			total += z.WorkloadMinutes
			units += z.Units
		}
		fmt.Fprintf(e.stdout, "%s: %d zones, %d missions, %d units per shift, %.0f workload minutes a day\n", in.Office.ID, len(zones), len(in.Missions), units, total)
		for _, z := range zones {
			fmt.Fprintf(e.stdout, "%-18s %2d unit(s) %7.0f min (%5.0f per unit) %3d cells %3d missions: %s\n",
				z.ID, z.Units, z.WorkloadMinutes, z.WorkloadMinutes/float64(z.Units), len(z.Cells), len(z.Sites), strings.Join(z.Sites, " "))
		}
		return nil
	}
}

// zoneDTO is one zone of `vigil zones --format json`.
type zoneDTO struct {
	ID              string   `json:"id"`
	Cells           []string `json:"cells"`
	Missions        []string `json:"missions"`
	Units           int      `json:"units"`
	WorkloadMinutes float64  `json:"workload_minutes"`
}

func zonesJSON(zones []geo.Zone) []zoneDTO {
	out := make([]zoneDTO, len(zones))
	for i, z := range zones {
		out[i] = zoneDTO{ID: z.ID, Cells: z.Cells, Missions: z.Sites, Units: z.Units, WorkloadMinutes: float64(int(z.WorkloadMinutes*10+0.5)) / 10}
	}
	return out
}

func oneOf(s string, options ...string) bool {
	for _, o := range options {
		if s == o {
			return true
		}
	}
	return false
}
