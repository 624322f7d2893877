package api

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// Timeouts bound what a client can hold of the server (issue 17): slow headers, slow
// bodies, slow readers and idle keep-alive connections, and connections per client IP.
// Event streams lift the write deadline for themselves (events.go). Zero fields take the
// defaults below.
type Timeouts struct {
	ReadHeader time.Duration // request line and headers; default 5 s
	Read       time.Duration // the whole request, body included; default 30 s
	Write      time.Duration // the answer (not event streams); default 120 s (simulations run 60 s)
	Idle       time.Duration // a keep-alive connection between requests; default 60 s
	PerIP      int           // open connections per client IP; default 64
}

func (t Timeouts) withDefaults() Timeouts {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&t.ReadHeader, 5*time.Second)
	def(&t.Read, 30*time.Second)
	def(&t.Write, 120*time.Second)
	def(&t.Idle, 60*time.Second)
	if t.PerIP <= 0 {
		t.PerIP = 64
	}
	return t
}

// httpServer returns the http.Server of the service with its timeouts.
func (s *Server) httpServer() *http.Server {
	t := s.timeouts
	return &http.Server{
		Handler:           s.echo,
		ReadHeaderTimeout: t.ReadHeader,
		ReadTimeout:       t.Read,
		WriteTimeout:      t.Write,
		IdleTimeout:       t.Idle,
		MaxHeaderBytes:    64 << 10,
	}
}

// LimitPerIP wraps a listener so that each client IP holds at most max connections at
// once; a connection past that is closed at accept.
func LimitPerIP(l net.Listener, max int) net.Listener {
	return &ipLimited{Listener: l, max: max, open: map[string]int{}}
}

type ipLimited struct {
	net.Listener
	max  int
	mu   sync.Mutex
	open map[string]int
}

func (l *ipLimited) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		ip := c.RemoteAddr().String()
		if h, _, err := net.SplitHostPort(ip); err == nil {
			ip = h
		}
		l.mu.Lock()
		if l.open[ip] >= l.max {
			l.mu.Unlock()
			c.Close()
			continue
		}
		l.open[ip]++
		l.mu.Unlock()
		return &ipConn{Conn: c, l: l, ip: ip}, nil
	}
}

type ipConn struct {
	net.Conn
	l    *ipLimited
	ip   string
	once sync.Once
}

func (c *ipConn) Close() error {
	c.once.Do(func() {
		c.l.mu.Lock()
		if c.l.open[c.ip]--; c.l.open[c.ip] <= 0 {
			delete(c.l.open, c.ip)
		}
		c.l.mu.Unlock()
	})
	return c.Conn.Close()
}
