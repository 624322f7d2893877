package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"vigil/scheduler"
)

// Event types of GET /v1/events.
const (
	EventReplan           = "replan"
	EventMissedVisit      = "missed_visit"
	EventCheckInFlagged   = "checkin_flagged"
	EventShiftReleased    = "shift_released"
	EventUnitOutOfService = "unit_out_of_service"
	EventForceChanged     = "force_changed"
	EventThreatChanged    = "threat_changed"
	EventMissionChanged   = "mission_changed"
)

// EventsKept is how many events of each region the store holds for reconnecting clients.
const EventsKept = 1000

// opsState is the server's state for the service operations; its zero value is ready.
type opsState struct {
	mu   sync.Mutex
	wake chan struct{} // closed and replaced when this replica publishes an event
	// poll is how often a stream looks for events other replicas published (0: 1 s).
	poll time.Duration
	// keepalive is how often an idle stream sends a comment (0: 15 s).
	keepalive time.Duration
}

// waiter returns a channel closed at the next local publish.
func (o *opsState) waiter() <-chan struct{} {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.wake == nil {
		o.wake = make(chan struct{})
	}
	return o.wake
}

func (o *opsState) notify() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.wake != nil {
		close(o.wake)
	}
	o.wake = make(chan struct{})
}

// publish appends an event to the region's stream. officers are those it concerns and may
// see it (none: supervisors and admins only); data must hold only what they may see. A
// failure is logged, never returned: the change the event reports is already stored.
func (s *Server) publish(ctx context.Context, region, typ string, officers []string, data any) {
	raw, err := json.Marshal(data)
	if err == nil {
		_, err = s.store.AppendEvent(ctx, scheduler.Event{Region: region, Type: typ, At: s.now().UTC(), Officers: officers, Data: raw}, EventsKept)
	}
	if err != nil {
		s.logger.Warn("event not published", "region", region, "type", typ, "err", err)
		return
	}
	s.ops.notify()
}

// visible reports whether the reader may see an event of their region.
func visible(cl *Claims, e scheduler.Event) bool {
	if cl.Role == RoleOfficer {
		return slices.Contains(e.Officers, cl.Officer)
	}
	return true
}

// events streams a region's events as server-sent events. A client that reconnects with
// Last-Event-ID gets every event after it still held (the last EventsKept of the region);
// a new client gets the events from its connection on. Officers receive only their own.
func (s *Server) events(c echo.Context) error {
	ctx := c.Request().Context()
	cl := claimsOf(c)
	region := cl.regionScope()
	if region == "" {
		region = c.QueryParam("region")
	}
	if region == "" {
		return invalid("region is required")
	}
	if err := inRegion(cl, region); err != nil {
		return err
	}
	if _, ok := s.offices[region]; !ok {
		return errorf(KindNotFound, "no region %q", region)
	}
	last := c.Request().Header.Get("Last-Event-ID")
	if last == "" {
		tail, err := s.lastEventID(ctx, region)
		if err != nil {
			return err
		}
		last = tail
	}
	release, err := s.streams.take(cl.ID)
	if err != nil {
		return err
	}
	defer release()
	// A stream outlives the server's write timeout: lift it for this one (listen.go).
	rc := http.NewResponseController(c.Response().Writer)
	_ = rc.SetWriteDeadline(time.Time{})
	w := c.Response()
	w.Header().Set(echo.HeaderContentType, "text/event-stream")
	w.Header().Set(echo.HeaderCacheControl, "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, ": vigil events\n\n")
	w.Flush()
	poll, keepalive := s.ops.poll, s.ops.keepalive
	if poll <= 0 {
		poll = time.Second
	}
	if keepalive <= 0 {
		keepalive = 15 * time.Second
	}
	tick := time.NewTicker(poll)
	defer tick.Stop()
	// The stream's credential is checked for its whole life: it closes within streamCheck
	// of a revocation, and at its expiry.
	check := time.NewTicker(streamCheck)
	defer check.Stop()
	expiry := time.NewTimer(time.Until(s.clockToWall(cl.ExpiresAt.Time)))
	defer expiry.Stop()
	idle := time.Now()
	for {
		if err := s.checkCredential(ctx, cl); err != nil {
			fmt.Fprint(w, "event: end\ndata: {\"reason\":\"credential no longer valid\"}\n\n")
			w.Flush()
			return nil
		}
		wake := s.ops.waiter()
		es, err := s.store.Events(ctx, region, last, 100)
		if err != nil {
			// The client reconnects with its Last-Event-ID and misses nothing.
			s.logger.Warn("event stream read failed", "region", region, "err", err)
			return nil
		}
		for _, e := range es {
			last = e.ID
			if !visible(cl, e) {
				continue
			}
			data, _ := json.Marshal(e)
			fmt.Fprintf(w, "id: %s\nevent: %s\ndata: %s\n\n", e.ID, e.Type, data)
			idle = time.Now()
		}
		if len(es) > 0 {
			w.Flush()
		}
		if len(es) == 100 {
			continue
		}
		if time.Since(idle) >= keepalive {
			fmt.Fprint(w, ": keepalive\n\n")
			w.Flush()
			idle = time.Now()
		}
		select {
		case <-ctx.Done():
			return nil
		case <-wake:
		case <-tick.C:
		case <-check.C:
		case <-expiry.C:
		}
	}
}

// streamCaps counts open event streams, per token id and in all.
type streamCaps struct {
	perToken, total int
	mu              sync.Mutex
	open            map[string]int
	n               int
}

// take opens a stream for token id, or refuses it with 429 when a cap is reached; release
// closes it.
func (sc *streamCaps) take(id string) (release func(), err error) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.open[id] >= sc.perToken {
		return nil, errorf(KindRateLimited, "at most %d event streams per token", sc.perToken)
	}
	if sc.n >= sc.total {
		return nil, errorf(KindRateLimited, "too many event streams open; retry later")
	}
	sc.open[id]++
	sc.n++
	return func() {
		sc.mu.Lock()
		defer sc.mu.Unlock()
		if sc.open[id]--; sc.open[id] <= 0 {
			delete(sc.open, id)
		}
		sc.n--
	}, nil
}

// streamCheck is how often an open event stream checks its credential.
const streamCheck = 250 * time.Millisecond

// clockToWall maps an instant of the server's clock (fake in tests) to the wall clock,
// for timers.
func (s *Server) clockToWall(t time.Time) time.Time { return time.Now().Add(t.Sub(s.now())) }

// lastEventID returns the ID of the region's newest held event, "" when none.
func (s *Server) lastEventID(ctx context.Context, region string) (string, error) {
	last := ""
	for {
		es, err := s.store.Events(ctx, region, last, EventsKept)
		if err != nil {
			return "", err
		}
		if len(es) == 0 {
			return last, nil
		}
		last = es[len(es)-1].ID
	}
}
