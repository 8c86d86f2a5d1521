package mockbackend

import (
	"net"
	"net/http"
	"sync/atomic"
	"time"
)

// trackingListener wraps accepted connections in trackedConn so per-connection
// state survives the tls.Conn wrapping (reached again via tls.Conn.NetConn).
type trackingListener struct {
	net.Listener
	setupDelay time.Duration
	closing    <-chan struct{}
}

func (l *trackingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &trackedConn{Conn: c, setupDelay: l.setupDelay, closing: l.closing}, nil
}

// trackedConn carries per-connection accounting and the setup delay.
type trackedConn struct {
	net.Conn
	setupDone  atomic.Bool
	setupDelay time.Duration
	closing    <-chan struct{}
}

// Read holds back the connection's first data by the setup delay: the
// client's first flight (ClientHello or request) is processed as if the TCP
// handshake had cost a round trip. The delay starts when that data arrives,
// not at accept, so it adds to any emulated RTT instead of overlapping it.
// Loopback TCP handshakes are instant and the client's connect cannot be
// slowed from here, so the cost shows in the client's TLS handshake or
// first-byte time rather than its connect time.
func (c *trackedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if c.setupDelay > 0 && !c.setupDone.Load() && c.setupDone.CompareAndSwap(false, true) {
		t := time.NewTimer(c.setupDelay)
		select {
		case <-t.C:
		case <-c.closing:
			t.Stop()
		}
	}
	return n, err
}

// connState is the http.Server.ConnState hook: it counts connections and
// keeps their peak.
// TLS handshakes are counted by the tls.Config (see serverTLSConfig).
func (s *Server) connState(c net.Conn, state http.ConnState) {
	switch state {
	case http.StateNew:
		s.ctr.connOpened()
	case http.StateClosed, http.StateHijacked:
		s.ctr.connClosed()
	}
}
