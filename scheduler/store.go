package scheduler

import (
	"context"
	"encoding/json"
	"sort"
	"time"
)

// ThreatChange is one entry of a mission's threat history (DESIGN.md §2): the level, who
// set it and when, from when it applies and, for a temporary change, until when.
type ThreatChange struct {
	Threat int        `json:"threat"`
	SetBy  string     `json:"set_by"`
	SetAt  time.Time  `json:"set_at"`
	From   time.Time  `json:"from"`
	Until  *time.Time `json:"until,omitempty"`
}

// Contact is a mission's security liaison representative.
type Contact struct {
	Name  string `json:"name"`
	Role  string `json:"role,omitempty"`
	Phone string `json:"phone"`
	Email string `json:"email,omitempty"`
}

// MinContacts is how many liaison contacts a mission should have; fewer is flagged.
const MinContacts = 2

// MissionRecord is a mission as the store keeps it: the site, its threat history (oldest
// first; the first entry is the level it was created with) and its liaison contacts.
type MissionRecord struct {
	Mission  Mission        `json:"mission"`
	History  []ThreatChange `json:"history"`
	Contacts []Contact      `json:"contacts"`
	// Created is when the mission was created through the service; nil for a seeded
	// mission, which has always existed.
	Created *time.Time `json:"created,omitempty"`
	// Edits are the mission's earlier fields, oldest first, each with the time it was
	// replaced, so a service day is planned with the missions as they were at its start.
	Edits []MissionEdit `json:"edits,omitempty"`
	// Deleted is when the mission was deleted (Store.DeleteMissionAt); set only on the
	// records DeletedMissions keeps, so the days that began before still have it.
	Deleted *time.Time `json:"deleted,omitempty"`
}

// MissionEdit is a mission's fields as they were until an edit replaced them at Until.
type MissionEdit struct {
	Until   time.Time `json:"until"`
	Mission Mission   `json:"mission"`
}

// MissionAt returns the mission's fields as they were at t (its threat level is its own
// level; ThreatAt gives the one in effect) and whether it existed then.
func (r MissionRecord) MissionAt(t time.Time) (Mission, bool) {
	if (r.Created != nil && t.Before(*r.Created)) || (r.Deleted != nil && !t.Before(*r.Deleted)) {
		return Mission{}, false
	}
	for _, e := range r.Edits {
		if t.Before(e.Until) {
			m := e.Mission
			m.Threat = r.Mission.Threat
			return m, true
		}
	}
	return r.Mission, true
}

// ThreatAt returns the mission's threat level at instant t: of the history entries in
// effect at t (From ≤ t < Until), the one set last; the mission's own level when none is.
func (r MissionRecord) ThreatAt(t time.Time) int {
	level := r.Mission.Threat
	for _, h := range r.History {
		if !t.Before(h.From) && (h.Until == nil || t.Before(*h.Until)) {
			level = h.Threat
		}
	}
	return level
}

// AuditRecord is one entry of the audit log: who read or changed what, and when.
type AuditRecord struct {
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Role   string    `json:"role"`
	Action string    `json:"action"`
	Region string    `json:"region,omitempty"`
	Target string    `json:"target"`
	Status int       `json:"status,omitempty"`
}

// NewMissionRecord returns the record of a new mission: its history starts with its own
// level, set by setBy at t and applying from the beginning of time.
func NewMissionRecord(m Mission, setBy string, t time.Time) MissionRecord {
	return MissionRecord{
		Mission:  m,
		History:  []ThreatChange{{Threat: m.Threat, SetBy: setBy, SetAt: t}},
		Contacts: []Contact{},
	}
}

// SortChanges orders changes by time, keeping the order of changes made at the same time.
func SortChanges(cs []Change) {
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].At.Before(cs[j].At) })
}

