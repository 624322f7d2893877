package api

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/golang-jwt/jwt/v5"
	"github.com/labstack/echo/v4"

	"vigil/scheduler"
)

// CalendarWeeks is how far ahead the calendar feed shows an officer's duty roster.
const CalendarWeeks = 4

// feedHash is what the store keeps of a feed token: its SHA-256, so a copy of the store
// cannot subscribe to anyone's feed.
func feedHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// myCalendar issues the officer a new personal feed URL, revoking the one issued before
// (the store keeps only a hash, so an earlier URL cannot be shown again).
func (s *Server) myCalendar(c echo.Context) error {
	cl := claimsOf(c)
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return err
	}
	// The feed carries what its credential depends on (the token's id, a session's parent,
	// iat and exp), covered by the hash the store keeps: it dies with that token.
	bind, err := json.Marshal(feedBinding{ID: cl.ID, Parent: cl.Parent, IAT: unixOf(cl.IssuedAt), Exp: unixOf(cl.ExpiresAt)})
	if err != nil {
		return err
	}
	tok := base64.RawURLEncoding.EncodeToString(b[:]) + "." + base64.RawURLEncoding.EncodeToString(bind)
	if err := s.store.PutFeedToken(c.Request().Context(), cl.Officer, feedHash(tok)); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{
		"officer": cl.Officer,
		"url":     "/v1/calendar/" + tok + ".ics",
		"note":    "a personal, secret URL: each call replaces the previous one; DELETE /v1/me/calendar revokes it",
	})
}

