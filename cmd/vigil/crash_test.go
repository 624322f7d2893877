package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"vigil/scheduler"
	"vigil/scheduler/boltstore"
	"vigil/scheduler/redisstore"
	"vigil/scheduler/storetest"
)

// The crash tests run `vigil serve` in a child process (this test binary, re-run as
// TestCrashHelper), send check-ins from several goroutines, SIGKILL the child mid-way,
// restart it on the same data and check that every acknowledged (201) check-in is there.

const crashHelperEnv = "VIGIL_CRASH_HELPER_ARGS"

// realClockEnv, set to 1, runs the child on the wall clock instead of a clock stopped at
// serveNow, on which no job ever runs.
const realClockEnv = "VIGIL_CRASH_HELPER_REAL_CLOCK"

// crashRoundsN is how many times each crash test kills vigil serve.
const crashRoundsN = 3

// TestCrashHelper is the child process of the crash tests: with VIGIL_CRASH_HELPER_ARGS
// set it runs `vigil <args>` until killed; in a normal test run it does nothing.
func TestCrashHelper(t *testing.T) {
	args := os.Getenv(crashHelperEnv)
	if args == "" {
		return
	}
	clock := clockwork.Clock(clockwork.NewFakeClockAt(serveNow))
	if os.Getenv(realClockEnv) == "1" {
		clock = clockwork.NewRealClock() // the jobs must tick (replicas_test.go)
	}
	e := &env{getenv: os.Getenv, stdout: os.Stdout, stderr: os.Stderr, clock: clock}
	if err := run(context.Background(), strings.Split(args, "\x1f"), e); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(0)
}

// child is a `vigil serve` process.
type child struct {
	cmd  *exec.Cmd
	addr string
	logs *lockedBuffer
}

// startChild starts `vigil serve --addr <free> args…` in a child process and waits until
// it answers /healthz.
func startChild(t *testing.T, environ map[string]string, args ...string) *child {
	t.Helper()
	c := &child{addr: freeAddr(t), logs: &lockedBuffer{}}
	all := append([]string{"serve", "--addr", c.addr}, args...)
	c.cmd = exec.Command(os.Args[0], "-test.run=^TestCrashHelper$", "-test.count=1")
	c.cmd.Env = append(os.Environ(), crashHelperEnv+"="+strings.Join(all, "\x1f"))
	for k, v := range environ {
		c.cmd.Env = append(c.cmd.Env, k+"="+v)
	}
	c.cmd.Stdout, c.cmd.Stderr = c.logs, c.logs
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.kill() })
	for i := 0; i < 300; i++ {
		if resp, err := http.Get("http://" + c.addr + "/healthz"); err == nil {
			resp.Body.Close()
			return c
		}
		time.Sleep(50 * time.Millisecond)
	}
	c.kill()
	t.Fatalf("vigil serve did not answer on %s:\n%s", c.addr, c.logs)
	return nil
}

// kill sends SIGKILL and reaps the child; a child already reaped is left alone.
func (c *child) kill() {
	if c.cmd.ProcessState != nil {
		return
	}
	_ = c.cmd.Process.Kill()
	_ = c.cmd.Wait()
}

// crashFigures are what one crash test measured.
type crashFigures struct {
	sent, acked, failed, found int
}

// hammerAndKill sends check-ins from workers goroutines (one officer each) until acks
// are acknowledged, SIGKILLs the child while they are still sending, and returns the
// acknowledged ids and counts.
func hammerAndKill(t *testing.T, c *child, environ map[string]string, workers, acks int) (map[string]bool, crashFigures) {
	t.Helper()
	var (
		mu    sync.Mutex
		ids   = map[string]bool{}
		fig   crashFigures
		wg    sync.WaitGroup
		stop  = make(chan struct{})
		ackCh = make(chan struct{}, 1<<16)
	)
	client := &http.Client{Timeout: 5 * time.Second}
	for w := 1; w <= workers; w++ {
		tok := token(t, environ, "--role", "officer", "--officer", scheduler.OfficerID("bos", w))
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				body := fmt.Sprintf(`{"mission":"cg-france-bos","lat":%.5f,"lon":-71.0541}`, 42.3578+float64(i%7)*1e-4)
				req, _ := http.NewRequest(http.MethodPost, "http://"+c.addr+"/v1/checkins", strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+tok)
				req.Header.Set("Content-Type", "application/json")
				resp, err := client.Do(req)
				mu.Lock()
				fig.sent++
				mu.Unlock()
				if err != nil {
					mu.Lock()
					fig.failed++
					mu.Unlock()
					select {
					case <-stop:
						return
					default:
						time.Sleep(10 * time.Millisecond)
						continue
					}
				}
				var ci scheduler.CheckIn
				err = json.NewDecoder(resp.Body).Decode(&ci)
				resp.Body.Close()
				mu.Lock()
				if resp.StatusCode == http.StatusCreated && err == nil && ci.ID != "" {
					ids[ci.ID] = true
					fig.acked++
					ackCh <- struct{}{}
				} else {
					fig.failed++
				}
				mu.Unlock()
			}
		}()
	}
	deadline := time.After(20 * time.Second)
	for n := 0; n < acks; n++ {
		select {
		case <-ackCh:
		case <-deadline:
			close(stop)
			wg.Wait()
			t.Fatalf("only %d check-ins acknowledged in 20 s; want %d:\n%s", n, acks, c.logs)
		}
	}
	c.kill() // mid-way: the workers are still sending
	time.Sleep(100 * time.Millisecond)
	close(stop)
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	if fig.failed == 0 {
		t.Logf("no request was in flight at the kill (sent %d)", fig.sent)
	}
	return ids, fig
}

