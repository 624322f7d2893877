package main

import (
	"context"
	"fmt"
	"log/slog"

	"vigil/api"
)

func runServe(ctx context.Context, args []string, e *env) error {
	fs := newFlags("serve", "[--addr 127.0.0.1:8080]", e)
	addr := fs.String("addr", envOr(e, "VIGIL_ADDR", "127.0.0.1:8080"), "listen address ($VIGIL_ADDR)")
	if err := parse(fs, args); err != nil {
		return err
	}
	logger := slog.New(slog.NewJSONHandler(e.stderr, nil))
	srv := api.New(api.Config{Logger: logger})
	logger.Info("vigil serving", "addr", *addr)
	if err := srv.Serve(ctx, *addr); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	logger.Info("vigil stopped")
	return nil
}

func envOr(e *env, key, def string) string {
	if v := e.getenv(key); v != "" {
		return v
	}
	return def
}
