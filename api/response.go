package api

import (
	"context"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"vigil/geo"
	"vigil/scheduler"
)

// CoordinationCenter is the Diplomatic Security Coordination Center, reachable around
// the clock from every region (DESIGN.md §2).
var CoordinationCenter = map[string]any{
	"name":   "Diplomatic Security Coordination Center",
	"hours":  "24 hours",
	"phones": []string{"(202) 647-7277", "1-800-979-9331"},
}

// unitETA is one unit in GET /v1/response: where it is now and how soon it can be at the
// point. It holds no future times (no next visits).
type unitETA struct {
	Unit         string         `json:"unit"`
	Mode         scheduler.Mode `json:"mode"`
	Zone         string         `json:"zone"`
	Officers     []string       `json:"officers"`
	State        string         `json:"state"` // scheduler.UnitState: at_visit, travelling or waiting
	Position     latLon         `json:"position"`
	ETAMinutes   int            `json:"eta_minutes"`
	Capabilities []string       `json:"capabilities"`
}

// UnitCapabilities returns a unit's capabilities under a force (scheduler.UnitCapabilities).
func UnitCapabilities(f scheduler.RegionForce, unit string) []string {
	return scheduler.UnitCapabilities(f, unit)
}

// responseUnits ranks the region's units on shift now by their ETA to p.
func (s *Server) responseUnits(ctx context.Context, region string, p geo.Point, capability string) ([]unitETA, error) {
	o, f, err := s.region(ctx, region)
	if err != nil {
		return nil, err
	}
	now := s.now()
	d := s.currentDate(o, f)
	in, changes, err := s.dayInputs(ctx, region, d)
	if err != nil {
		return nil, err
	}
	sd, err := s.serviceDay(ctx, region, d)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, c := range changes {
		if c.Unit != "" && !c.At.After(now) {
			out[c.Unit] = true
		}
	}
	points := map[string]geo.Point{}
	for _, m := range in.Missions {
		points[m.ID] = scheduler.MissionPoint(m)
	}
	travel := scheduler.TravelModel(f)
	units := []unitETA{}
	for _, rt := range sd.Routes {
		if now.Before(rt.Start) || !now.Before(rt.End) || out[rt.Unit] {
			continue
		}
		caps := UnitCapabilities(f, rt.Unit)
		if capability != "" && !slices.Contains(caps, capability) {
			continue
		}
		tr := travel(rt.Mode)
		pos, state, ok := scheduler.PositionAt(rt, now, func(m string) geo.Point { return points[m] }, tr)
		if !ok {
			continue
		}
		units = append(units, unitETA{Unit: rt.Unit, Mode: rt.Mode, Zone: rt.Zone, Officers: rt.Officers, State: string(state),
			Position: latLon{pos.Lat, pos.Lon}, ETAMinutes: tr.Minutes(pos, p), Capabilities: caps})
	}
	sort.SliceStable(units, func(i, j int) bool {
		if units[i].ETAMinutes != units[j].ETAMinutes {
			return units[i].ETAMinutes < units[j].ETAMinutes
		}
		return units[i].Unit < units[j].Unit
	})
	return units, nil
}

// response answers GET /v1/response: units ranked by ETA now to a point, and the
// Coordination Center's numbers. A live position read: audited.
func (s *Server) response(c echo.Context) error {
	cl := claimsOf(c)
	region, err := scopedRegion(cl, c.QueryParam("region"))
	if err != nil {
		return err
	}
	lat, err1 := strconv.ParseFloat(c.QueryParam("lat"), 64)
	lon, err2 := strconv.ParseFloat(c.QueryParam("lon"), 64)
	if err1 != nil || err2 != nil {
		return invalid("lat and lon are required numbers")
	}
	if err := validPlace(lat, lon); err != nil {
		return err
	}
	if o, ok := s.offices[region]; ok {
		if err := nearOffice(o, lat, lon); err != nil {
			return err
		}
	}
	capability := strings.TrimSpace(c.QueryParam("capability"))
	if capability != "" && !scheduler.IDPattern.MatchString(capability) {
		return invalid("capability %q: want a capability name such as canine", capability)
	}
	units, err := s.responseUnits(c.Request().Context(), region, geo.Point{Lat: lat, Lon: lon}, capability)
	if err != nil {
		return err
	}
	if err := s.audit(c, "read-positions", region); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{
		"region": region, "as_of": s.now().UTC(), "point": latLon{lat, lon}, "capability": capability,
		"units": units, "coordination_center": CoordinationCenter,
	})
}

// latLon is a point in JSON.
type latLon struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}

// blobJSON answers 200 with JSON bytes encoded earlier (cached plans and views), with their
// length: the answer goes out in one piece, not in chunks.
func blobJSON(c echo.Context, data []byte) error {
	c.Response().Header().Set(echo.HeaderContentLength, strconv.Itoa(len(data)))
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, data)
}
