package api

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"vigil/geo"
	"vigil/scheduler"
)

// decode reads a JSON body strictly: unknown fields and trailing data are errors, so a
// typo cannot pass silently.
func decode(c echo.Context, v any) error {
	br := bufio.NewReader(io.LimitReader(c.Request().Body, 1<<20))
	// A body is one JSON object: null, arrays and bare values are refused, not read as
	// an empty change.
	for {
		b, err := br.ReadByte()
		if err != nil {
			return invalid("request body: want a JSON object, got an empty body")
		}
		if b == ' ' || b == '\t' || b == '\r' || b == '\n' {
			continue
		}
		if b != '{' {
			return invalid("request body: want a JSON object")
		}
		_ = br.UnreadByte()
		break
	}
	dec := json.NewDecoder(br)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return invalid("request body: %v", err)
	}
	if dec.More() {
		return invalid("request body: data after the JSON value")
	}
	return nil
}

// regionOut is one region in GET /v1/regions.
type regionOut struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	City        string `json:"city"`
	State       string `json:"state"`
	Timezone    string `json:"timezone"`
	ServiceDate string `json:"current_service_date"`
}

// missionOut is a mission as a reader may see it: officers get no threat level or
// history, planners no contacts.
type missionOut struct {
	ID              string                   `json:"id"`
	Name            string                   `json:"name"`
	Kind            string                   `json:"kind"`
	Country         string                   `json:"country,omitempty"`
	Address         string                   `json:"address,omitempty"`
	City            string                   `json:"city,omitempty"`
	State           string                   `json:"state,omitempty"`
	Lat             float64                  `json:"lat"`
	Lon             float64                  `json:"lon"`
	Region          string                   `json:"region"`
	Threat          *int                     `json:"threat,omitempty"`
	FixedPosts      *int                     `json:"fixed_posts,omitempty"`
	ThreatHistory   []scheduler.ThreatChange `json:"threat_history,omitempty"`
	Contacts        []scheduler.Contact      `json:"contacts,omitempty"`
	ContactsFlagged *bool                    `json:"contacts_flagged,omitempty"`
}

func missionView(r scheduler.MissionRecord, cl *Claims, now time.Time) missionOut {
	m := r.Mission
	out := missionOut{ID: m.ID, Name: m.Name, Kind: m.Kind, Country: m.Country, Address: m.Address,
		City: m.City, State: m.State, Lat: m.Lat, Lon: m.Lon, Region: m.Region}
	if cl.Role == RoleOfficer {
		out.Contacts = nonNil(r.Contacts)
		return out
	}
	threat := r.ThreatAt(now)
	flagged := len(r.Contacts) < scheduler.MinContacts
	history := r.History
	if cl.Role != RoleAdmin {
		// Who set a level, without their token's id: that is for admins (the audit log).
		history = make([]scheduler.ThreatChange, len(r.History))
		for i, h := range r.History {
			h.SetBy = withoutTokenID(h.SetBy)
			history[i] = h
		}
	}
	out.Threat, out.FixedPosts, out.ThreatHistory, out.ContactsFlagged = &threat, m.FixedPosts, history, &flagged
	if cl.Role != RolePlanner {
		out.Contacts = nonNil(r.Contacts)
	}
	return out
}

