package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"vigil/scheduler/storetest"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}
func (b *lockedBuffer) String() string { b.mu.Lock(); defer b.mu.Unlock(); return b.b.String() }

// serveNow is the fixed clock of the serve tests: 10:00 in Boston, service date 2026-11-27.
var serveNow = time.Date(2026, 11, 27, 15, 0, 0, 0, time.UTC)

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// startServe runs `vigil serve args…` until the test ends and waits until it answers.
func startServe(t *testing.T, environ map[string]string, args ...string) (addr string, logs *lockedBuffer, stop func() error) {
	t.Helper()
	addr = freeAddr(t)
	logs = &lockedBuffer{}
	e := &env{getenv: func(k string) string { return environ[k] }, stdout: logs, stderr: logs, clock: clockwork.NewFakeClockAt(serveNow)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, append([]string{"serve", "--addr", addr}, args...), e) }()
	stopped := false
	stop = func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		return <-done
	}
	t.Cleanup(func() { stop() })
	for i := 0; i < 100; i++ {
		select {
		case err := <-done:
			stopped = true
			t.Fatalf("serve exited: %v\n%s", err, logs)
		default:
		}
		if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
			resp.Body.Close()
			return addr, logs, stop
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("serve did not answer on %s:\n%s", addr, logs)
	return
}

func token(t *testing.T, environ map[string]string, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{getenv: func(k string) string { return environ[k] }, stdout: &out, stderr: &errb, clock: clockwork.NewFakeClockAt(serveNow)}
	if err := run(context.Background(), append([]string{"token"}, args...), e); err != nil {
		t.Fatalf("vigil token %v: %v %s", args, err, errb.String())
	}
	if lines := strings.Split(strings.TrimSpace(out.String()), "\n"); len(lines) != 1 || strings.Count(lines[0], ".") != 2 {
		t.Fatalf("vigil token printed %q; want one JWT", out.String())
	}
	return strings.TrimSpace(out.String())
}

func get(t *testing.T, addr, path, tok string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, "http://"+addr+path, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// checkServing is the "done when", on the small bos region: a supervisor fetches
// the current and next service days and is refused another region; an officer gets their
// own assignments and is refused another officer's.
func checkServing(t *testing.T, addr string, environ map[string]string, keyArgs ...string) {
	t.Helper()
	sup := token(t, environ, append([]string{"--role", "supervisor", "--region", "bos"}, keyArgs...)...)
	off := token(t, environ, append([]string{"--role", "officer", "--officer", "o-bos-001"}, keyArgs...)...)
	tests := []struct {
		path, tok string
		want      int
	}{
		{"/v1/plans/bos/2026-11-27", sup, 200},
		{"/v1/plans/bos/2026-11-28", sup, 200},
		{"/v1/plans/bos/2026-11-29", sup, 403},
		{"/v1/plans/chi/2026-11-27", sup, 403},
		{"/v1/me/assignments", off, 200},
		{"/v1/roster?officer=o-bos-001", off, 200},
		{"/v1/roster?officer=o-bos-002", off, 403},
		{"/v1/plans/bos/2026-11-27", off, 403},
		{"/v1/regions", "not-a-token", 401},
	}
	for _, tt := range tests {
		if got := get(t, addr, tt.path, tt.tok); got != tt.want {
			t.Errorf("GET %s = %d; want %d", tt.path, got, tt.want)
		}
	}
}

func TestServeEmbedded(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "vigil.db")
	addr, logs, stop := startServe(t, nil, "--data", data)
	keyFile := filepath.Join(dir, "vigil.key")
	st, err := os.Stat(keyFile)
	if err != nil {
		t.Fatalf("key file not created: %v", err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("key file mode = %v; want 0600", st.Mode().Perm())
	}
	key, _ := os.ReadFile(keyFile)
	// vigil token works while the server runs: it never opens the store.
	checkServing(t, addr, nil, "--key-file", keyFile)
	admin := token(t, nil, "--role", "admin", "--key-file", keyFile)
	if err := stop(); err != nil {
		t.Fatalf("serve stopped with %v", err)
	}
	if l := logs.String(); strings.Contains(l, strings.TrimSpace(string(key))) || strings.Contains(l, admin[strings.LastIndex(admin, ".")+1:]) {
		t.Errorf("serve logs hold the key or a token:\n%s", l)
	}

	// Restart: the same key, the same data.
	addr, _, _ = startServe(t, nil, "--data", data)
	if again, _ := os.ReadFile(keyFile); !bytes.Equal(again, key) {
		t.Errorf("key file changed across restarts")
	}
	if got := get(t, addr, "/v1/regions", admin); got != 200 {
		t.Errorf("GET /v1/regions after restart = %d; want 200", got)
	}
}

func TestServeRedisNeedsKey(t *testing.T) {
	dir := t.TempDir()
	code, _, errs := runCLI(t, nil, "serve", "--redis", "redis://127.0.0.1:1/", "--data", filepath.Join(dir, "vigil.db"))
	if code != 2 || !strings.Contains(errs, "master key") {
		t.Errorf("serve --redis without a key = %d %q; want 2 naming the master key", code, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "vigil.key")); err == nil {
		t.Errorf("serve --redis created a key file")
	}
}

func TestTokenNeedsKey(t *testing.T) {
	code, _, errs := runCLI(t, nil, "token", "--role", "admin", "--key-file", filepath.Join(t.TempDir(), "none"))
	if code != 2 {
		t.Errorf("token without a key = %d %q; want 2", code, errs)
	}
	code, _, errs = runCLI(t, map[string]string{"VIGIL_KEY": testKey}, "token", "--role", "supervisor")
	if code != 2 || !strings.Contains(errs, "region") {
		t.Errorf("token --role supervisor without region = %d %q; want 2", code, errs)
	}
}

func TestServeRedis(t *testing.T) {
	url := storetest.RedisURL(t)
	prefix := fmt.Sprintf("{vigil-serve-test-%d}:", os.Getpid())
	storetest.CleanupPrefix(t, url, prefix)
	environ := map[string]string{"VIGIL_KEY": testKey, "VIGIL_REDIS": url, "VIGIL_REDIS_PREFIX": prefix}
	addr, _, _ := startServe(t, environ, "--data", filepath.Join(t.TempDir(), "vigil.db"))
	checkServing(t, addr, environ)
}
