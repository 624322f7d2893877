package scheduler

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// Qualification is what an officer may be rostered for (DESIGN.md §2 Duty roster).
type Qualification string

// The qualifications a position can require.
const (
	QualVehicle Qualification = "vehicle"
	QualFoot    Qualification = "foot"
	QualCanine  Qualification = "canine"
	QualPost    Qualification = "post"
)

// Qualifications lists every qualification in canonical order.
var Qualifications = []Qualification{QualVehicle, QualFoot, QualCanine, QualPost}

// MaxWeekMinutes is the most an officer works in any 7 consecutive days (DESIGN.md §2: 48 h).
const MaxWeekMinutes = 48 * 60

// MinRestMinutes is the shortest rest between two duty periods (DESIGN.md §2: 8 h).
const MinRestMinutes = 8 * 60

// CanineCapability is the unit capability whose crew must hold QualCanine.
const CanineCapability = "canine"

// Officer is one named officer of a region's force.
type Officer struct {
	ID     string          `json:"id"`
	Name   string          `json:"name"`
	Region string          `json:"region"`
	Quals  []Qualification `json:"qualifications"` // sorted in Qualifications order
	// MaxHoursWeek is the officer's own cap on hours in any 7 days, lower than the rule's
	// 48; 0 means the rule's.
	MaxHoursWeek int `json:"max_hours_week,omitempty"`
}

// Has reports whether the officer holds q.
func (o Officer) Has(q Qualification) bool { return slices.Contains(o.Quals, q) }

// WeekCapMinutes returns the most the officer may work in any 7 days, in minutes.
func (o Officer) WeekCapMinutes() int {
	if o.MaxHoursWeek > 0 && o.MaxHoursWeek*60 < MaxWeekMinutes {
		return o.MaxHoursWeek * 60
	}
	return MaxWeekMinutes
}

// ParseQualification returns the qualification named s, or an error naming the valid ones.
func ParseQualification(s string) (Qualification, error) {
	q := Qualification(strings.ToLower(strings.TrimSpace(s)))
	if slices.Contains(Qualifications, q) {
		return q, nil
	}
	names := make([]string, len(Qualifications))
	for i, v := range Qualifications {
		names[i] = string(v)
	}
	return "", fmt.Errorf("unknown qualification %q; want %s", s, strings.Join(names, ", "))
}

// SortQuals sorts qs in Qualifications order and drops repeats.
func SortQuals(qs []Qualification) []Qualification {
	out := slices.Clone(qs)
	sort.Slice(out, func(i, j int) bool {
		return slices.Index(Qualifications, out[i]) < slices.Index(Qualifications, out[j])
	})
	return slices.Compact(out)
}

// LeaveKinds are the kinds of leave a leave file may name (DESIGN.md §5).
var LeaveKinds = []string{"annual", "sick", "training", "other"}

// Leave is an officer away from From to To, both service dates inclusive.
type Leave struct {
	Officer string
	From    Date
	To      Date
	Kind    string
	// Leave booked through the service (POST /v1/officers/{id}/leave) has the time it was
	// booked, a reason, and the time it was cancelled (DELETE), if it was; leave of the
	// leave file has none. A day is rostered with the leave booked before the day starts and
	// not cancelled by then (LeaveAsOf), so booking or cancelling never changes a day that
	// has begun: a leave starting today calls the officer off from the booking instead.
	Created   time.Time
	Cancelled time.Time
	Reason    string
}

type leaveJSON struct {
	Officer   string     `json:"officer"`
	From      string     `json:"from"`
	To        string     `json:"to"`
	Kind      string     `json:"kind"`
	Created   *time.Time `json:"created,omitempty"`
	Cancelled *time.Time `json:"cancelled,omitempty"`
	Reason    string     `json:"reason,omitempty"`
}

// LeaveAsOf returns the leave of ls in effect for a day starting at start: the leave file's,
// and leave booked before start and not cancelled by then.
func LeaveAsOf(ls []Leave, start time.Time) []Leave {
	var out []Leave
	for _, l := range ls {
		if (l.Created.IsZero() || l.Created.Before(start)) && (l.Cancelled.IsZero() || start.Before(l.Cancelled)) {
			out = append(out, l)
		}
	}
	return out
}

// optTime returns &t, or nil for the zero time.
func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// MarshalJSON writes the leave with its dates as YYYY-MM-DD.
func (l Leave) MarshalJSON() ([]byte, error) {
	return json.Marshal(leaveJSON{l.Officer, l.From.String(), l.To.String(), l.Kind, optTime(l.Created), optTime(l.Cancelled), l.Reason})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (l *Leave) UnmarshalJSON(b []byte) error {
	var v leaveJSON
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	from, err := ParseDate(v.From)
	if err != nil {
		return fmt.Errorf("leave from: %w", err)
	}
	to, err := ParseDate(v.To)
	if err != nil {
		return fmt.Errorf("leave to: %w", err)
	}
	*l = Leave{Officer: v.Officer, From: from, To: to, Kind: v.Kind, Reason: v.Reason}
	if v.Created != nil {
		l.Created = *v.Created
	}
	if v.Cancelled != nil {
		l.Cancelled = *v.Cancelled
	}
	return nil
}

// MaxLeaveDays bounds one leave record, to catch a mistyped year.
const MaxLeaveDays = 366

// Covers reports whether the leave includes service date d.
func (l Leave) Covers(d Date) bool { return !d.Before(l.From) && !l.To.Before(d) }

// OfficerList returns the force's officers: the named roster when the force has one, else
// the anonymous officers o-<region>-001 … of the count form, each holding every
// qualification and no lower cap. The named roster keeps its file order.
func (f RegionForce) OfficerList() []Officer {
	if len(f.Roster) > 0 {
		return f.Roster
	}
	out := make([]Officer, f.Officers)
	for i := range out {
		out[i] = Officer{ID: OfficerID(f.Region, i+1), Region: f.Region, Quals: Qualifications}
	}
	return out
}

// HasOfficer reports whether id is one of the force's officers.
func (f RegionForce) HasOfficer(id string) bool {
	if len(f.Roster) == 0 {
		r, n, ok := ParseOfficerID(id)
		return ok && r == f.Region && n >= 1 && n <= f.Officers
	}
	for _, o := range f.Roster {
		if o.ID == id {
			return true
		}
	}
	return false
}

// allQualified reports whether every officer of f holds every qualification and the rule's
// own weekly cap: the count form, or a named roster that behaves like it.
func (f RegionForce) allQualified() bool {
	for _, o := range f.Roster {
		if len(o.Quals) != len(Qualifications) || o.WeekCapMinutes() < MaxWeekMinutes {
			return false
		}
	}
	return true
}

// CanineUnits returns how many of the n vehicle units of a shift carry the canine
// capability: the first of them by id (UnitCapabilities).
func CanineUnits(f RegionForce, n int) int { return min(n, f.Capabilities[CanineCapability]) }

// UnitCapabilities returns a unit's capabilities under a force: a capability held by N
// units is carried by the first N vehicle units (wfo-v01 … wfo-vNN), in capability order.
func UnitCapabilities(f RegionForce, unit string) []string {
	out := []string{}
	r, mode, n, ok := ParseUnitID(unit)
	if !ok || r != f.Region || mode != Vehicle {
		return out
	}
	for c, k := range f.Capabilities {
		if n <= k {
			out = append(out, c)
		}
	}
	sort.Strings(out)
	return out
}
