// Command load measures `vigil serve` under load on loopback (issue 8): it starts the
// server on a free 127.0.0.1 port with a temporary data directory (or a Redis store under
// its own key prefix, deleted afterwards), mints tokens with `vigil token`, and drives
// /healthz, an officer's /v1/me/assignments, a supervisor's region plan and, when the
// server has the route, officers' check-ins: first each alone in a closed loop of N
// clients, then all together in an open loop at a fixed rate, then the assignments read
// alone in an open loop at that rate. Every phase is bounded in
// requests and time. It reports throughput, p50 and p99 and the server's resident memory
// as a Markdown table, and with -out replaces the "Service load" section of that file.
//
//	go run ./tools/load -vigil bin/vigil [-redis redis://127.0.0.1:6379/0] [-out BENCHMARKS.md]
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

type config struct {
	blob                 int // with blobAddr: serve a static blob of this many bytes (the blob server)
	blobAddr             string
	vigil                string
	redisURL             string
	region               string
	clients              int
	rate                 int
	duration             time.Duration
	max                  int
	officers             int
	out                  string
	wrk                  string // wrk binary ("" or missing: no wrk phase)
	wrkThreads, wrkConns int
}

func run() error {
	var cfg config
	flag.StringVar(&cfg.vigil, "vigil", "bin/vigil", "the vigil binary to serve")
	flag.StringVar(&cfg.redisURL, "redis", "", "serve with this loopback Redis (keys under a prefix of the run's own, deleted afterwards); default the embedded store")
	flag.StringVar(&cfg.region, "region", "wfo", "region whose plan, officers and missions are used")
	flag.IntVar(&cfg.clients, "clients", 16, "closed loop: concurrent clients")
	flag.IntVar(&cfg.rate, "rate", 100, "open loop: requests a second, over every endpoint together")
	flag.DurationVar(&cfg.duration, "duration", 5*time.Second, "length of each phase")
	flag.IntVar(&cfg.max, "max", 200000, "most requests in a phase")
	flag.IntVar(&cfg.officers, "officers", 40, "officer tokens to spread the requests over")
	flag.StringVar(&cfg.wrk, "wrk", "wrk", "wrk binary for the wrk phase (Debian package wrk); \"\" or not found skips it")
	flag.IntVar(&cfg.wrkThreads, "wrk-threads", 2, "wrk threads")
	flag.IntVar(&cfg.wrkConns, "wrk-conns", 50, "wrk connections")
	flag.StringVar(&cfg.out, "out", "", "Markdown file whose \"Service load\" section to replace with the results")
	flag.IntVar(&cfg.blob, "serve-blob", 0, "internal: serve a static JSON blob of this many bytes on -blob-addr (the reference for the plan read)")
	flag.StringVar(&cfg.blobAddr, "blob-addr", "", "internal: address of the blob server")
	flag.Parse()
	if cfg.blob > 0 {
		return serveBlob(cfg.blobAddr, cfg.blob)
	}
	if cfg.clients < 1 || cfg.clients > 1024 || cfg.rate < 1 || cfg.rate > 100000 || cfg.duration <= 0 || cfg.duration > 5*time.Minute || cfg.max < 1 || cfg.officers < 1 || cfg.officers > 999 {
		return errors.New("flags out of range: clients 1–1024, rate 1–100000, duration up to 5m, officers 1–999")
	}
	if cfg.redisURL != "" {
		u, err := url.Parse(cfg.redisURL)
		if err != nil || !loopback(u.Hostname()) {
			return fmt.Errorf("-redis %q: only a loopback Redis may be used", cfg.redisURL)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	srv, err := startServer(ctx, cfg)
	if err != nil {
		return err
	}
	defer srv.stop()
	fmt.Fprintf(os.Stderr, "serving on %s (%s store)\n", srv.addr, srv.backend)

	endpoints, err := prepare(srv, cfg)
	if err != nil {
		return err
	}
	blob, blobEP, err := startBlob(ctx, endpoints, srv.base)
	if err != nil {
		return err
	}
	defer blob.Process.Kill()
	endpoints = append(endpoints, blobEP)
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		MaxIdleConns: 2048, MaxIdleConnsPerHost: 2048, IdleConnTimeout: time.Minute,
	}}
	rss0 := srv.rss()

	var closed []result
	for _, ep := range endpoints {
		settle()
		fmt.Fprintf(os.Stderr, "closed loop: %s\n", ep.name)
		closed = append(closed, closedLoop(client, srv.base, ep, cfg))
	}
	rssClosed := srv.rss()
	// The latency target is the assignments read's at the full rate, alone; it runs before
	// the mixed open loop, whose plan reads can leave a slow machine behind.
	settle()
	fmt.Fprintf(os.Stderr, "open loop: %d/s to %s alone\n", cfg.rate, endpoints[1].name)
	openAlone := openLoop(client, srv.base, endpoints[1:2], cfg)
	settle()
	fmt.Fprintf(os.Stderr, "open loop: %d/s over every endpoint\n", cfg.rate)
	open := openLoop(client, srv.base, endpoints, cfg)
	rssOpen := srv.rss()

	report := render(cfg, srv, closed, open, openAlone[0], [3]memory{rss0, rssClosed, rssOpen})
	if bin, err := exec.LookPath(cfg.wrk); cfg.wrk != "" && err == nil {
		ws, cmdline, err := runWrk(bin, srv.dir, srv.base, endpoints[:3], cfg)
		if err != nil {
			return err
		}
		var b strings.Builder
		renderWrk(&b, cfg, cmdline, ws, closed)
		report = strings.TrimSuffix(report, "\n") + b.String() + "\n"
	} else {
		fmt.Fprintf(os.Stderr, "wrk (%q) not found: the wrk phase is skipped (apt-get install wrk)\n", cfg.wrk)
	}
	fmt.Print(report)
	if cfg.out != "" {
		if err := replaceSection(cfg.out, srv.backend, report); err != nil {
			return err
		}
	}
	return nil
}

