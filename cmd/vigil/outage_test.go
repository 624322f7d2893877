package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// privateRedis is a redis-server of the test's own, on a free loopback port, with its data
// (append-only, fsynced on every write) in its own directory. It never touches the shared
// server on 6379.
type privateRedis struct {
	t    *testing.T
	bin  string
	port int
	dir  string
	cmd  *exec.Cmd
	logs *lockedBuffer
}

func startPrivateRedis(t *testing.T) *privateRedis {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil && os.Getenv("VIGIL_CI") == "1" {
		t.Fatalf("redis-server is not installed and .ci/run should have installed it: %v", err)
	}
	if err != nil {
		t.Skip("redis-server is not installed (CI installs it): the Redis outage test needs a private one")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	r := &privateRedis{t: t, bin: bin, port: port, dir: t.TempDir(), logs: &lockedBuffer{}}
	r.start()
	t.Cleanup(func() {
		if r.cmd != nil {
			r.cmd.Process.Kill()
			r.cmd.Wait()
		}
	})
	return r
}

func (r *privateRedis) url() string { return fmt.Sprintf("redis://127.0.0.1:%d/0", r.port) }

// start runs redis-server on the port and directory and waits until it answers.
func (r *privateRedis) start() {
	r.t.Helper()
	r.cmd = exec.Command(r.bin, "--port", fmt.Sprint(r.port), "--bind", "127.0.0.1", "--dir", r.dir,
		"--appendonly", "yes", "--appendfsync", "always", "--save", "", "--protected-mode", "yes")
	r.cmd.Stdout, r.cmd.Stderr = r.logs, r.logs
	if err := r.cmd.Start(); err != nil {
		r.t.Fatalf("start redis-server: %v", err)
	}
	c := redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", r.port)})
	defer c.Close()
	for i := 0; i < 200; i++ {
		if c.Ping(context.Background()).Err() == nil {
			return
		}
		time.Sleep(25 * time.Millisecond)
	}
	r.t.Fatalf("redis-server on port %d did not answer:\n%s", r.port, r.logs)
}

// stop ends redis-server with SIGTERM and waits for it to exit.
func (r *privateRedis) stop() {
	r.t.Helper()
	r.cmd.Process.Signal(syscall.SIGTERM)
	r.cmd.Wait()
	r.cmd = nil
}

// call sends a request with a bearer token and an optional JSON body.
func call(t *testing.T, addr, method, path, tok, body string) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, "http://"+addr+path, rd)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func mustCall(t *testing.T, addr, method, path, tok, body string, want int) []byte {
	t.Helper()
	code, b := call(t, addr, method, path, tok, body)
	if code != want {
		t.Fatalf("%s %s = %d %s; want %d", method, path, code, b, want)
	}
	return b
}

// jtiOf returns a token's id, read from its payload.
func jtiOf(t *testing.T, tok string) string {
	t.Helper()
	parts := strings.Split(tok, ".")
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		ID string `json:"jti"`
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	return c.ID
}

type readyOut struct {
	Status      string `json:"status"`
	Store       string `json:"store"`
	QueuedAudit int    `json:"queued_audit"`
}

func ready(t *testing.T, addr string) (int, readyOut) {
	t.Helper()
	code, b := call(t, addr, "GET", "/readyz", "", "")
	var r readyOut
	json.Unmarshal(b, &r)
	return code, r
}

