// Command vigil plans and serves unpredictable protective patrols for diplomatic missions.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// run is the whole program; main only wires the process to it.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	_ = ctx
	_ = getenv
	_ = stdin
	_ = stdout
	if len(args) == 0 {
		return usageError{fmt.Errorf("no command; try 'vigil help'")}
	}
	return usageError{fmt.Errorf("unknown command %q", args[0])}
}

// usageError marks bad usage or bad input: exit status 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	fmt.Fprintln(stderr, "vigil:", err)
	if _, ok := err.(usageError); ok {
		return 2
	}
	return 1
}