// settle lets the previous phase's connections and garbage go before the next phase: this
// process collects its own garbage (the last phase's latencies) and waits a moment.
func settle() {
	runtime.GC()
	time.Sleep(500 * time.Millisecond)
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// server is the `vigil serve` process under test.
type server struct {
	cmd     *exec.Cmd
	addr    string
	base    string
	backend string
	dir     string
	environ []string
	keyArgs []string
	cleanup func()
	logs    bytes.Buffer
}

func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func startServer(ctx context.Context, cfg config) (*server, error) {
	dir, err := os.MkdirTemp("", "vigil-load-")
	if err != nil {
		return nil, err
	}
	addr, err := freePort()
	if err != nil {
		return nil, err
	}
	s := &server{addr: addr, base: "http://" + addr, backend: "embedded", dir: dir, cleanup: func() {}}
	// Limits far above the load, so that the limiter's cost is measured but nothing is refused
	// (the clients and wrk's connections all come from 127.0.0.1, over serve's default cap
	// of 64 connections per client IP).
	args := []string{"serve", "--addr", addr, "--data", filepath.Join(dir, "vigil.db"), "--rate", "1000000", "--burst", "1000000", "--conns-per-ip", "100000"}
	s.environ = os.Environ()
	s.keyArgs = []string{"--key-file", filepath.Join(dir, "vigil.key")}
	if cfg.redisURL != "" {
		s.backend = "redis"
		var key [32]byte
		rand.Read(key[:])
		prefix := fmt.Sprintf("{vigil-load-%d}:", os.Getpid())
		args = append(args, "--redis", cfg.redisURL, "--redis-prefix", prefix)
		s.environ = append(s.environ, "VIGIL_KEY="+hex.EncodeToString(key[:]))
		s.keyArgs = nil
		s.cleanup = func() { deletePrefix(cfg.redisURL, prefix) }
	}
	s.cmd = exec.CommandContext(ctx, cfg.vigil, args...)
	s.cmd.Env = s.environ
	s.cmd.Stderr = &s.logs
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", cfg.vigil, err)
	}
	for i := 0; i < 200; i++ {
		if resp, err := http.Get(s.base + "/healthz"); err == nil {
			resp.Body.Close()
			return s, nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.stop()
	return nil, fmt.Errorf("vigil serve did not answer on %s:\n%s", addr, s.logs.String())
}

func (s *server) stop() {
	if s.cmd.Process != nil {
		s.cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { s.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			s.cmd.Process.Kill()
			<-done
		}
	}
	s.cleanup()
	os.RemoveAll(s.dir)
}

// deletePrefix deletes the run's Redis keys; it never flushes a database.
func deletePrefix(redisURL, prefix string) {
	opt, err := redis.ParseURL(redisURL)
	if err != nil {
		return
	}
	c := redis.NewClient(opt)
	defer c.Close()
	ctx := context.Background()
	iter := c.Scan(ctx, 0, strings.ReplaceAll(prefix, "{", "\\{")+"*", 500).Iterator()
	for iter.Next(ctx) {
		c.Del(ctx, iter.Val())
	}
}

type memory struct{ rss, hwm int64 } // KiB

// rss reads the server's resident memory and its peak from /proc.
func (s *server) rss() memory {
	var m memory
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return m
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var v int64
		if _, err := fmt.Sscanf(sc.Text(), "VmRSS: %d kB", &v); err == nil {
			m.rss = v
		}
		if _, err := fmt.Sscanf(sc.Text(), "VmHWM: %d kB", &v); err == nil {
			m.hwm = v
		}
	}
	return m
}

// token mints a token with `vigil token`.
func (s *server) token(vigil string, args ...string) (string, error) {
	cmd := exec.Command(vigil, append(append([]string{"token"}, args...), s.keyArgs...)...)
	cmd.Env = s.environ
	var errb bytes.Buffer
	cmd.Stderr = &errb
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("vigil token %v: %v %s", args, err, errb.String())
	}
	return strings.TrimSpace(string(out)), nil
}

