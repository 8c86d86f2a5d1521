package transport

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// countingServer is an HTTP/1.1 httptest server on 127.0.0.1 that counts, on its own
// side, the connections it accepted and the TLS handshakes it ran.
type countingServer struct {
	*httptest.Server
	conns      atomic.Int64 // ConnState(StateNew)
	handshakes atomic.Int64 // TLS handshakes verified by the server
	resumed    atomic.Int64 // of those, resumed sessions
	requests   atomic.Int64
}

// serverStats is what the server saw; compared with the client's TraceStats.
type serverStats struct{ Conns, Handshakes, Resumed, Requests int64 }

func (s *countingServer) stats() serverStats {
	return serverStats{s.conns.Load(), s.handshakes.Load(), s.resumed.Load(), s.requests.Load()}
}

// newCountingServer starts a server running handler (nil: reply "ok"), with TLS when
// useTLS, HTTP/2 off so that one request holds one connection. It is closed with t.
func newCountingServer(t *testing.T, useTLS bool, handler http.HandlerFunc) *countingServer {
	t.Helper()
	cs := &countingServer{}
	if handler == nil {
		handler = func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") }
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cs.requests.Add(1)
		handler(w, r)
	}))
	srv.EnableHTTP2 = false
	srv.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			cs.conns.Add(1)
		}
	}
	if useTLS {
		// VerifyConnection runs once per server handshake, full or resumed; session
		// tickets are on by default, so TLS 1.3 clients with a cache can resume.
		srv.TLS = &tls.Config{VerifyConnection: func(state tls.ConnectionState) error {
			cs.handshakes.Add(1)
			if state.DidResume {
				cs.resumed.Add(1)
			}
			return nil
		}}
		srv.StartTLS()
	} else {
		srv.Start()
	}
	cs.Server = srv
	t.Cleanup(srv.Close)
	return cs
}

// clientTLS trusts only the server's certificate (never InsecureSkipVerify); nil for
// a plain HTTP server.
func (s *countingServer) clientTLS() *tls.Config {
	if s.TLS == nil {
		return nil
	}
	pool := x509.NewCertPool()
	pool.AddCert(s.Certificate())
	return &tls.Config{RootCAs: pool}
}

// caPEM is the server's certificate, PEM-encoded: what clientTLS trusts, as a
// kubeconfig's certificate-authority-data holds it; nil for a plain HTTP server.
func (s *countingServer) caPEM() []byte {
	if s.TLS == nil {
		return nil
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.Certificate().Raw})
}

// get sends one GET and drains the body so the connection can be reused; it returns
// the status code.
func get(t *testing.T, c *http.Client, url string) int {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Errorf("GET %s: %v", url, err)
		return 0
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		t.Errorf("GET %s: read body: %v", url, err)
	}
	return resp.StatusCode
}

// eventually polls cond until it holds or timeout passes: server-side callbacks may
// run a moment after the client has its answer.
func eventually(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// httptestServer starts a plain HTTP/1.1 "ok" server for benchmarks and returns its URL.
func httptestServer(b *testing.B) string {
	b.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, "ok")
	}))
	b.Cleanup(srv.Close)
	return srv.URL
}
