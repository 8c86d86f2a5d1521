package mockbackend

import (
	"crypto/tls"
	"net"
	"net/http"
	"sync/atomic"
)

// trackingListener wraps accepted connections in trackedConn so per-connection
// state survives the tls.Conn wrapping (reached again via tls.Conn.NetConn).
type trackingListener struct {
	net.Listener
}

func (l *trackingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &trackedConn{Conn: c}, nil
}

// trackedConn carries the per-connection accounting flag.
type trackedConn struct {
	net.Conn
	handshakeCounted atomic.Bool
}

func trackedOf(c net.Conn) (*trackedConn, *tls.Conn) {
	if tc, ok := c.(*tls.Conn); ok {
		t, _ := tc.NetConn().(*trackedConn)
		return t, tc
	}
	t, _ := c.(*trackedConn)
	return t, nil
}

// connState is the http.Server.ConnState hook. A TLS handshake is counted once
// per connection, when net/http has completed it: at the first StateActive
// (net/http finishes the handshake before reading a request), or at close for
// a connection that handshook but never sent a request.
func (s *Server) connState(c net.Conn, state http.ConnState) {
	switch state {
	case http.StateNew:
		s.ctr.connsAccepted.Add(1)
	case http.StateActive:
		s.countHandshake(c)
	case http.StateClosed, http.StateHijacked:
		s.countHandshake(c)
		s.ctr.connsClosed.Add(1)
	}
}

func (s *Server) countHandshake(c net.Conn) {
	t, tc := trackedOf(c)
	if tc == nil || t == nil || t.handshakeCounted.Load() || !t.handshakeCounted.CompareAndSwap(false, true) {
		return
	}
	cs := tc.ConnectionState()
	if !cs.HandshakeComplete {
		return
	}
	s.ctr.tlsHandshakes.Add(1)
	if cs.DidResume {
		s.ctr.tlsResumed.Add(1)
	}
}
