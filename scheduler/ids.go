package scheduler

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// The ids Vigil makes for a region's units, officers and fixed posts: each format is built
// and parsed here, and nowhere else.
//
//	unit     <region>-vNN or <region>-fNN   wfo-v01, wfo-f12
//	officer  o-<region>-NNN                 o-wfo-001
//	post     <mission>/N                    emb-il/1

// UnitID returns the stable id of the n-th (1-based) unit of a mode, e.g. wfo-v01.
func UnitID(region string, mode Mode, n int) string {
	return fmt.Sprintf("%s-%s%02d", region, unitLetter(mode), n)
}

func unitLetter(mode Mode) string {
	if mode == Foot {
		return "f"
	}
	return "v"
}

// ParseUnitID splits a unit id made by UnitID into its region, mode and number; ok is
// false for any string UnitID does not make. Whether the region has that unit is for the
// caller to check against its force.
func ParseUnitID(id string) (region string, mode Mode, n int, ok bool) {
	i := strings.LastIndexByte(id, '-')
	if i <= 0 || len(id)-i < 4 {
		return "", "", 0, false
	}
	region, rest := id[:i], id[i+1:]
	switch rest[0] {
	case 'v':
		mode = Vehicle
	case 'f':
		mode = Foot
	default:
		return "", "", 0, false
	}
	for _, ch := range []byte(rest[1:]) {
		if ch < '0' || ch > '9' {
			return "", "", 0, false
		}
	}
	n, err := strconv.Atoi(rest[1:])
	if err != nil || n < 1 || UnitID(region, mode, n) != id {
		return "", "", 0, false
	}
	return region, mode, n, true
}

// OfficerID returns the id of the n-th (1-based) officer of a region, e.g. o-wfo-001.
func OfficerID(region string, n int) string {
	return fmt.Sprintf("o-%s-%03d", region, n)
}

// ParseOfficerID returns the region and number of an officer id o-<region>-NNN; ok is
// false if it is not one. The id must match ^o-([a-z0-9][a-z0-9-]*)-([0-9]{3,})$, so the
// number may carry more leading zeros than OfficerID writes; a number too large for an int
// comes back as math.MaxInt, which no roster reaches. It is read on every officer request,
// so it is matched by hand, without a regexp (TestParseOfficerIDMatchesPattern checks it
// against the pattern).
func ParseOfficerID(id string) (region string, n int, ok bool) {
	rest, ok := strings.CutPrefix(id, "o-")
	if !ok {
		return "", 0, false
	}
	// The number is the digits after the last '-': the region may hold '-' and digits, the
	// number neither.
	i := strings.LastIndexByte(rest, '-')
	if i <= 0 || len(rest)-i-1 < 3 {
		return "", 0, false
	}
	for _, ch := range []byte(rest[i+1:]) {
		if ch < '0' || ch > '9' {
			return "", 0, false
		}
	}
	region = rest[:i]
	for k, ch := range []byte(region) {
		if !(ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9' || ch == '-' && k > 0) {
			return "", 0, false
		}
	}
	n, err := strconv.Atoi(rest[i+1:])
	if err != nil {
		n = math.MaxInt
	}
	return region, n, true
}

// PostID returns the id of the n-th (1-based) fixed post of a mission, e.g. emb-il/1.
func PostID(mission string, n int) string { return fmt.Sprintf("%s/%d", mission, n) }