// checkAllFound reports every acknowledged id missing from the stored check-ins.
func checkAllFound(t *testing.T, ids map[string]bool, stored []scheduler.CheckIn, fig *crashFigures) {
	t.Helper()
	have := map[string]bool{}
	for _, ci := range stored {
		have[ci.ID] = true
	}
	for id := range ids {
		if have[id] {
			fig.found++
		} else {
			t.Errorf("acknowledged check-in %s is missing after the restart", id)
		}
	}
	if len(stored) > fig.sent {
		t.Errorf("%d check-ins stored; only %d sent", len(stored), fig.sent)
	}
}

// complianceCheckIns asks the restarted server how many check-ins bos's day holds.
func complianceCheckIns(t *testing.T, c *child, admin string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, "http://"+c.addr+"/v1/plans/bos/2026-11-27/compliance", nil)
	req.Header.Set("Authorization", "Bearer "+admin)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Figures struct {
			CheckIns int `json:"checkins"`
		} `json:"figures"`
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET compliance after restart = %d", resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out.Figures.CheckIns
}

var bosDay = scheduler.Date{Year: 2026, Month: time.November, Day: 27}

// crashRounds starts the child, sends check-ins and kills it, rounds times on the same
// data, then restarts it once more and checks the server counts every acknowledged
// check-in. It returns the acknowledged ids and the summed figures.
func crashRounds(t *testing.T, environ map[string]string, args []string, rounds int) (map[string]bool, crashFigures) {
	t.Helper()
	all := map[string]bool{}
	var sum crashFigures
	for r := 0; r < rounds; r++ {
		c := startChild(t, environ, args...)
		ids, fig := hammerAndKill(t, c, environ, 6, 200)
		for id := range ids {
			all[id] = true
		}
		sum.sent, sum.acked, sum.failed = sum.sent+fig.sent, sum.acked+fig.acked, sum.failed+fig.failed
	}
	c := startChild(t, environ, args...)
	admin := token(t, environ, "--role", "admin")
	if n := complianceCheckIns(t, c, admin); n < sum.acked {
		t.Errorf("compliance after restart counts %d check-ins; want at least the %d acknowledged", n, sum.acked)
	}
	c.kill()
	return all, sum
}

func TestCrashEmbedded(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "vigil.db")
	environ := map[string]string{"VIGIL_KEY": testKey, "VIGIL_RATE": "0"}
	ids, fig := crashRounds(t, environ, []string{"--data", data, "--rate", "0"}, crashRoundsN)
	st, err := boltstore.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	checkCrashStore(t, "embedded", st, ids, fig)
}

// checkCrashStore checks that every acknowledged check-in of the kill rounds is in st after
// them, and logs the figures.
func checkCrashStore(t *testing.T, name string, st scheduler.Store, ids map[string]bool, fig crashFigures) {
	t.Helper()
	stored, err := st.CheckIns(context.Background(), "bos", bosDay)
	if err != nil {
		t.Fatal(err)
	}
	checkAllFound(t, ids, stored, &fig)
	t.Logf("%s store, %d kills: sent %d, acknowledged %d, failed or cut off %d, stored %d, acknowledged found %d, lost %d",
		name, crashRoundsN, fig.sent, fig.acked, fig.failed, len(stored), fig.found, fig.acked-fig.found)
}

func TestCrashRedis(t *testing.T) {
	url := storetest.RedisURL(t) // the shared test Redis keeps running: only vigil is killed
	prefix := fmt.Sprintf("{vigil-crash-test-%d}:", os.Getpid())
	storetest.CleanupPrefix(t, url, prefix)
	dir := t.TempDir()
	environ := map[string]string{"VIGIL_KEY": testKey, "VIGIL_REDIS": url, "VIGIL_REDIS_PREFIX": prefix, "VIGIL_RATE": "0"}
	args := []string{"--data", filepath.Join(dir, "vigil.db"), "--rate", "0"}
	ids, fig := crashRounds(t, environ, args, crashRoundsN)
	st, err := redisstore.Open(context.Background(), url, prefix)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	checkCrashStore(t, "redis", st, ids, fig)
}
