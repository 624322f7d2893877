package scheduler

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"
)

// versionDoc is what InputsVersion hashes; encoding/json sorts map keys, so the
// encoding is canonical.
type versionDoc struct {
	Region   string          `json:"region"`
	TZ       string          `json:"tz"`
	Date     string          `json:"date"`
	Missions []Mission       `json:"missions"`
	Force    versionForce    `json:"force"`
	Changes  []versionChange `json:"changes"`
}

type versionForce struct {
	Shifts       []Shift          `json:"shifts"`
	Units        map[Mode]int     `json:"units"`
	Crew         map[Mode]int     `json:"crew"`
	Capabilities map[string]int   `json:"capabilities"`
	Officers     int              `json:"officers"`
	PostBlock    int              `json:"post_block_minutes"`
	Release      int              `json:"release_before_minutes"`
	H3           int              `json:"h3_resolution"`
	Speeds       map[Mode]float64 `json:"speeds_kmh"`
	Circuity     float64          `json:"circuity"`
	Profiles     Profiles         `json:"profiles"`
	// Roster and Leave are set for a named force only, so versions of count-form forces
	// are unchanged.
	Roster []Officer `json:"roster,omitempty"`
	Leave  []Leave   `json:"leave,omitempty"`
}

type versionChange struct {
	At      string `json:"at"`
	Mission string `json:"mission,omitempty"`
	Threat  int    `json:"threat,omitempty"`
	Until   string `json:"until,omitempty"`
	Unit    string `json:"unit,omitempty"`
	// Edit is set for a mission edit only, so versions of days without one are unchanged.
	Edit string `json:"edit,omitempty"`
	// After and Deleted are set for a mission edit that carries its fields or deletes it.
	After   *Mission `json:"after,omitempty"`
	Deleted bool     `json:"deleted,omitempty"`
	// Officer is set for a call-off only, so versions of days without one are unchanged.
	Officer string `json:"officer,omitempty"`
	// Force is set for a force change only, so versions of days without one are unchanged.
	Force *versionForce `json:"force,omitempty"`
}

// InputsVersion returns "sha256:<hex>" of the inputs in effect for service day d: the
// region, its missions, force and profiles, and the ordered changes made during the day,
// each with its time (DESIGN.md §3). Equal inputs give equal versions on every replica.
func InputsVersion(in Inputs, d Date, changes []Change) string {
	doc := versionDoc{
		Region:   in.Office.ID,
		TZ:       in.Office.TZ,
		Date:     d.String(),
		Missions: in.Missions,
		Force:    newVersionForce(in.Force),
		Changes:  make([]versionChange, len(changes)),
	}
	if doc.Region == "" {
		doc.Region = in.Force.Region
	}
	if doc.Missions == nil {
		doc.Missions = []Mission{}
	}
	for i, c := range changes {
		vc := versionChange{At: c.At.UTC().Format(time.RFC3339Nano), Mission: c.Mission, Threat: c.Threat, Unit: c.Unit, Edit: c.Edit, After: c.After, Deleted: c.Deleted, Officer: c.Officer}
		if c.Until != nil {
			vc.Until = c.Until.UTC().Format(time.RFC3339Nano)
		}
		if c.Force != nil {
			vf := newVersionForce(*c.Force)
			vc.Force = &vf
		}
		doc.Changes[i] = vc
	}
	b, err := json.Marshal(doc)
	if err != nil {
		// Every field is a plain value; Marshal cannot fail.
		panic("scheduler: InputsVersion: " + err.Error())
	}
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

func newVersionForce(f RegionForce) versionForce {
	return versionForce{
		Shifts: f.Shifts, Units: f.Units, Crew: f.Crew, Capabilities: f.Capabilities,
		Officers: f.Officers, PostBlock: f.PostBlockMinutes, Release: f.ReleaseBeforeMinutes,
		H3: f.H3Resolution, Speeds: f.SpeedsKmh, Circuity: f.Circuity, Profiles: f.Profiles,
		Roster: f.Roster, Leave: f.Leave,
	}
}