// endpoint is one kind of request; req returns the i-th request's method, path, token
// and body (requests rotate over tokens and check-in targets).
type endpoint struct {
	name string
	base string // when set, the server to ask instead of vigil's
	want int
	req  func(i int) (method, path, token string, body []byte)
}

func prepare(s *server, cfg config) ([]endpoint, error) {
	sup, err := s.token(cfg.vigil, "--role", "supervisor", "--region", cfg.region)
	if err != nil {
		return nil, err
	}
	officers := make([]string, cfg.officers)
	for i := range officers {
		if officers[i], err = s.token(cfg.vigil, "--role", "officer", "--officer", fmt.Sprintf("o-%s-%03d", cfg.region, i+1)); err != nil {
			return nil, err
		}
	}
	var regions struct {
		Regions []struct {
			ID   string `json:"id"`
			Date string `json:"current_service_date"`
		} `json:"regions"`
	}
	if err := getJSON(s.base+"/v1/regions", sup, &regions); err != nil {
		return nil, err
	}
	date := ""
	for _, r := range regions.Regions {
		if r.ID == cfg.region {
			date = r.Date
		}
	}
	if date == "" {
		return nil, fmt.Errorf("region %s is not served", cfg.region)
	}
	plan := "/v1/plans/" + cfg.region + "/" + date
	eps := []endpoint{
		{name: "GET /healthz", want: 200, req: func(int) (string, string, string, []byte) { return "GET", "/healthz", "", nil }},
		{name: "GET /v1/me/assignments (officer)", want: 200, req: func(i int) (string, string, string, []byte) {
			return "GET", "/v1/me/assignments", officers[i%len(officers)], nil
		}},
		{name: "GET " + plan + " (supervisor)", want: 200, req: func(int) (string, string, string, []byte) { return "GET", plan, sup, nil }},
	}
	// Warm the plan, so the rows measure serving it, not its first generation.
	if err := getJSON(s.base+plan, sup, &json.RawMessage{}); err != nil {
		return nil, err
	}
	spec, err := get(s.base+"/openapi.yaml", "")
	if err != nil {
		return nil, err
	}
	if !bytes.Contains(spec, []byte("\n  /v1/checkins:")) {
		fmt.Fprintln(os.Stderr, "the server has no POST /v1/checkins: that row is skipped")
		return eps, nil
	}
	var ms struct {
		Missions []struct {
			ID  string  `json:"id"`
			Lat float64 `json:"lat"`
			Lon float64 `json:"lon"`
		} `json:"missions"`
	}
	if err := getJSON(s.base+"/v1/missions?region="+cfg.region, sup, &ms); err != nil {
		return nil, err
	}
	if len(ms.Missions) == 0 {
		return nil, fmt.Errorf("region %s has no missions", cfg.region)
	}
	bodies := make([][]byte, len(ms.Missions))
	for i, m := range ms.Missions {
		bodies[i], _ = json.Marshal(map[string]any{"mission": m.ID, "lat": m.Lat, "lon": m.Lon})
	}
	eps = append(eps, endpoint{name: "POST /v1/checkins (officer)", want: 201, req: func(i int) (string, string, string, []byte) {
		return "POST", "/v1/checkins", officers[i%len(officers)], bodies[i%len(bodies)]
	}})
	return eps, nil
}

