// Command vigil plans and serves unpredictable protective patrols for diplomatic missions.
//
// Run `vigil help` for the commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/jonboulle/clockwork"

	"vigil/scheduler"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	env := &env{
		getenv: os.Getenv,
		stdout: os.Stdout,
		stderr: os.Stderr,
		clock:  clockwork.NewRealClock(),
	}
	err := run(ctx, os.Args[1:], env)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// env is the process around the program: environment, streams and the clock, the one
// clock of the whole program (the server and its jobs too). Tests substitute every part.
type env struct {
	getenv func(string) string
	stdout io.Writer
	stderr io.Writer
	clock  clockwork.Clock
	// terminal reports whether stderr is a terminal (progress bars only then).
	terminal bool
}

// now is the clock's time.
func (e *env) now() time.Time { return e.clock.Now() }

const usage = `vigil plans unpredictable protective patrols for diplomatic missions.

Usage:
  vigil <command> [flags]

Commands:
  check     validate missions and force files; report each region's headroom
  zones     print a region's patrol zones (H3 cells) as text, JSON or GeoJSON
  plan      plan service days for a region (needs the master key)
  simulate  compare a scenario's coverage: Vigil against fixed and shuffled rosters
  serve     run the HTTP service
  token     print a signed bearer token for the HTTP API (needs the master key)

Run 'vigil <command> -h' for a command's flags. Exit status: 0 success, 1 failure,
2 bad usage or bad input (a failed check or an infeasible force is 2).
`

type command struct {
	name string
	run  func(ctx context.Context, args []string, e *env) error
}

var commands = []command{
	{"check", runCheck},
	{"zones", runZones},
	{"plan", runPlan},
	{"simulate", runSimulate},
	{"serve", runServe},
	{"token", runToken},
}

// run is the whole program; main only wires the process to it.
func run(ctx context.Context, args []string, e *env) error {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, usage)
		return usageError{errors.New("no command given")}
	}
	name := args[0]
	if name == "help" || name == "-h" || name == "--help" {
		fmt.Fprint(e.stdout, usage)
		return nil
	}
	for _, c := range commands {
		if c.name == name {
			return c.run(ctx, args[1:], e)
		}
	}
	return usageError{fmt.Errorf("unknown command %q; run 'vigil help'", name)}
}

// usageError marks bad usage or bad input: exit status 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err.Error() != "" {
		// One line per problem, each prefixed, so a person can read them.
		for _, line := range strings.Split(strings.TrimRight(err.Error(), "\n"), "\n") {
			fmt.Fprintln(stderr, "vigil:", line)
		}
	}
	var ue usageError
	var ie *scheduler.InfeasibleError
	if errors.As(err, &ue) || errors.As(err, &ie) {
		return 2
	}
	return 1
}

// newFlags returns a flag set that reports errors as usage errors, with help on stderr.
func newFlags(name, synopsis string, e *env) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: vigil %s %s\n\nFlags:\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args, turning flag errors into usage errors.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	return nil
}
