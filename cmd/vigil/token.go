package main

import (
	"context"
	"fmt"
	"time"

	"vigil/api"
	"vigil/scheduler"
)

// runToken prints one signed bearer token. It reads the master key only and never opens
// the store, so it works while the server runs.
func runToken(ctx context.Context, args []string, e *env) error {
	fs := newFlags("token", "--role admin|supervisor|officer|planner [--region R] [--officer ID] [--ttl 12h] [--key-file F]", e)
	role := fs.String("role", "", "admin, supervisor, officer or planner (required)")
	region := fs.String("region", "", "the supervisor's region")
	officer := fs.String("officer", "", "the officer's id, e.g. o-wfo-001")
	ttl := fs.Duration("ttl", 12*time.Hour, "lifetime of the token")
	keyFile := fs.String("key-file", "vigil.key", "master key file ($VIGIL_KEY wins)")
	if err := parse(fs, args); err != nil {
		return err
	}
	master, err := masterKey("", e.getenv("VIGIL_KEY"), *keyFile)
	if err != nil {
		return err
	}
	tok, _, err := api.IssueToken(scheduler.TokenKey(master), *role, *region, *officer, *ttl, e.now())
	if err != nil {
		return usageError{err}
	}
	_, err = fmt.Fprintln(e.stdout, tok)
	return err
}