// withoutTokenID strips the token id from an actor (Claims.actor): "supervisor:wfo:<jti>"
// becomes "supervisor:wfo", "admin:<jti>" becomes "admin"; an officer id is kept.
func withoutTokenID(actor string) string {
	switch role, rest, _ := strings.Cut(actor, ":"); role {
	case RoleSupervisor:
		region, _, _ := strings.Cut(rest, ":")
		return role + ":" + region
	case RoleAdmin, RolePlanner:
		return role
	}
	return actor
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// missionIn is the body of POST /v1/missions.
type missionIn struct {
	ID         string              `json:"id"`
	Name       string              `json:"name"`
	Kind       string              `json:"kind"`
	Country    string              `json:"country"`
	Address    string              `json:"address"`
	City       string              `json:"city"`
	State      string              `json:"state"`
	Lat        float64             `json:"lat"`
	Lon        float64             `json:"lon"`
	Threat     int                 `json:"threat"`
	FixedPosts *int                `json:"fixed_posts"`
	Region     string              `json:"region"`
	Contacts   []scheduler.Contact `json:"contacts"`
}

func (in missionIn) validate() error {
	switch {
	case !scheduler.IDPattern.MatchString(in.ID):
		return invalid("id %q: want %s", in.ID, scheduler.IDPattern)
	case strings.TrimSpace(in.Name) == "":
		return invalid("name is required")
	case !validKind(in.Kind):
		return invalid("kind %q: want one of %s", in.Kind, strings.Join(scheduler.Kinds, ", "))
	case in.Region == "":
		return invalid("region is required")
	}
	if err := validPlace(in.Lat, in.Lon); err != nil {
		return err
	}
	if err := validThreat(in.Threat); err != nil {
		return err
	}
	if err := validPosts(in.FixedPosts); err != nil {
		return err
	}
	return validContacts(in.Contacts)
}

func validKind(k string) bool {
	for _, x := range scheduler.Kinds {
		if k == x {
			return true
		}
	}
	return false
}

// MaxMissionKm is how far from its region's DS office a mission may lie: further off it
// is another region's, or its coordinates are wrong (and would send units hours away).
const MaxMissionKm = 250

// nearOffice refuses a mission place more than MaxMissionKm from the region's office.
func nearOffice(o scheduler.Office, lat, lon float64) error {
	if km := geo.Haversine(geo.Point{Lat: lat, Lon: lon}, geo.Point{Lat: o.Lat, Lon: o.Lon}) / 1000; km > MaxMissionKm {
		return invalid("lat %v, lon %v is %.0f km from the %s office: want a place within %d km of it", lat, lon, km, o.ID, MaxMissionKm)
	}
	return nil
}

func validPlace(lat, lon float64) error {
	if math.IsNaN(lat) || lat < -90 || lat > 90 || math.IsNaN(lon) || lon < -180 || lon > 180 || (lat == 0 && lon == 0) {
		return invalid("lat %v, lon %v is not a place", lat, lon)
	}
	return nil
}

func validThreat(t int) error {
	if !scheduler.ValidThreat(t) {
		return invalid("threat %d: want %d to %d", t, scheduler.MinThreat, scheduler.MaxThreat)
	}
	return nil
}

func validPosts(p *int) error {
	if p != nil && (*p < 0 || *p > 20) {
		return invalid("fixed_posts %d: want 0 to 20", *p)
	}
	return nil
}

func validContacts(cs []scheduler.Contact) error {
	if len(cs) > 50 {
		return invalid("%d contacts: at most 50", len(cs))
	}
	for i, c := range cs {
		if strings.TrimSpace(c.Name) == "" || strings.TrimSpace(c.Phone) == "" {
			return invalid("contact %d: name and phone are required", i+1)
		}
	}
	return nil
}

// missionPatch is the body of PATCH /v1/missions/{id}; absent fields are left alone. A
// threat change applies from From (default now), until Until when given.
type missionPatch struct {
	Name       *string    `json:"name"`
	Kind       *string    `json:"kind"`
	Country    *string    `json:"country"`
	Address    *string    `json:"address"`
	City       *string    `json:"city"`
	State      *string    `json:"state"`
	Lat        *float64   `json:"lat"`
	Lon        *float64   `json:"lon"`
	FixedPosts *int       `json:"fixed_posts"`
	Threat     *int       `json:"threat"`
	From       *time.Time `json:"from"`
	Until      *time.Time `json:"until"`
}

func (p missionPatch) validate(now time.Time) error {
	if p.Name != nil && strings.TrimSpace(*p.Name) == "" {
		return invalid("name may not be empty")
	}
	if p.Kind != nil && !validKind(*p.Kind) {
		return invalid("kind %q: want one of %s", *p.Kind, strings.Join(scheduler.Kinds, ", "))
	}
	if (p.Lat == nil) != (p.Lon == nil) {
		return invalid("lat and lon go together")
	}
	if p.Lat != nil {
		if err := validPlace(*p.Lat, *p.Lon); err != nil {
			return err
		}
	}
	if err := validPosts(p.FixedPosts); err != nil {
		return err
	}
	if p.Threat == nil {
		if p.From != nil || p.Until != nil {
			return invalid("from and until go with threat")
		}
		return nil
	}
	if err := validThreat(*p.Threat); err != nil {
		return err
	}
	from := now
	if p.From != nil {
		from = *p.From
		if from.Before(now.Add(-time.Minute)) {
			return invalid("from %s is in the past: a threat change applies from now or later", from.Format(time.RFC3339))
		}
	}
	for name, t := range map[string]*time.Time{"from": p.From, "until": p.Until} {
		if t != nil && t.Sub(now) > DateWindow*24*time.Hour {
			return invalid("%s %s is more than %d days ahead", name, t.Format(time.RFC3339), DateWindow)
		}
	}
	if p.Until != nil && !p.Until.After(from) {
		return invalid("until %s is not after from %s", p.Until.Format(time.RFC3339), from.Format(time.RFC3339))
	}
	return nil
}

// contactsIO is the body of GET|PUT /v1/missions/{id}/contacts.
type contactsIO struct {
	Contacts []scheduler.Contact `json:"contacts"`
	Flagged  bool                `json:"flagged"`
	Warning  string              `json:"warning,omitempty"`
}

func contactsView(r scheduler.MissionRecord) contactsIO {
	out := contactsIO{Contacts: nonNil(r.Contacts), Flagged: len(r.Contacts) < scheduler.MinContacts}
	if out.Flagged {
		out.Warning = fmt.Sprintf("mission %s has %d liaison contacts; at least %d are needed", r.Mission.ID, len(r.Contacts), scheduler.MinContacts)
	}
	return out
}

// forceOut is a region's force.
type forceOut struct {
	Region               string                       `json:"region"`
	Shifts               []shiftOut                   `json:"shifts"`
	Units                map[scheduler.Mode]int       `json:"units"`
	Crew                 map[scheduler.Mode]int       `json:"crew"`
	Capabilities         map[string]int               `json:"capabilities"`
	Officers             int                          `json:"officers"`
	PostBlockMinutes     int                          `json:"post_block_minutes"`
	ReleaseBeforeMinutes int                          `json:"release_before_minutes"`
	H3Resolution         int                          `json:"h3_resolution"`
	SpeedsKmh            map[scheduler.Mode]float64   `json:"speeds_kmh"`
	Circuity             float64                      `json:"circuity"`
	Profiles             map[string]scheduler.Profile `json:"profiles"`
}

type shiftOut struct {
	Name  string `json:"name"`
	Start string `json:"start"`
}

func forceView(f scheduler.RegionForce) forceOut {
	out := forceOut{Region: f.Region, Units: f.Units, Crew: f.Crew, Capabilities: f.Capabilities, Officers: f.Officers,
		PostBlockMinutes: f.PostBlockMinutes, ReleaseBeforeMinutes: f.ReleaseBeforeMinutes, H3Resolution: f.H3Resolution,
		SpeedsKmh: f.SpeedsKmh, Circuity: f.Circuity, Profiles: map[string]scheduler.Profile{}}
	for _, s := range f.Shifts {
		out.Shifts = append(out.Shifts, shiftOut{Name: s.Name, Start: s.Start.String()})
	}
	for l := scheduler.MinThreat; l <= scheduler.MaxThreat; l++ {
		out.Profiles[fmt.Sprint(l)] = f.Profiles[l]
	}
	return out
}

// forcePatch is the body of PATCH /v1/force/{region}: officers, units, capabilities.
type forcePatch struct {
	Officers     *int           `json:"officers"`
	Units        *unitsPatch    `json:"units"`
	Capabilities map[string]int `json:"capabilities"`
}

type unitsPatch struct {
	Vehicle *int `json:"vehicle"`
	Foot    *int `json:"foot"`
}

func (p forcePatch) apply(f *scheduler.RegionForce) error {
	if p.Officers != nil {
		if *p.Officers < 0 || *p.Officers > 99999 {
			return invalid("officers %d: want 0 to 99999", *p.Officers)
		}
		if len(f.Roster) > 0 && *p.Officers != len(f.Roster) {
			return invalid("officers %d: region %s has %d named officers; a count applies to anonymous officers only", *p.Officers, f.Region, len(f.Roster))
		}
		f.Officers = *p.Officers
	}
	if p.Units != nil {
		for mode, n := range map[scheduler.Mode]*int{scheduler.Vehicle: p.Units.Vehicle, scheduler.Foot: p.Units.Foot} {
			if n == nil {
				continue
			}
			if *n < 0 || *n > 999 {
				return invalid("units.%s %d: want 0 to 999", mode, *n)
			}
			f.Units[mode] = *n
		}
	}
	for k, n := range p.Capabilities {
		if !scheduler.IDPattern.MatchString(k) || n < 0 || n > f.Units[scheduler.Vehicle] {
			return invalid("capabilities.%s %d: want 0 to the vehicle units (%d)", k, n, f.Units[scheduler.Vehicle])
		}
		if n == 0 {
			delete(f.Capabilities, k)
		} else {
			f.Capabilities[k] = n
		}
	}
	return nil
}

// rosterOut is the duty roster of a range of service dates.
type rosterOut struct {
	Region string      `json:"region"`
	From   string      `json:"from"`
	To     string      `json:"to"`
	Days   []rosterDay `json:"days"`
	// Officers are the named officers the reader may see (all of the region for a
	// supervisor, an officer's own record for an officer): qualifications and caps.
	Officers []scheduler.Officer `json:"officers"`
}

type rosterDay struct {
	Date   string        `json:"date"`
	Shifts []rosterShift `json:"shifts"`
	// Leave is who is on leave that day, among the officers the reader may see.
	Leave []scheduler.Leave `json:"leave"`
}

type rosterShift struct {
	Shift     string    `json:"shift"`
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	ReleaseAt time.Time `json:"release_at"`
	Officers  []string  `json:"officers"`
	// ReliefAt and Relief: on a shift longer than a duty period (autumn DST night), the
	// relief crew that takes every position over in place from ReliefAt to End.
	ReliefAt *time.Time `json:"relief_at,omitempty"`
	Relief   []string   `json:"relief,omitempty"`
}

// assignmentsOut is an officer's own assignments of one service day: the roster's shifts
// (known ahead) and, from each shift's release, its routes and post blocks.
type assignmentsOut struct {
	Officer  string            `json:"officer"`
	Region   string            `json:"region"`
	Date     string            `json:"date"`
	Shifts   []assignmentShift `json:"shifts"`
	Routes   []scheduler.Route `json:"routes"`
	Posts    []postBlock       `json:"posts"`
	Missions []missionOut      `json:"missions"`
}

type assignmentShift struct {
	Shift     string    `json:"shift"`
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	ReleaseAt time.Time `json:"release_at"`
	Released  bool      `json:"released"`
}

type postBlock struct {
	Post    string    `json:"post"`
	Mission string    `json:"mission"`
	Officer string    `json:"officer"`
	Start   time.Time `json:"start"`
	End     time.Time `json:"end"`
}

// unitOut is one unit's routes of a service day.
type unitOut struct {
	Region string            `json:"region"`
	Date   string            `json:"date"`
	Unit   string            `json:"unit"`
	Routes []scheduler.Route `json:"routes"`
}

// postsOut is a service day's fixed posts.
type postsOut struct {
	Region string           `json:"region"`
	Date   string           `json:"date"`
	Posts  []scheduler.Post `json:"posts"`
}

// revokeIn is the body of POST /v1/tokens/revoke.
type revokeIn struct {
	JTI   string     `json:"jti"`
	Until *time.Time `json:"until"`
}