func get(u, tok string) ([]byte, error) {
	req, _ := http.NewRequest("GET", u, nil)
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("GET %s = %d %s", u, resp.StatusCode, b)
	}
	return b, err
}

func getJSON(u, tok string, v any) error {
	b, err := get(u, tok)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// result is what one endpoint did in one phase.
type result struct {
	name      string
	n, errors int
	elapsed   time.Duration
	lat       []time.Duration
	firstErr  string
}

func (r *result) add(d time.Duration, err string) {
	r.n++
	r.lat = append(r.lat, d)
	if err != "" {
		r.errors++
		if r.firstErr == "" {
			r.firstErr = err
		}
	}
}

func (r *result) merge(o *result) {
	r.n += o.n
	r.errors += o.errors
	r.lat = append(r.lat, o.lat...)
	if r.firstErr == "" {
		r.firstErr = o.firstErr
	}
}

func (r *result) quantile(q float64) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	slices.Sort(r.lat)
	return r.lat[min(len(r.lat)-1, int(q*float64(len(r.lat))))]
}

// do sends one request and returns an error description when it did not answer as wanted.
func do(c *http.Client, base string, ep endpoint, i int) string {
	method, path, tok, body := ep.req(i)
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	if ep.base != "" {
		base = ep.base
	}
	req, _ := http.NewRequest(method, base+path, rd)
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.Do(req)
	if err != nil {
		return err.Error()
	}
	defer resp.Body.Close()
	if resp.StatusCode != ep.want {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return fmt.Sprintf("%d %s", resp.StatusCode, bytes.TrimSpace(b))
	}
	// Read every byte, as a client would, but keep none: the generator shares the machine
	// with the server, and growing a buffer for each answer (a plan is 0.6 MB) cost it CPU
	// that the server then lacked.
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err.Error()
	}
	return ""
}

// closedLoop runs cfg.clients clients, each sending its next request when the last one
// answered, until the phase's time or request budget is spent.
func closedLoop(c *http.Client, base string, ep endpoint, cfg config) result {
	var next atomic.Int64
	deadline := time.Now().Add(cfg.duration)
	results := make([]result, cfg.clients)
	var wg sync.WaitGroup
	t0 := time.Now()
	for w := range results {
		wg.Add(1)
		go func(r *result) {
			defer wg.Done()
			for time.Now().Before(deadline) {
				i := int(next.Add(1))
				if i > cfg.max {
					return
				}
				start := time.Now()
				err := do(c, base, ep, i)
				r.add(time.Since(start), err)
			}
		}(&results[w])
	}
	wg.Wait()
	total := result{name: ep.name, elapsed: time.Since(t0)}
	for i := range results {
		total.merge(&results[i])
	}
	return total
}