// revokeMyCalendar revokes the officer's feed URL.
func (s *Server) revokeMyCalendar(c echo.Context) error {
	if err := s.store.RevokeFeedToken(c.Request().Context(), claimsOf(c).Officer); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// calendarFeed serves an officer's RFC 5545 feed: the duty roster CalendarWeeks ahead,
// and the assignments of shifts already released. Calendar apps cannot send a bearer
// header, so the revocable feed token in the path is the one URL credential (DESIGN.md §5).
func (s *Server) calendarFeed(c echo.Context) error {
	ctx := c.Request().Context()
	tok, ok := strings.CutSuffix(c.Param("feed"), ".ics")
	if !ok || tok == "" || len(tok) > 512 {
		return errorf(KindNotFound, "no such calendar")
	}
	officer, err := s.store.FeedOfficer(ctx, feedHash(tok))
	if err != nil {
		return err
	}
	if err := s.checkCredential(ctx, feedClaims(officer, tok)); err != nil {
		return errorf(KindNotFound, "no such calendar")
	}
	cal, err := s.officerCalendar(ctx, officer)
	if err != nil {
		return err
	}
	region := OfficerRegion(officer)
	if err := s.store.Audit(ctx, scheduler.AuditRecord{At: s.now().UTC(), Actor: officer, Role: RoleOfficer,
		Action: "read-calendar", Region: region, Target: "/v1/calendar/(feed).ics"}); err != nil {
		return err
	}
	w := c.Response()
	w.Header().Set(echo.HeaderContentType, "text/calendar; charset=utf-8")
	w.Header().Set(echo.HeaderCacheControl, "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(http.StatusOK)
	return cal.SerializeTo(w)
}

// feedBinding is the credential a feed URL was issued under.
type feedBinding struct {
	ID     string `json:"jti"`
	Parent string `json:"par,omitempty"`
	IAT    int64  `json:"iat,omitempty"`
	Exp    int64  `json:"exp"`
}

func unixOf(d *jwt.NumericDate) int64 {
	if d == nil {
		return 0
	}
	return d.Unix()
}

// feedClaims returns the claims of the credential a stored feed token was issued under; a
// feed token without a binding (issued before feeds had one) gets claims that are never
// valid, so it must be issued again.
func feedClaims(officer, tok string) *Claims {
	cl := &Claims{Role: RoleOfficer, Officer: officer}
	_, enc, ok := strings.Cut(tok, ".")
	var b feedBinding
	if raw, err := base64.RawURLEncoding.DecodeString(enc); !ok || err != nil || json.Unmarshal(raw, &b) != nil || b.ID == "" {
		return cl
	}
	cl.ID, cl.Parent = b.ID, b.Parent
	if b.IAT != 0 {
		cl.IssuedAt = jwt.NewNumericDate(time.Unix(b.IAT, 0))
	}
	cl.ExpiresAt = jwt.NewNumericDate(time.Unix(b.Exp, 0))
	return cl
}

// officerCalendar builds the feed of one officer as of now.
func (s *Server) officerCalendar(ctx context.Context, officer string) (*ics.Calendar, error) {
	region := OfficerRegion(officer)
	o, f, err := s.region(ctx, region)
	if err != nil {
		return nil, err
	}
	now := s.now()
	from := s.currentDate(o, f)
	to := from.AddDays(7*CalendarWeeks - 1)
	days, err := s.rosterRange(ctx, f, o.Location, from, to)
	if err != nil {
		return nil, &Error{Kind: KindInfeasible, Msg: err.Error()}
	}
	cal := ics.NewCalendar()
	cal.SetMethod(ics.MethodPublish)
	cal.SetProductId("-//Vigil//duty roster//EN")
	cal.SetName("Vigil duty " + officer)
	cal.SetXWRCalName("Vigil duty " + officer)
	cal.SetXWRTimezone(o.TZ)
	cal.SetRefreshInterval("PT15M")
	stamp := now.UTC()
	for _, day := range days {
		for _, sh := range day.Shifts {
			// On a relieved (13-hour DST) night the crew's duty ends at the relief, and
			// the relief crew's runs from it to the shift's end.
			start, end, summary, uid := sh.Start, sh.End, fmt.Sprintf("Duty: %s shift", sh.Shift), sh.Shift
			switch {
			case slices.Contains(sh.Officers, officer):
				if !sh.ReliefAt.IsZero() {
					end = sh.ReliefAt
				}
			case slices.Contains(sh.Relief, officer):
				start, summary, uid = sh.ReliefAt, fmt.Sprintf("Duty: %s shift relief in place", sh.Shift), sh.Shift+"-relief"
			default:
				continue
			}
			ev := cal.AddEvent(fmt.Sprintf("duty-%s-%s-%s@vigil", officer, day.Date, uid))
			ev.SetDtStampTime(stamp)
			ev.SetStartAt(start)
			ev.SetEndAt(end)
			ev.SetSummary(summary)
			rel := releaseAt(f, sh.Start)
			if now.Before(rel) {
				ev.SetDescription(fmt.Sprintf("Assignment released at %s.", rel.Format("2006-01-02 15:04 MST")))
			} else {
				ev.SetDescription("Assignment released: see the events of this shift.")
			}
		}
		if now.Before(releaseAt(f, day.Shifts[0].Start)) {
			continue // nothing of this day is released yet: it is not planned for the feed
		}
		out, err := s.officerDay(ctx, officer, day.Date)
		if err != nil {
			return nil, err
		}
		names := map[string]string{}
		if len(out.Routes) > 0 || len(out.Posts) > 0 {
			recs, err := s.store.Missions(ctx, region)
			if err != nil {
				return nil, err
			}
			for _, r := range recs {
				names[r.Mission.ID] = r.Mission.Name
			}
		}
		for _, r := range out.Routes {
			ev := cal.AddEvent(fmt.Sprintf("route-%s-%s-%s-%s@vigil", officer, day.Date, r.Shift, r.Unit))
			ev.SetDtStampTime(stamp)
			ev.SetStartAt(r.Start)
			ev.SetEndAt(r.End)
			ev.SetSummary(fmt.Sprintf("Patrol %s (%s), zone %s", r.Unit, r.Mode, r.Zone))
			var b strings.Builder
			for _, v := range r.Visits {
				fmt.Fprintf(&b, "%s–%s %s\n", v.Arrive.Format("15:04"), v.Depart.Format("15:04"), names[v.Mission])
			}
			ev.SetDescription(b.String())
		}
		for _, p := range out.Posts {
			ev := cal.AddEvent(fmt.Sprintf("post-%s-%s-%d@vigil", officer, p.Post, p.Start.Unix()))
			ev.SetDtStampTime(stamp)
			ev.SetStartAt(p.Start)
			ev.SetEndAt(p.End)
			ev.SetSummary("Post " + p.Post)
			ev.SetLocation(names[p.Mission])
		}
	}
	return cal, nil
}

// calendarLogPath hides a feed token from request logs.
func calendarLogPath(path string) string {
	if strings.HasPrefix(path, "/v1/calendar/") {
		return "/v1/calendar/(feed).ics"
	}
	return path
}