// Store keeps the service's state (DESIGN.md §6): missions with threat history and
// contacts, each region's force, the change log of each service day, cached plans, the
// audit log and token revocations. Every method may also return an error wrapping
// ErrUnavailable when the store cannot be reached. Implementations are safe for
// concurrent use.
type Store interface {
	// Seed writes missions and forces if the store has never been seeded, and reports
	// whether it did. A seeded store is left untouched, even if it was emptied since.
	Seed(ctx context.Context, missions []MissionRecord, forces []RegionForce) (bool, error)

	// Missions returns the missions of region ("" for every region), sorted by id.
	Missions(ctx context.Context, region string) ([]MissionRecord, error)
	// Mission returns one mission, or ErrNotFound.
	Mission(ctx context.Context, id string) (MissionRecord, error)
	// CreateMission adds a mission, or returns ErrConflict when its id is taken.
	CreateMission(ctx context.Context, r MissionRecord) error
	// UpdateMission applies fn to the mission atomically and stores the result, returning
	// it; ErrNotFound when there is no such mission; fn's error aborts the update and is
	// returned as is. fn must not change the mission's id.
	UpdateMission(ctx context.Context, id string, fn func(*MissionRecord) error) (MissionRecord, error)
	// DeleteMission removes a mission, or returns ErrNotFound.
	DeleteMission(ctx context.Context, id string) error
	// DeleteMissionAt removes a mission as DeleteMission does and, in the same
	// transaction, keeps its record with Deleted set to at among its region's deleted
	// missions, so a service day that began before at is still planned and rostered with
	// it (DESIGN.md §2: the past never changes).
	DeleteMissionAt(ctx context.Context, id string, at time.Time) error
	// DeletedMissions returns the records DeleteMissionAt kept for a region, in the order
	// deleted; empty, not an error, when there are none.
	DeletedMissions(ctx context.Context, region string) ([]MissionRecord, error)

	// Force returns a region's force, or ErrNotFound.
	Force(ctx context.Context, region string) (RegionForce, error)
	// Forces returns every region's force, sorted by region.
	Forces(ctx context.Context) ([]RegionForce, error)
	// PutForce stores a region's force, replacing any.
	PutForce(ctx context.Context, f RegionForce) error

	// Changes returns the change log of a region's service date, ordered by time (changes
	// made at the same time in the order they were added); empty, not an error, if none.
	Changes(ctx context.Context, region string, d Date) ([]Change, error)
	// AddChange adds a change to the log of a region's service date.
	AddChange(ctx context.Context, region string, d Date, c Change) error

	// CachedPlan returns the plan cached for a region's service date under an inputs
	// version, or ErrNotFound.
	CachedPlan(ctx context.Context, region string, d Date, version string) ([]byte, error)
	// CachePlan caches a plan under a region's service date and inputs version.
	CachePlan(ctx context.Context, region string, d Date, version string, plan []byte) error

	// Audit appends a record to the audit log. Concurrent calls may be committed together.
	Audit(ctx context.Context, r AuditRecord) error
	// AuditLog returns up to limit audit records at or after since, oldest first.
	AuditLog(ctx context.Context, since time.Time, limit int) ([]AuditRecord, error)

	// Revoke revokes a token id until the token's expiry (after which it is refused anyway).
	Revoke(ctx context.Context, jti string, until time.Time) error
	// Revoked reports whether a token id is revoked.
	Revoked(ctx context.Context, jti string) (bool, error)

	// OpsStore: check-ins, calendar feed tokens, events and job run markers.
	OpsStore
	// RosterStore: the stored rosters of begun and past service days.
	RosterStore

	// Close releases the store.
	Close() error
}

// CheckIn is an officer's report of presence at a mission (DESIGN.md §2). At, the server's
// clock, is the time of record; the client's time is kept beside it. A check-in is never
// dropped: one that is not verified is kept with the reason.
type CheckIn struct {
	ID         string     `json:"id"`
	Region     string     `json:"region"`
	Date       string     `json:"date"` // the service date of At
	Officer    string     `json:"officer"`
	Unit       string     `json:"unit,omitempty"`
	Mission    string     `json:"mission"`
	Lat        float64    `json:"lat"`
	Lon        float64    `json:"lon"`
	At         time.Time  `json:"at"`
	ClientTime *time.Time `json:"client_time,omitempty"`
	// LateDelivered says the check-in reached the server well after the officer took it
	// (client_time more than LateDeliveryAfter before At): taken offline, sent later.
	LateDelivered bool `json:"late_delivered,omitempty"`
	Verified      bool `json:"verified"`
	// Reason says why a check-in is not verified: no_planned_visit, too_early, too_late,
	// outside_area or not_on_duty.
	Reason string `json:"reason,omitempty"`
	// Planned is the arrival of the planned visit it matched, or came closest to.
	Planned *time.Time `json:"planned_arrive,omitempty"`
	// Dwell is the matched visit's planned minutes at the mission.
	Dwell int `json:"dwell_minutes,omitempty"`
}

// Event is one entry of a region's event stream (re-plans, missed visits, flagged
// check-ins, shift releases). ID is assigned by the store and orders the region's stream.
type Event struct {
	ID     string    `json:"id"`
	Region string    `json:"region"`
	Type   string    `json:"type"`
	At     time.Time `json:"at"`
	// Officers are the officers the event concerns and who may see it; empty means it is
	// for the region's supervisors and admins only.
	Officers []string        `json:"officers,omitempty"`
	Data     json.RawMessage `json:"data"`
}

// OpsStore is what the service operations add to a Store: check-ins, calendar feed
// tokens, event streams and the markers that make a scheduled job's run happen once.
// Every method may return an error wrapping ErrUnavailable.
type OpsStore interface {
	// AddCheckIn stores a check-in under its region and service date; it returns only once
	// the check-in is stored. Concurrent calls may be committed together.
	AddCheckIn(ctx context.Context, c CheckIn) error
	// CheckIns returns the check-ins of a region's service date in the order stored;
	// empty, not an error, if none.
	CheckIns(ctx context.Context, region string, d Date) ([]CheckIn, error)

	// PutFeedToken sets an officer's calendar feed token (its hash), replacing and so
	// revoking any earlier one.
	PutFeedToken(ctx context.Context, officer, hash string) error
	// FeedOfficer returns the officer whose feed token has this hash, or ErrNotFound.
	FeedOfficer(ctx context.Context, hash string) (string, error)
	// RevokeFeedToken removes an officer's feed token; removing none is not an error.
	RevokeFeedToken(ctx context.Context, officer string) error

	// AppendEvent appends an event to its region's stream, keeping only the last keep
	// events of the region, and returns it with its assigned ID.
	AppendEvent(ctx context.Context, e Event, keep int) (Event, error)
	// Events returns up to limit events of a region held after the event with ID after,
	// oldest first; after "" (or an ID the store did not assign) means from the oldest held.
	Events(ctx context.Context, region, after string, limit int) ([]Event, error)

	// Once marks key for ttl and reports whether it was unmarked before: the first caller
	// gets true, every later one false until the mark expires.
	Once(ctx context.Context, key string, ttl time.Duration) (bool, error)
}