// openLoop sends requests at a fixed rate whatever the answers' latency, rotating over the
// endpoints; a request's latency counts from when it was due, so a slow server is not
// hidden by requests that were never sent.
func openLoop(c *http.Client, base string, eps []endpoint, cfg config) []result {
	interval := time.Second / time.Duration(cfg.rate)
	n := min(cfg.max, int(cfg.duration/interval))
	results := make([]result, len(eps))
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4096) // bounds the requests in flight
	t0 := time.Now()
	for i := 0; i < n; i++ {
		due := t0.Add(time.Duration(i) * interval)
		time.Sleep(time.Until(due))
		sem <- struct{}{}
		wg.Add(1)
		go func(i int, due time.Time) {
			defer wg.Done()
			defer func() { <-sem }()
			k := i % len(eps)
			err := do(c, base, eps[k], i/len(eps))
			d := time.Since(due)
			mu.Lock()
			results[k].add(d, err)
			mu.Unlock()
		}(i, due)
	}
	wg.Wait()
	elapsed := time.Since(t0)
	for k := range results {
		results[k].name, results[k].elapsed = eps[k].name, elapsed
	}
	return results
}

func cpuModel() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f", float64(d.Microseconds())/1000) }

func rows(b *strings.Builder, rs []result) {
	fmt.Fprintln(b, "| endpoint | requests | errors | req/s | p50 ms | p99 ms |")
	fmt.Fprintln(b, "| --- | ---: | ---: | ---: | ---: | ---: |")
	for _, r := range rs {
		fmt.Fprintf(b, "| %s | %d | %d | %.0f | %s | %s |\n", r.name, r.n, r.errors,
			float64(r.n)/r.elapsed.Seconds(), ms(r.quantile(0.50)), ms(r.quantile(0.99)))
	}
	for _, r := range rs {
		if r.firstErr != "" {
			fmt.Fprintf(b, "\nFirst error of %s: `%.200s`\n", r.name, r.firstErr)
		}
	}
}

// assignmentsP99Target is the latency target of the assignments read at 2,000 requests a
// second (issue 9).
const assignmentsP99Target = 20 * time.Millisecond

func metOrNot(ok bool) string {
	if ok {
		return "met"
	}
	return "not met"
}

func render(cfg config, s *server, closed, open []result, alone result, mem [3]memory) string {
	var b strings.Builder
	fmt.Fprintf(&b, "### %s store\n\n", s.backend)
	fmt.Fprintf(&b, "Machine: %d CPUs (`nproc`), %s; %s/%s, %s. Server and load generator share the machine, on loopback.\n\n",
		runtime.NumCPU(), cpuModel(), runtime.GOOS, runtime.GOARCH, runtime.Version())
	cmd := "go run ./tools/load -vigil bin/vigil"
	if s.backend == "redis" {
		cmd += " -redis " + cfg.redisURL
	}
	fmt.Fprintf(&b, "Command: `%s -clients %d -rate %d -duration %s` (`make load` runs it for both stores).\n\n", cmd, cfg.clients, cfg.rate, cfg.duration)
	fmt.Fprintf(&b, "Closed loop, %d clients, each endpoint alone for %s (%d officer tokens; region %s):\n\n", cfg.clients, cfg.duration, cfg.officers, cfg.region)
	rows(&b, closed)
	fmt.Fprintf(&b, "\nOpen loop, %d requests/s to the officer assignments read alone for %s (latency counted from when each request was due):\n\n", cfg.rate, cfg.duration)
	rows(&b, []result{alone})
	fmt.Fprintf(&b, "\nOpen loop, then, %d requests/s spread evenly over the endpoints together for %s:\n\n", cfg.rate, cfg.duration)
	rows(&b, open)
	// The latency target holds only if 2,000 a second (or more) were offered, the server
	// kept up with them and answered every one.
	aloneRate := float64(alone.n) / alone.elapsed.Seconds()
	aloneMet := cfg.rate >= 2000 && alone.n > 0 && alone.errors == 0 &&
		aloneRate >= 0.95*float64(cfg.rate) && alone.quantile(0.99) <= assignmentsP99Target
	if blob := closed[len(closed)-1]; len(closed) >= 4 && closed[0].n > 0 && blob.n > 0 {
		rate := func(r result) float64 { return float64(r.n) / r.elapsed.Seconds() }
		assign, plan := 100*rate(closed[1])/rate(closed[0]), 100*rate(closed[2])/rate(blob)
		fmt.Fprintf(&b, "\nTargets in this run: officer assignments ÷ /healthz (closed loop) = %.1f %% (target ≥ 50 %%: **%s**); officer assignments p99 at %d requests/s offered to it alone (open loop) = %s ms (target ≤ %s ms at 2,000/s: **%s**); region plan ÷ static blob of the same size (closed loop) = %.1f %% (target ≥ 50 %%: **%s**). The static blob is served by a separate minimal Go HTTP server (`tools/load -serve-blob`, net/http, no middleware) on another loopback port in the same run.\n",
			assign, metOrNot(assign >= 50), cfg.rate, ms(alone.quantile(0.99)), ms(assignmentsP99Target), metOrNot(aloneMet),
			plan, metOrNot(plan >= 50))
	}
	fmt.Fprintf(&b, "\nServer memory (VmRSS): %.0f MiB after start-up, %.0f MiB after the closed loops, %.0f MiB after the open loops; peak (VmHWM) %.0f MiB.\n\n",
		float64(mem[0].rss)/1024, float64(mem[1].rss)/1024, float64(mem[2].rss)/1024, float64(mem[2].hwm)/1024)
	return b.String()
}

