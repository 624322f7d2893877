package api

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"vigil/scheduler"
)

// Kind is the kind of an error, which alone decides its HTTP status.
type Kind int

// Error kinds.
const (
	KindInternal Kind = iota
	KindInvalid
	KindUnauthorized
	KindForbidden
	KindNotFound
	KindConflict
	KindInfeasible
	KindUnavailable
	KindRateLimited
)

// statusOf is the one table from error kinds to HTTP statuses and codes.
var statusOf = map[Kind]struct {
	status int
	code   string
}{
	KindInternal:     {http.StatusInternalServerError, "internal"},
	KindInvalid:      {http.StatusBadRequest, "invalid"},
	KindUnauthorized: {http.StatusUnauthorized, "unauthorized"},
	KindForbidden:    {http.StatusForbidden, "forbidden"},
	KindNotFound:     {http.StatusNotFound, "not_found"},
	KindConflict:     {http.StatusConflict, "conflict"},
	KindInfeasible:   {http.StatusUnprocessableEntity, "infeasible"},
	KindUnavailable:  {http.StatusServiceUnavailable, "unavailable"},
	KindRateLimited:  {http.StatusTooManyRequests, "rate_limited"},
}

// Error is an API error: its kind, a message for the client and the cause.
type Error struct {
	Kind Kind
	Msg  string
	Err  error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Msg + ": " + e.Err.Error()
	}
	return e.Msg
}

func (e *Error) Unwrap() error { return e.Err }

// errorf returns an *Error of kind with a formatted message.
func errorf(kind Kind, format string, args ...any) error {
	return &Error{Kind: kind, Msg: fmt.Sprintf(format, args...)}
}

func invalid(format string, args ...any) error {
	return &Error{Kind: KindInvalid, Msg: fmt.Sprintf(format, args...)}
}

func forbidden(format string, args ...any) error {
	return &Error{Kind: KindForbidden, Msg: fmt.Sprintf(format, args...)}
}

// classify returns an error's kind and the message a client may see.
func classify(err error) (Kind, string) {
	var ae *Error
	var ie *scheduler.InfeasibleError
	switch {
	case errors.As(err, &ae):
		return ae.Kind, ae.Msg
	case errors.Is(err, scheduler.ErrNotFound):
		return KindNotFound, err.Error()
	case errors.Is(err, scheduler.ErrConflict):
		return KindConflict, err.Error()
	case errors.Is(err, scheduler.ErrUnavailable):
		return KindUnavailable, "the store is unavailable; the change was not stored, try again"
	case errors.As(err, &ie):
		return KindInfeasible, ie.Error()
	}
	return KindInternal, "internal error"
}

// errorBody is the JSON of every error: {"error": {"code", "message"}}.
type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// handleError is Echo's error handler: every error goes through the one table.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	var body errorBody
	status := http.StatusInternalServerError
	var he *echo.HTTPError
	if errors.As(err, &he) {
		status = he.Code
		body.Error.Code = http.StatusText(status)
		body.Error.Message = fmt.Sprint(he.Message)
		switch status {
		case http.StatusNotFound:
			body.Error.Code = "not_found"
		case http.StatusMethodNotAllowed:
			body.Error.Code = "method_not_allowed"
		case http.StatusBadRequest:
			body.Error.Code = "invalid"
		}
	} else {
		kind, msg := classify(err)
		st := statusOf[kind]
		status, body.Error.Code, body.Error.Message = st.status, st.code, msg
		if kind == KindInternal {
			s.logger.Error("internal error", "method", c.Request().Method, "path", c.Path(), "err", err)
		}
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status)
		return
	}
	_ = c.JSON(status, body)
}
