package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// RosterView is a region's duty roster for the weeks ahead, as a supervisor sees it.
type RosterView struct {
	Region   string
	From     string
	Weeks    int
	Officers int
	Days     []RosterDayRow
	// OnDuty are the officers on duty now, whom the call-off form offers.
	OnDuty []string
}

// RosterDayRow is one service day of the roster page.
type RosterDayRow struct {
	Date   string
	Shifts []RosterShiftRow
	Leave  []string // "o-wfo-005 (annual)"
	Gap    string   // why the day cannot be rostered, "" when it can
}

// RosterShiftRow is one shift of a day: who is on duty against the positions, and the
// qualifications the officers on duty hold.
type RosterShiftRow struct {
	Shift     string
	Start     time.Time
	OnDuty    int
	Positions int
	Quals     string // "vehicle 40 · foot 20 · canine 4 · post 30"
}

// CallOffDone is what a call-off from the dashboard did.
type CallOffDone struct {
	Officer      string
	From         time.Time
	Replacements []string // "wfo-v03 (day) from 10:00: o-wfo-120"
}

type rosterPage struct {
	base
	RegionID string
	View     *RosterView
	Done     *CallOffDone
	Error    string
}

// maxRosterWeeks bounds the weeks the roster page shows at once.
const maxRosterWeeks = 8

// RosterPage is GET /regions/{region}/roster?from=&weeks=: the duty roster weeks ahead,
// with leave, gaps and the call-off form.
func (p *Pages) RosterPage(c echo.Context) error {
	return p.rosterPage(c, http.StatusOK, nil, "")
}

func (p *Pages) rosterPage(c echo.Context, status int, done *CallOffDone, msg string) error {
	region := c.Param("region")
	weeks := 2
	if w := c.QueryParam("weeks"); w != "" {
		n, err := strconv.Atoi(w)
		if err != nil || n < 1 || n > maxRosterWeeks {
			return invalid("weeks %q: want 1 to %d", w, maxRosterWeeks)
		}
		weeks = n
	}
	v, err := p.svc.Roster(c, region, c.QueryParam("from"), weeks)
	if err != nil {
		return err
	}
	d := rosterPage{base: p.base(c, "Roster "+region), RegionID: region, View: v, Done: done, Error: msg}
	return render(c, status, "roster", d)
}

// CallOffForm is POST /regions/{region}/call-off: it calls an officer off from now as
// POST /v1/officers/{id}/call-off does.
func (p *Pages) CallOffForm(c echo.Context) error {
	officer := strings.TrimSpace(c.FormValue("officer"))
	if r := c.Param("region"); !strings.HasPrefix(officer, "o-"+r+"-") {
		return invalid("officer %q is not of region %s", officer, r)
	}
	done, err := p.svc.CallOff(c, officer, c.FormValue("reason"))
	if err != nil {
		status, msg := p.status(c, err)
		return p.rosterPage(c, status, nil, fmt.Sprintf("Call-off of %s refused: %s", officer, msg))
	}
	return p.rosterPage(c, http.StatusOK, done, "")
}