// replaceSection writes report into file under "## Service load", replacing the earlier
// report of the same store (between markers) and keeping everything else.
func replaceSection(file, backend, report string) error {
	old, err := os.ReadFile(file)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	text := string(old)
	begin, end := "<!-- load:"+backend+":begin -->", "<!-- load:"+backend+":end -->"
	block := begin + "\n" + report + end + "\n"
	if i, j := strings.Index(text, begin), strings.Index(text, end); i >= 0 && j > i {
		text = text[:i] + block + text[j+len(end)+1:]
	} else {
		const head = "## Service load\n"
		if !strings.Contains(text, head) {
			if text != "" && !strings.HasSuffix(text, "\n\n") {
				text += "\n"
			}
			text += head + "\n`make load` starts `vigil serve` on a free loopback port and measures it with `tools/load`; it is not part of `make test`.\n\n"
		}
		k := strings.Index(text, head) + len(head)
		// Append at the end of the section: before the next "## " heading, if any.
		rest := text[k:]
		if n := strings.Index(rest, "\n## "); n >= 0 {
			text = text[:k+n+1] + block + "\n" + text[k+n+1:]
		} else {
			text += block
		}
	}
	return os.WriteFile(file, []byte(text), 0o644)
}

// serveBlob serves a JSON blob of n bytes at every path: the cost of sending a plan's
// bytes with nothing else, the reference for the plan read.
func serveBlob(addr string, n int) error {
	blob := bytes.Repeat([]byte(" "), n)
	blob[0], blob[n-1] = '{', '}'
	return http.ListenAndServe(addr, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(blob)
	}))
}

// startBlob starts this program as a blob server of the size of the region plan (the
// third endpoint) on a free port, and returns it with its endpoint.
func startBlob(ctx context.Context, eps []endpoint, base string) (*exec.Cmd, endpoint, error) {
	method, path, tok, _ := eps[2].req(0)
	if method != "GET" {
		return nil, endpoint{}, errors.New("the third endpoint is not the plan read")
	}
	plan, err := get(base+path, tok)
	if err != nil {
		return nil, endpoint{}, err
	}
	addr, err := freePort()
	if err != nil {
		return nil, endpoint{}, err
	}
	self, err := os.Executable()
	if err != nil {
		return nil, endpoint{}, err
	}
	cmd := exec.CommandContext(ctx, self, "-serve-blob", fmt.Sprint(max(2, len(plan))), "-blob-addr", addr)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, endpoint{}, fmt.Errorf("start the blob server: %w", err)
	}
	for i := 0; i < 200; i++ {
		if resp, err := http.Get("http://" + addr + "/"); err == nil {
			resp.Body.Close()
			return cmd, endpoint{name: fmt.Sprintf("GET static blob of the plan's %d bytes (reference)", len(plan)), base: "http://" + addr, want: 200,
				req: func(int) (string, string, string, []byte) { return "GET", "/plan.json", "", nil }}, nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	cmd.Process.Kill()
	return nil, endpoint{}, fmt.Errorf("the blob server did not answer on %s", addr)
}
