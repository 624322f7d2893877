package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/redis/go-redis/v9"

	"vigil/api"
	"vigil/api/runlock"
)

// startJobs starts the server's background jobs; with Redis, runs are locked across
// replicas (runlock). The returned stop function stops them and closes what they opened.
func startJobs(ctx context.Context, srv *api.Server, redisURL, prefix string) (stop func(), err error) {
	cfg := api.JobsConfig{}
	var rdb redis.UniversalClient
	if redisURL != "" {
		opt, err := redis.ParseURL(redisURL)
		if err != nil {
			return nil, fmt.Errorf("redis URL: %w", err)
		}
		rdb = redis.NewUniversalClient(&redis.UniversalOptions{Addrs: []string{opt.Addr}, DB: opt.DB,
			Username: opt.Username, Password: opt.Password, TLSConfig: opt.TLSConfig,
			ContextTimeoutEnabled: true, DialTimeout: 2 * time.Second, ReadTimeout: 2 * time.Second, WriteTimeout: 2 * time.Second})
		cfg.Locker = runlock.New(rdb, runlock.Options{Prefix: prefix, Holder: replicaID()})
	}
	jobs, err := srv.StartJobs(ctx, cfg)
	if err != nil {
		if rdb != nil {
			rdb.Close()
		}
		return nil, fmt.Errorf("jobs: %w", err)
	}
	return func() {
		_ = jobs.Stop()
		if rdb != nil {
			rdb.Close()
		}
	}, nil
}

// replicaID names this process in the run keys it takes: host/pid.
func replicaID() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown"
	}
	return fmt.Sprintf("%s/%d", host, os.Getpid())
}
