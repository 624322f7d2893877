package scheduler

import (
	"errors"
	"fmt"
)

// Errors a Store returns; implementations wrap them so callers test with errors.Is.
var (
	// ErrNotFound: no such mission, region, cached plan or record.
	ErrNotFound = errors.New("not found")
	// ErrConflict: the record already exists (a mission id taken).
	ErrConflict = errors.New("already exists")
	// ErrUnavailable: the store cannot be reached; the write was not stored.
	ErrUnavailable = errors.New("store unavailable")
)

// ErrInfeasible is wrapped by every error that says a force cannot meet the minimums.
var ErrInfeasible = errors.New("force too small")

// InfeasibleError says what a region's force lacks to meet its missions' minimums.
type InfeasibleError struct {
	Region string
	// Missing says how many unit-hours (per service day) and/or officers are missing,
	// e.g. "37.5 unit-hours a day missing for the minimum visits (need 412.0, have 374.5)".
	Missing string
}

// Error returns e.g. "wfo: force too small: 12 officers missing (need 120, have 108)".
func (e *InfeasibleError) Error() string {
	return fmt.Sprintf("%s: force too small: %s", e.Region, e.Missing)
}

// Unwrap makes errors.Is(err, ErrInfeasible) hold.
func (e *InfeasibleError) Unwrap() error { return ErrInfeasible }

// failureError is a dispatch that could not keep a hard rule: the planner redoes the
// group's allocation with the travel the attempt measured, up to maxRetries times.
type failureError struct{ err *InfeasibleError }

func (e *failureError) Error() string { return e.err.Error() }
func (e *failureError) Unwrap() error { return e.err }
