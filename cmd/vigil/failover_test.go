package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"vigil/scheduler"
	"vigil/scheduler/redisstore"
)

// The Sentinel failover test (issue 18): a Redis primary with two replicas and three
// Sentinels, all started by the test on free loopback ports, each in its own directory;
// two `vigil serve --redis redis+sentinel://…` replicas under a steady load of check-ins
// and threat changes; then the primary is SIGKILLed, a replica killed and a Sentinel
// restarted. Every write acknowledged to a client must be in Redis afterwards.

const sentinelMaster = "mymaster"

// redisProc is a redis-server (or a Sentinel: redis-server --sentinel) of the test's own.
type redisProc struct {
	t    *testing.T
	name string
	port int
	args []string
	cmd  *exec.Cmd
	logs *lockedBuffer
}

// freePort returns a free loopback port (of freeAddr).
func freePort(t *testing.T) int {
	t.Helper()
	_, p, _ := net.SplitHostPort(freeAddr(t))
	n, err := strconv.Atoi(p)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (p *redisProc) addr() string { return fmt.Sprintf("127.0.0.1:%d", p.port) }

// start runs the process and waits until it answers PING.
func (p *redisProc) start() {
	p.t.Helper()
	p.logs = &lockedBuffer{}
	p.cmd = exec.Command("redis-server", p.args...)
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	if err := p.cmd.Start(); err != nil {
		p.t.Fatalf("start %s: %v", p.name, err)
	}
	c := redis.NewClient(&redis.Options{Addr: p.addr()})
	defer c.Close()
	for i := 0; i < 200; i++ {
		if c.Ping(context.Background()).Err() == nil {
			return
		}
		time.Sleep(25 * time.Millisecond)
	}
	p.t.Fatalf("%s on %s did not answer:\n%s", p.name, p.addr(), p.logs)
}

// kill sends SIGKILL and reaps the process.
func (p *redisProc) kill() {
	if p.cmd == nil {
		return
	}
	_ = p.cmd.Process.Kill()
	_ = p.cmd.Wait()
	p.cmd = nil
}

// sentinelSet is a primary, its replicas and the Sentinels that watch them.
type sentinelSet struct {
	t         *testing.T
	servers   []*redisProc // servers[0] is the first primary
	sentinels []*redisProc
}

func startSentinelSet(t *testing.T, replicas, sentinels int) *sentinelSet {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		if os.Getenv("VIGIL_CI") == "1" {
			t.Fatalf("redis-server is not installed and .ci/run should have installed it: %v", err)
		}
		t.Skip("redis-server is not installed (CI installs it and redis-sentinel)")
	}
	set := &sentinelSet{t: t}
	t.Cleanup(func() {
		for _, p := range append(set.sentinels, set.servers...) {
			p.kill()
		}
	})
	primary := 0
	for i := 0; i <= replicas; i++ {
		port := freePort(t)
		if i == 0 {
			primary = port
		}
		dir := t.TempDir()
		args := []string{"--port", fmt.Sprint(port), "--bind", "127.0.0.1", "--dir", dir,
			"--save", "", "--appendonly", "no", "--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "0"}
		if i > 0 {
			args = append(args, "--replicaof", "127.0.0.1", fmt.Sprint(primary))
		}
		p := &redisProc{t: t, name: fmt.Sprintf("redis-server %d", i), port: port, args: args}
		p.start()
		set.servers = append(set.servers, p)
	}
	for i := 0; i < sentinels; i++ {
		port := freePort(t)
		dir := t.TempDir()
		conf := filepath.Join(dir, "sentinel.conf")
		text := fmt.Sprintf("port %d\nbind 127.0.0.1\ndir %s\nsentinel monitor %s 127.0.0.1 %d 2\n"+
			"sentinel down-after-milliseconds %s 1000\nsentinel failover-timeout %s 10000\nsentinel parallel-syncs %s 1\n",
			port, dir, sentinelMaster, primary, sentinelMaster, sentinelMaster, sentinelMaster)
		if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		p := &redisProc{t: t, name: fmt.Sprintf("sentinel %d", i), port: port, args: []string{conf, "--sentinel"}}
		p.start()
		set.sentinels = append(set.sentinels, p)
	}
	set.waitSettled(replicas)
	return set
}

// url is the Sentinel URL of the set, as `vigil serve --redis` takes it.
func (s *sentinelSet) url(query string) string {
	addrs := make([]string, len(s.sentinels))
	for i, p := range s.sentinels {
		addrs[i] = p.addr()
	}
	return "redis+sentinel://" + strings.Join(addrs, ",") + "/" + sentinelMaster + "/0" + query
}

// primary returns the server the Sentinels name as primary (asking the first that answers).
func (s *sentinelSet) primary() string {
	for _, p := range s.sentinels {
		if p.cmd == nil {
			continue
		}
		c := redis.NewSentinelClient(&redis.Options{Addr: p.addr()})
		a, err := c.GetMasterAddrByName(context.Background(), sentinelMaster).Result()
		c.Close()
		if err == nil && len(a) == 2 {
			return net.JoinHostPort(a[0], a[1])
		}
	}
	return ""
}

// waitSettled waits until every running Sentinel knows the others and the primary has
// replicas replicas online.
func (s *sentinelSet) waitSettled(replicas int) {
	s.t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		ok := true
		running := 0
		for _, p := range s.sentinels {
			if p.cmd != nil {
				running++
			}
		}
		for _, p := range s.sentinels {
			if p.cmd == nil {
				continue
			}
			c := redis.NewSentinelClient(&redis.Options{Addr: p.addr()})
			others, err1 := c.Sentinels(ctx, sentinelMaster).Result()
			m, err2 := c.Master(ctx, sentinelMaster).Result()
			c.Close()
			if err1 != nil || err2 != nil || len(others) < running-1 || m["num-slaves"] == "" || strings.Contains(m["flags"], "down") {
				ok = false
			}
		}
		if ok {
			if pa := s.primary(); pa != "" {
				c := redis.NewClient(&redis.Options{Addr: pa})
				info, _ := c.Info(ctx, "replication").Result()
				c.Close()
				if strings.Contains(info, "role:master") && strings.Contains(info, fmt.Sprintf("connected_slaves:%d", replicas)) &&
					strings.Count(info, "state=online") == replicas {
					return
				}
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.t.Fatalf("the Sentinel set did not settle with %d replicas in 30 s (primary %q)", replicas, s.primary())
}

// server returns the process listening on addr.
func (s *sentinelSet) server(addr string) *redisProc {
	for _, p := range s.servers {
		if p.addr() == addr {
			return p
		}
	}
	s.t.Fatalf("no server on %s", addr)
	return nil
}

// writeLoad sends check-ins and threat changes to the vigil replicas until stopped,
// remembering what was acknowledged and when each answer came.
type writeLoad struct {
	mu        sync.Mutex
	checkIns  map[string]bool            // acknowledged check-in ids
	threats   map[string]map[string]bool // mission → acknowledged "from" instants
	answers   []answer
	sent      int
	stop      chan struct{}
	wg        sync.WaitGroup
	lastError string
}

type answer struct {
	at time.Time
	ok bool
}

func (l *writeLoad) record(ok bool, errText string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sent++
	l.answers = append(l.answers, answer{time.Now(), ok})
	if !ok {
		l.lastError = errText
	}
}

// startWriteLoad starts one check-in writer per officer and one threat writer per
// mission, each alternating between the vigil replicas at addrs.
func startWriteLoad(t *testing.T, environ map[string]string, addrs []string, officers int, missions []string) *writeLoad {
	l := &writeLoad{checkIns: map[string]bool{}, threats: map[string]map[string]bool{}, stop: make(chan struct{})}
	client := &http.Client{Timeout: 5 * time.Second}
	send := func(method, url, tok, body string, out any) (int, error) {
		req, _ := http.NewRequest(method, url, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		return resp.StatusCode, json.NewDecoder(resp.Body).Decode(out)
	}
	stopped := func() bool {
		select {
		case <-l.stop:
			return true
		default:
			return false
		}
	}
	for w := 1; w <= officers; w++ {
		tok := token(t, environ, "--role", "officer", "--officer", scheduler.OfficerID("bos", w))
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			for i := 0; !stopped(); i++ {
				body := fmt.Sprintf(`{"mission":"cg-france-bos","lat":%.5f,"lon":-71.0541}`, 42.3578+float64(i%7)*1e-4)
				var ci scheduler.CheckIn
				code, err := send(http.MethodPost, "http://"+addrs[(w+i)%len(addrs)]+"/v1/checkins", tok, body, &ci)
				ok := code == http.StatusCreated && err == nil && ci.ID != ""
				if ok {
					l.mu.Lock()
					l.checkIns[ci.ID] = true
					l.mu.Unlock()
				}
				l.record(ok, fmt.Sprintf("check-in: %d %v", code, err))
				if !ok {
					time.Sleep(20 * time.Millisecond)
				}
			}
		}()
	}
	admin := token(t, environ, "--role", "admin")
	for w, m := range missions {
		l.threats[m] = map[string]bool{}
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			for i := 0; !stopped(); i++ {
				// A future day (no re-plan), a distinct start per change to find it by.
				from := serveNow.Add(48*time.Hour + time.Duration(i)*time.Second).UTC()
				body := fmt.Sprintf(`{"threat":%d,"from":%q,"until":%q}`, 1+i%5, from.Format(time.RFC3339), from.Add(time.Hour).Format(time.RFC3339))
				var out json.RawMessage
				code, err := send(http.MethodPatch, "http://"+addrs[(w+i)%len(addrs)]+"/v1/missions/"+m, admin, body, &out)
				ok := code == http.StatusOK && err == nil
				if ok {
					l.mu.Lock()
					l.threats[m][from.Format(time.RFC3339)] = true
					l.mu.Unlock()
				}
				l.record(ok, fmt.Sprintf("threat change: %d %v %s", code, err, out))
				if !ok {
					time.Sleep(20 * time.Millisecond)
				}
			}
		}()
	}
	return l
}

func (l *writeLoad) finish() {
	close(l.stop)
	l.wg.Wait()
}

// acked returns how many writes were acknowledged so far.
func (l *writeLoad) acked() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := len(l.checkIns)
	for _, m := range l.threats {
		n += len(m)
	}
	return n
}

// waitAcked waits until n more writes are acknowledged.
func (l *writeLoad) waitAcked(t *testing.T, n int, within time.Duration) {
	t.Helper()
	want := l.acked() + n
	deadline := time.Now().Add(within)
	for l.acked() < want {
		if time.Now().After(deadline) {
			l.mu.Lock()
			last := l.lastError
			l.mu.Unlock()
			t.Fatalf("writes not acknowledged again within %v (last refusal: %s)", within, last)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// phaseFigures are what the load saw between two instants.
type phaseFigures struct {
	acked, refused int
	unavailable    time.Duration // the longest stretch without an acknowledged write
}

func (l *writeLoad) figures(from, to time.Time) phaseFigures {
	l.mu.Lock()
	defer l.mu.Unlock()
	var f phaseFigures
	last := from
	for _, a := range l.answers {
		if a.at.Before(from) || a.at.After(to) {
			continue
		}
		if !a.ok {
			f.refused++
			continue
		}
		f.acked++
		if gap := a.at.Sub(last); gap > f.unavailable {
			f.unavailable = gap
		}
		last = a.at
	}
	if gap := to.Sub(last); gap > f.unavailable {
		f.unavailable = gap
	}
	return f
}

// missing counts the acknowledged writes that the store does not hold.
func (l *writeLoad) missing(t *testing.T, st scheduler.Store) (checkIns, threats int) {
	t.Helper()
	ctx := context.Background()
	stored, err := st.CheckIns(ctx, "bos", bosDay)
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, ci := range stored {
		have[ci.ID] = true
	}
	for id := range l.checkIns {
		if !have[id] {
			checkIns++
			t.Errorf("acknowledged check-in %s is missing after the failover", id)
		}
	}
	for m, froms := range l.threats {
		r, err := st.Mission(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		held := map[string]bool{}
		for _, h := range r.History {
			held[h.From.UTC().Format(time.RFC3339)] = true
		}
		for from := range froms {
			if !held[from] {
				threats++
				t.Errorf("acknowledged threat change of %s from %s is missing after the failover", m, from)
			}
		}
	}
	return checkIns, threats
}

// TestSentinelFailover: see the top of this file. Figures go to the test log (make
// reliability prints them; RELIABILITY.md quotes them).
func TestSentinelFailover(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 3 redis-server, 3 Sentinels and 2 vigil serve")
	}
	set := startSentinelSet(t, 2, 3)
	url := set.url(os.Getenv("VIGIL_FAILOVER_QUERY")) // "?wait=0" shows what WAIT prevents
	environ := map[string]string{"VIGIL_KEY": testKey, "VIGIL_RATE": "0"}
	var addrs []string
	for i := 0; i < 2; i++ {
		c := startChild(t, environ, "--redis", url, "--data", filepath.Join(t.TempDir(), "vigil.db"), "--rate", "0")
		addrs = append(addrs, c.addr)
	}
	load := startWriteLoad(t, environ, addrs, 4, []string{"cg-france-bos", "dfc-taiwan-bos"})
	load.waitAcked(t, 100, 20*time.Second)
	report := func(name string, from time.Time) {
		f := load.figures(from, time.Now())
		t.Logf("%s: writes acknowledged %d, refused %d, longest stretch without an acknowledged write %.2f s",
			name, f.acked, f.refused, f.unavailable.Seconds())
	}

	// 1. SIGKILL the primary while both replicas lag (stopped, their links cut, for 300 ms:
	// the primary takes writes no replica holds): Sentinel promotes a replica; writes resume
	// on it. Without WAIT the primary acknowledges the writes of those 300 ms, and they
	// are lost.
	t0 := time.Now()
	old := set.primary()
	var lagging []*redisProc
	for _, p := range set.servers {
		if p.addr() != old {
			lagging = append(lagging, p)
			_ = p.cmd.Process.Signal(syscall.SIGSTOP)
		}
	}
	pc := redis.NewClient(&redis.Options{Addr: old})
	if err := pc.ClientKillByFilter(context.Background(), "TYPE", "replica").Err(); err != nil {
		t.Fatal(err)
	}
	pc.Close()
	time.Sleep(300 * time.Millisecond)
	set.server(old).kill()
	for _, p := range lagging {
		_ = p.cmd.Process.Signal(syscall.SIGCONT)
	}
	deadline := time.Now().Add(30 * time.Second)
	for set.primary() == old {
		if time.Now().After(deadline) {
			t.Fatalf("no replica promoted within 30 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
	promoted := time.Since(t0)
	load.waitAcked(t, 100, 20*time.Second)
	time.Sleep(500 * time.Millisecond)
	report(fmt.Sprintf("primary SIGKILL (promoted after %.2f s)", promoted.Seconds()), t0)

	// The old primary comes back empty; Sentinel makes it a replica of the new one.
	set.server(old).start()
	set.waitSettled(2)

	// 2. SIGKILL a replica under load: the other one still confirms every write.
	t1 := time.Now()
	var replica *redisProc
	for _, p := range set.servers {
		if p.addr() != set.primary() {
			replica = p
			break
		}
	}
	replica.kill()
	time.Sleep(1500 * time.Millisecond)
	load.waitAcked(t, 50, 20*time.Second)
	report("replica SIGKILL", t1)
	replica.start()
	set.waitSettled(2)

	// 3. Restart a Sentinel under load.
	t2 := time.Now()
	set.sentinels[0].kill()
	time.Sleep(time.Second)
	set.sentinels[0].start()
	time.Sleep(time.Second)
	load.waitAcked(t, 50, 20*time.Second)
	report("Sentinel restart", t2)

	load.finish()
	st, err := redisstore.Open(context.Background(), url, "")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ci, th := load.missing(t, st)
	all := load.figures(time.Time{}, time.Now())
	t.Logf("whole run: writes sent %d, acknowledged %d (%d check-ins, %d threat changes), refused %d, acknowledged writes lost %d",
		load.sent, all.acked, len(load.checkIns), all.acked-len(load.checkIns), all.refused, ci+th)
}

// TestServeRefusesUnreplicatedWrite: with a replica required (?wait=1) and none attached,
// a check-in is answered 503 once the wait runs out, and plans are still served.
func TestServeRefusesUnreplicatedWrite(t *testing.T) {
	if testing.Short() {
		t.Skip("starts redis-server")
	}
	rd := startPrivateRedis(t)
	environ := map[string]string{"VIGIL_KEY": testKey, "VIGIL_RATE": "0"}
	c := startChild(t, environ, "--redis", rd.url()+"?wait=1&wait_timeout=200ms", "--data", filepath.Join(t.TempDir(), "vigil.db"), "--rate", "0")
	off := token(t, environ, "--role", "officer", "--officer", scheduler.OfficerID("bos", 1))
	start := time.Now()
	code, body := call(t, c.addr, http.MethodPost, "/v1/checkins", off, `{"mission":"cg-france-bos","lat":42.3578,"lon":-71.0541}`)
	if code != http.StatusServiceUnavailable {
		t.Errorf("check-in no replica confirmed = %d %s; want 503", code, body)
	}
	if d := time.Since(start); d < 200*time.Millisecond {
		t.Errorf("the check-in was refused after %v; want after the 200ms wait", d)
	}
	sup := token(t, environ, "--role", "supervisor", "--region", "bos")
	if code, body := call(t, c.addr, http.MethodGet, "/v1/plans/bos/2026-11-27", sup, ""); code != http.StatusOK {
		t.Errorf("GET plan with writes refused = %d %s; want 200", code, body)
	}
}
