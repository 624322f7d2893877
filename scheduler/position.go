package scheduler

import (
	"sort"
	"time"

	"vigil/geo"
)

// UnitState says what a unit is doing at a moment of its route.
type UnitState string

// Unit states along a route (GET /v1/response).
const (
	AtVisit    UnitState = "at_visit"
	Travelling UnitState = "travelling"
	Waiting    UnitState = "waiting"
)

// PositionAt returns where the unit of rt is at t, taken along its route, and what it is
// doing: at a visit's mission from arrival to departure; before its first visit waiting at
// the first visit's mission (relief in place); after its last waiting at the last visit's
// mission; between two visits it waits at the previous mission and leaves just in time to
// arrive, moving along the straight leg in proportion to the elapsed share of the leg's
// travel time under tr. where gives a mission's point. ok is false for a route without
// visits.
//
// The response measure (§4.6) and GET /v1/response both place units with it, so the
// simulated and the live ETAs agree.
func PositionAt(rt Route, t time.Time, where func(mission string) geo.Point, tr geo.Traveler) (p geo.Point, state UnitState, ok bool) {
	vs := rt.Visits
	if len(vs) == 0 {
		return geo.Point{}, "", false
	}
	j := sort.Search(len(vs), func(k int) bool { return vs[k].Arrive.After(t) }) - 1
	if j < 0 {
		return where(vs[0].Mission), Waiting, true
	}
	from := where(vs[j].Mission)
	if t.Before(vs[j].Depart) {
		return from, AtVisit, true
	}
	if j+1 == len(vs) {
		return from, Waiting, true
	}
	to := where(vs[j+1].Mission)
	legMin := tr.Minutes(from, to)
	leave := vs[j+1].Arrive.Add(-time.Duration(legMin) * time.Minute)
	if legMin <= 0 || t.Before(leave) {
		return from, Waiting, true
	}
	f := min(1, t.Sub(leave).Minutes()/float64(legMin))
	return geo.Point{Lat: from.Lat + f*(to.Lat-from.Lat), Lon: from.Lon + f*(to.Lon-from.Lon)}, Travelling, true
}