// TestRedisOutage stops a private Redis under a serving replica and starts it again
// (DESIGN.md §6): during the outage plans are still served and revoked tokens refused,
// writes fail with 503, audit records queue on disk and /readyz says degraded; once Redis
// is back the replica recovers without a restart, the queue drains into the audit log and
// every acknowledged write is there.
func TestRedisOutage(t *testing.T) {
	if testing.Short() {
		t.Skip("starts redis-server")
	}
	rd := startPrivateRedis(t)
	dir := t.TempDir()
	queue := filepath.Join(dir, "audit-queue.jsonl")
	environ := map[string]string{"VIGIL_KEY": testKey, "VIGIL_REDIS": rd.url()}
	addr, logs, stop := startServe(t, environ, "--data", filepath.Join(dir, "vigil.db"), "--audit-queue", queue, "--rate", "1000", "--burst", "1000")
	admin := token(t, environ, "--role", "admin")
	sup := token(t, environ, "--role", "supervisor", "--region", "bos")
	off := token(t, environ, "--role", "officer", "--officer", "o-bos-001")
	revoked := token(t, environ, "--role", "planner")

	// Before: reads, and writes that are acknowledged.
	var ms struct {
		Missions []struct {
			ID string `json:"id"`
		} `json:"missions"`
	}
	if err := json.Unmarshal(mustCall(t, addr, "GET", "/v1/missions?region=bos", admin, "", 200), &ms); err != nil || len(ms.Missions) == 0 {
		t.Fatalf("missions of bos: %v %v", ms, err)
	}
	mission := ms.Missions[0].ID
	contacts := `{"contacts":[{"name":"Ann Before","phone":"+1 617 555 0100"},{"name":"Bob Before","phone":"+1 617 555 0101"}]}`
	mustCall(t, addr, "PUT", "/v1/missions/"+mission+"/contacts", admin, contacts, 200)
	mustCall(t, addr, "PATCH", "/v1/missions/"+mission, admin, `{"threat":4}`, 200)
	mustCall(t, addr, "POST", "/v1/tokens/revoke", admin, `{"jti":"`+jtiOf(t, revoked)+`"}`, 200)
	mustCall(t, addr, "GET", "/v1/regions", revoked, "", 401)
	plans := map[string][]byte{}
	for _, d := range []string{"2026-11-27", "2026-11-28"} {
		code, b := call(t, addr, "GET", "/v1/plans/bos/"+d, sup, "")
		if code != 200 {
			t.Fatalf("GET plan bos %s = %d %s; want 200\n%s", d, code, b, logs)
		}
		plans[d] = b
	}
	assignments := mustCall(t, addr, "GET", "/v1/me/assignments", off, "", 200)
	if code, r := ready(t, addr); code != 200 || r.Status != "ready" {
		t.Fatalf("/readyz before the outage = %d %+v; want 200 ready", code, r)
	}

	rd.stop()

	// During: plans served, revoked tokens refused, writes 503, audit queued.
	for d, want := range plans {
		if got := mustCall(t, addr, "GET", "/v1/plans/bos/"+d, sup, "", 200); !bytes.Equal(got, want) {
			t.Errorf("plan bos %s during the outage differs from before it", d)
		}
	}
	if got := mustCall(t, addr, "GET", "/v1/me/assignments", off, "", 200); !bytes.Equal(got, assignments) {
		t.Errorf("assignments during the outage differ from before it:\n%s\n%s", got, assignments)
	}
	mustCall(t, addr, "GET", "/v1/regions", admin, "", 200)
	mustCall(t, addr, "GET", "/v1/missions/"+mission, admin, "", 200)
	if code, b := call(t, addr, "GET", "/v1/regions", revoked, ""); code != 401 {
		t.Errorf("revoked token during the outage = %d %s; want 401", code, b)
	}
	writes := []struct{ method, path, body string }{
		{"PUT", "/v1/missions/" + mission + "/contacts", `{"contacts":[{"name":"Lost","phone":"1"},{"name":"Lost Too","phone":"2"}]}`},
		{"PATCH", "/v1/missions/" + mission, `{"threat":1}`},
		{"PATCH", "/v1/force/bos", `{"officers":7}`},
	}
	for _, w := range writes {
		code, b := call(t, addr, w.method, w.path, admin, w.body)
		if code != 503 || !strings.Contains(string(b), "unavailable") {
			t.Errorf("%s %s during the outage = %d %s; want 503 saying the store is unavailable", w.method, w.path, code, b)
		}
	}
	code, r := ready(t, addr)
	if code != 200 || r.Status != "degraded" || r.Store != "unavailable" || r.QueuedAudit != 3 {
		t.Errorf("/readyz during the outage = %d %+v; want 200 degraded, store unavailable, 3 queued", code, r)
	}
	if st, err := os.Stat(queue); err != nil || st.Size() == 0 {
		t.Errorf("audit queue file during the outage: %v %v; want records", st, err)
	}

	rd.start()

	// After: recovery without a restart, the queue drained, acknowledged writes there.
	deadline := time.Now().Add(15 * time.Second)
	for {
		code, r = ready(t, addr)
		if code == 200 && r.Status == "ready" && r.QueuedAudit == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz after Redis returned = %d %+v; want ready with the queue drained\n%s", code, r, logs)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if st, err := os.Stat(queue); err != nil || st.Size() != 0 {
		t.Errorf("audit queue file after recovery: %v %v; want empty", st, err)
	}
	var m struct {
		Threat   int `json:"threat"`
		Contacts []struct {
			Name string `json:"name"`
		} `json:"contacts"`
	}
	json.Unmarshal(mustCall(t, addr, "GET", "/v1/missions/"+mission, admin, "", 200), &m)
	var c struct {
		Contacts []struct {
			Name string `json:"name"`
		} `json:"contacts"`
	}
	json.Unmarshal(mustCall(t, addr, "GET", "/v1/missions/"+mission+"/contacts", admin, "", 200), &c)
	if m.Threat != 4 || len(c.Contacts) != 2 || c.Contacts[0].Name != "Ann Before" {
		t.Errorf("mission %s after the outage: threat %d, contacts %+v; want 4 and the contacts acknowledged before it", mission, m.Threat, c.Contacts)
	}
	var audit struct {
		Records []struct {
			Action string `json:"action"`
			Actor  string `json:"actor"`
		} `json:"records"`
	}
	body := mustCall(t, addr, "GET", "/v1/audit?limit=1000", admin, "", 200)
	if err := json.Unmarshal(body, &audit); err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, a := range audit.Records {
		counts[a.Action]++
	}
	if counts["read-plan"] != 4 || counts["read-assignments"] != 2 {
		t.Errorf("audit log after recovery counts %v; want 4 read-plan (2 during the outage) and 2 read-assignments\n%s", counts, body)
	}
	// Writes work again.
	mustCall(t, addr, "PATCH", "/v1/force/bos", admin, `{"officers":7}`, 200)
	if err := stop(); err != nil {
		t.Errorf("serve stopped with %v", err)
	}
}
