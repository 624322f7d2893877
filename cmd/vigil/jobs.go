package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/jonboulle/clockwork"

	"vigil/api"
	"vigil/jobs"
	"vigil/rediskit"
	"vigil/scheduler"
	"vigil/scheduler/redisstore"
)

// startJobs starts the server's background jobs on the server's clock. With a Redis
// store (rs not nil), runs are locked across replicas by a rediskit.RunLocker on the
// store's client. The returned stop function stops them.
func startJobs(ctx context.Context, srv *api.Server, store scheduler.Store, rs *redisstore.Store,
	offices map[string]scheduler.Office, clock clockwork.Clock, logger *slog.Logger) (stop func(), err error) {
	cfg := jobs.Config{Service: srv, Store: store, Offices: offices, Clock: clock, Logger: logger}
	if rs != nil {
		cfg.Locker = rediskit.NewRunLocker(rs.Client(), rediskit.RunLockOptions{Prefix: rs.Prefix(), Clock: clock, Holder: replicaID()})
	}
	j, err := jobs.Start(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	return func() { _ = j.Stop() }, nil
}

// replicaID names this process in the run keys it takes: host/pid.
func replicaID() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown"
	}
	return fmt.Sprintf("%s/%d", host, os.Getpid())
}
