package api

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// liveServer serves a harness's store with short timeouts on a real listener.
func liveServer(t *testing.T, to Timeouts) (*harness, string) {
	t.Helper()
	h := newHarness(t)
	h.srv = New(Config{Logger: slog.New(slog.DiscardHandler), Store: h.store, Offices: h.ds.Offices,
		MasterKey: testMaster, Clock: h.clock, Timeouts: to})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.srv.ServeListener(ctx, l) }()
	t.Cleanup(func() { cancel(); <-done })
	return h, l.Addr().String()
}

// closedAfter returns how long the server takes to close c, writing a byte of slow every
// step meanwhile (nothing when slow is empty).
func closedAfter(c net.Conn, slow string, step, limit time.Duration) time.Duration {
	t0 := time.Now()
	buf := make([]byte, 512)
	for i := 0; time.Since(t0) < limit; i++ {
		if slow != "" {
			if _, err := c.Write([]byte{slow[i%len(slow)]}); err != nil {
				return time.Since(t0)
			}
		}
		_ = c.SetReadDeadline(time.Now().Add(step))
		if _, err := c.Read(buf); err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				continue
			}
			return time.Since(t0)
		}
	}
	return limit
}

// TestSlowlorisClosed: 150 slow-header connections, idle sockets and slow bodies, none
// signed in, are all closed within the read-header (or read) timeout.
func TestSlowlorisClosed(t *testing.T) {
	const header = 300 * time.Millisecond
	_, addr := liveServer(t, Timeouts{ReadHeader: header, Read: 600 * time.Millisecond, Write: 2 * time.Second, Idle: 500 * time.Millisecond, PerIP: 1000})
	kinds := []struct {
		name, prefix, slow string
		limit              time.Duration
	}{
		{"slow headers", "GET /v1/regions HTTP/1.1\r\nHost: x\r\n", "X-a: b\r\n", header},
		{"idle socket", "", "", header},
		{"slow body", "POST /v1/checkins HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n", "{", 600 * time.Millisecond},
	}
	for _, k := range kinds {
		var wg sync.WaitGroup
		var mu sync.Mutex
		worst := time.Duration(0)
		open := 0
		for i := 0; i < 150; i++ {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			if k.prefix != "" {
				if _, err := io.WriteString(c, k.prefix); err != nil {
					t.Fatal(err)
				}
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				d := closedAfter(c, k.slow, 50*time.Millisecond, 5*time.Second)
				mu.Lock()
				defer mu.Unlock()
				worst = max(worst, d)
				if d >= 5*time.Second {
					open++
				}
			}()
		}
		wg.Wait()
		t.Logf("%s: 150 connections, the last closed after %s (timeout %s)", k.name, worst, k.limit)
		if open > 0 || worst > k.limit+700*time.Millisecond {
			t.Errorf("%s: %d of 150 still open after 5 s, the last closed after %s; want all within %s", k.name, open, worst, k.limit)
		}
	}
}

// TestConnectionsPerIPCapped: past the per-IP cap, connections are closed at once.
func TestConnectionsPerIPCapped(t *testing.T) {
	_, addr := liveServer(t, Timeouts{ReadHeader: 5 * time.Second, PerIP: 5})
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	refused := 0
	for i := 0; i < 10; i++ {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		if closedAfter(c, "", 100*time.Millisecond, 300*time.Millisecond) < 300*time.Millisecond {
			refused++
		}
	}
	if refused != 5 {
		t.Errorf("%d of 10 connections from one IP closed at once; want 5 past the cap of 5", refused)
	}
}

// TestStreamOutlivesWriteTimeout: an event stream is not cut by the write timeout, and
// event streams are capped per token.
func TestStreamOutlivesWriteTimeout(t *testing.T) {
	h, addr := liveServer(t, Timeouts{Write: 300 * time.Millisecond})
	h.srv.ops.keepalive = 100 * time.Millisecond
	h.srv.ops.poll = 50 * time.Millisecond
	sup := h.token(RoleSupervisor, "bos", "")
	open := func() (*http.Response, error) {
		req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/v1/events", nil)
		req.Header.Set("Authorization", "Bearer "+sup)
		return http.DefaultClient.Do(req)
	}
	resp, err := open()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /v1/events = %v %v", resp, err)
	}
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	deadline := time.Now().Add(time.Second)
	lines := 0
	for time.Now().Before(deadline) {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("stream cut after %d lines: %v", lines, err)
		}
		if strings.HasPrefix(line, ": keepalive") {
			lines++
		}
	}
	if lines < 5 {
		t.Errorf("%d keepalives in 1 s past a 300 ms write timeout; want the stream alive", lines)
	}
	var extra []*http.Response
	defer func() {
		for _, r := range extra {
			r.Body.Close()
		}
	}()
	codes := []int{}
	for i := 0; i < 4; i++ {
		r, err := open()
		if err != nil {
			t.Fatal(err)
		}
		extra = append(extra, r)
		codes = append(codes, r.StatusCode)
	}
	if fmt.Sprint(codes) != "[200 200 200 429]" {
		t.Errorf("streams 2–5 on one token = %v; want [200 200 200 429] (4 per token)", codes)
	}
}
