package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"

	"vigil/api"
	"vigil/fixtures"
	"vigil/scheduler"
	"vigil/scheduler/boltstore"
	"vigil/scheduler/redisstore"
)

func runServe(ctx context.Context, args []string, e *env) error {
	fs := newFlags("serve", "[--addr 127.0.0.1:8080] [--data ./vigil.db] [--redis URL [--redis-prefix P]] [--key-file F]", e)
	addr := fs.String("addr", envOr(e, "VIGIL_ADDR", "127.0.0.1:8080"), "listen address ($VIGIL_ADDR)")
	data := fs.String("data", envOr(e, "VIGIL_DATA", "./vigil.db"), "embedded store file ($VIGIL_DATA)")
	redisURL := fs.String("redis", envOr(e, "VIGIL_REDIS", ""), "Redis URL for a shared store: redis://127.0.0.1:6379/0, or Sentinel redis+sentinel://h1:26379,h2:26379/mymaster/0 (waits for 1 replica per write; ?wait=N&wait_timeout=D) ($VIGIL_REDIS)")
	redisPrefix := fs.String("redis-prefix", envOr(e, "VIGIL_REDIS_PREFIX", redisstore.DefaultPrefix), "prefix of every Redis key ($VIGIL_REDIS_PREFIX)")
	keyFile := fs.String("key-file", "", "master key file (default: vigil.key beside the data file; $VIGIL_KEY wins)")
	var officers, leave string
	registerPeople(fs, &officers, &leave)
	var rel reliabilityFlags
	rel.register(fs, e)
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := rel.check(); err != nil {
		return err
	}
	if *keyFile == "" {
		*keyFile = filepath.Join(filepath.Dir(*data), "vigil.key")
	}
	master, err := serveKey(e.getenv("VIGIL_KEY"), *keyFile, *redisURL == "")
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewJSONHandler(e.stderr, nil))
	ds, err := fixtures.Default()
	if err != nil {
		return fmt.Errorf("fixtures: %w", err)
	}
	if err := ds.AddPeople(officers, leave); err != nil {
		return usageError{err}
	}
	var store scheduler.Store
	var rs *redisstore.Store // with --redis: the store, whose one client the rate limiter and the jobs share
	if *redisURL != "" {
		rs, err = redisstore.Open(ctx, *redisURL, *redisPrefix)
		store = rs
	} else {
		store, err = boltstore.Open(*data)
	}
	if err != nil {
		return err
	}
	defer store.Close()
	seeded, err := seed(ctx, store, ds, e)
	if err != nil {
		return fmt.Errorf("seed the store: %w", err)
	}
	if seeded {
		logger.Info("store seeded from the shipped fixtures", "missions", len(ds.Missions))
	}
	limiter := rel.limiter(rs, e.clock, logger)
	wrapped, err := rel.withOutage(ctx, store, *data, logger)
	if err != nil {
		return err
	}
	if wrapped != store {
		defer wrapped.Close() // before the store's own Close: it flushes the audit queue
		store = wrapped
	}
	srv := api.New(api.Config{Logger: logger, Store: store, Offices: ds.Offices, MasterKey: master, Clock: e.clock, RateLimit: limiter,
		Timeouts: api.Timeouts{PerIP: *rel.connsPerIP}})
	backend := "embedded"
	if *redisURL != "" {
		backend = "redis"
	}
	stopJobs, err := startJobs(ctx, srv, store, rs, ds.Offices, e.clock, logger)
	if err != nil {
		return err
	}
	defer stopJobs()
	logger.Info("vigil serving", "addr", *addr, "store", backend)
	if err := srv.Serve(ctx, *addr); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	logger.Info("vigil stopped")
	return nil
}

// serveKey returns the master key from $VIGIL_KEY, else the key file. With create (the
// embedded store) a missing key file is created with a new random key, mode 0600; with
// Redis a key must be given, the same on every replica. The key is never printed.
func serveKey(envHex, file string, create bool) ([]byte, error) {
	if envHex != "" {
		k, err := scheduler.ParseMasterKey(envHex)
		if err != nil {
			return nil, usageError{fmt.Errorf("VIGIL_KEY: %w", err)}
		}
		return k, nil
	}
	b, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		if !create {
			return nil, usageError{fmt.Errorf("--redis needs the master key shared by every replica: set VIGIL_KEY or --key-file (%s does not exist)", file)}
		}
		k := make([]byte, scheduler.MasterKeySize)
		if _, err := rand.Read(k); err != nil {
			return nil, err
		}
		f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, fmt.Errorf("create key file: %w", err)
		}
		if _, err := fmt.Fprintln(f, hex.EncodeToString(k)); err != nil {
			f.Close()
			return nil, fmt.Errorf("write key file %s: %w", file, err)
		}
		return k, f.Close()
	}
	if err != nil {
		return nil, fmt.Errorf("key file: %w", err)
	}
	k, err := scheduler.ParseMasterKey(string(b))
	if err != nil {
		return nil, usageError{fmt.Errorf("key file %s: %w", file, err)}
	}
	return k, nil
}

// seed fills a new store with the shipped fixtures (once; a seeded store is left alone).
func seed(ctx context.Context, store scheduler.Store, ds *fixtures.Dataset, e *env) (bool, error) {
	now := e.now().UTC()
	ms := make([]scheduler.MissionRecord, len(ds.Missions))
	for i, m := range ds.Missions {
		ms[i] = scheduler.NewMissionRecord(m, "fixtures", now)
	}
	regions := make([]string, 0, len(ds.Force.Regions))
	for r := range ds.Force.Regions {
		regions = append(regions, r)
	}
	sort.Strings(regions)
	forces := make([]scheduler.RegionForce, len(regions))
	for i, r := range regions {
		forces[i] = *ds.Force.Regions[r]
	}
	return store.Seed(ctx, ms, forces)
}

func envOr(e *env, key, def string) string {
	if v := e.getenv(key); v != "" {
		return v
	}
	return def
}
