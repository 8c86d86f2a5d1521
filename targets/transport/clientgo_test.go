package transport

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/pem"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
	"k8s.io/client-go/rest"
)

// authServer is a TLS httptest server, HTTP/2 offered or not, that counts on its
// own side requests by protocol and by Authorization header, and the connections
// open now.
type authServer struct {
	*httptest.Server
	mu    sync.Mutex
	proto map[string]int64
	auth  map[string]int64
	open  atomic.Int64
}

func newAuthServer(t *testing.T, h2 bool) *authServer {
	t.Helper()
	as := &authServer{proto: map[string]int64{}, auth: map[string]int64{}}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		as.mu.Lock()
		as.proto[r.Proto]++
		as.auth[r.Header.Get("Authorization")]++
		as.mu.Unlock()
		io.WriteString(w, "ok")
	}))
	srv.EnableHTTP2 = h2
	srv.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		switch state {
		case http.StateNew:
			as.open.Add(1)
		case http.StateClosed, http.StateHijacked:
			as.open.Add(-1)
		}
	}
	srv.StartTLS()
	as.Server = srv
	t.Cleanup(srv.Close)
	return as
}

func (as *authServer) caPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: as.Certificate().Raw})
}

func (as *authServer) clientTLS() *tls.Config {
	return (&countingServer{Server: as.Server}).clientTLS()
}

func (as *authServer) counts() (proto, auth map[string]int64) {
	as.mu.Lock()
	defer as.mu.Unlock()
	return maps.Clone(as.proto), maps.Clone(as.auth)
}

// The client-go profile negotiates HTTP/2 where the server offers it (by the
// tracer's count and the server's), sends its bearer token on every request,
// and closing it after the load closes every connection it opened: its
// wrappers have no CloseIdleConnections, so Close goes down to the
// *http.Transport, and from there to x/net's HTTP/2 connection pool.
func TestClientGoSpeaksHTTP2SendsItsTokenAndClosesEveryConnection(t *testing.T) {
	const workers, perWorker = 16, 20
	const total = workers * perWorker
	tests := []struct {
		name         string
		h2           bool
		disableHTTP2 bool
		want         string
	}{
		{name: "a server that offers HTTP/2 gets HTTP/2", h2: true, want: ProtoHTTP2},
		{name: "a server that speaks HTTP/1.1 only gets HTTP/1.1", h2: false, want: ProtoHTTP11},
		{name: "DISABLE_HTTP2 in the environment switches HTTP/2 off, as in every client-go program", h2: true, disableHTTP2: true, want: ProtoHTTP11},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.disableHTTP2 {
				t.Setenv("DISABLE_HTTP2", "true")
			}
			srv := newAuthServer(t, tt.h2)
			inst, err := ClientGoProfile().TryInstrument(srv.clientTLS(), WithCAPEM(srv.caPEM()))
			if err != nil {
				t.Fatal(err)
			}
			defer inst.Close()
			// One request first: at a cold start every HTTP/2 transport of net/http
			// dials once per request in flight and keeps one of those connections.
			get(t, inst.Client, srv.URL)
			runWorkload(t, inst.Client, srv.URL, workers, perWorker)
			proto, auth := srv.counts()
			const all = total + 1
			if got, want := inst.Tracer.Stats().Protocols, map[string]int64{tt.want: all}; !reflect.DeepEqual(got, want) {
				t.Errorf("tracer protocols = %v, want %v", got, want)
			}
			if got := inst.Tracer.Stats().Protocols; !reflect.DeepEqual(got, proto) {
				t.Errorf("tracer protocols %v != server's own count %v", got, proto)
			}
			if want := map[string]int64{"Bearer " + ClientGoBearerToken: all}; !reflect.DeepEqual(auth, want) {
				t.Errorf("Authorization headers = %v, want %v", auth, want)
			}
			if tt.want == ProtoHTTP2 {
				// Multiplexed: every request on the first connection.
				if d := inst.Tracer.Stats().Dials; d != 1 {
					t.Errorf("HTTP/2 dials = %d for %d workers after one request, want 1", d, workers)
				}
			}
			if srv.open.Load() == 0 {
				t.Fatal("no connection open after the load: nothing for Close to close")
			}
			inst.Close()
			if !eventually(2*time.Second, func() bool { return srv.open.Load() == 0 }) {
				t.Errorf("after Close the server still has %d connections open, want 0", srv.open.Load())
			}
		})
	}
}

// client-go's transport cache (transport/cache.go) hands every rest.Config with
// the same TLS settings the same transport. The profile must not: each build
// gets its own *http.Transport, so arm-repetitions never share a pool. The
// control shows the cache does share one when the config has no Proxy.
func TestClientGoBuildsAFreshTransportEachTimeDespiteClientGosCache(t *testing.T) {
	srv := newAuthServer(t, true)
	p := ClientGoProfile()
	a, err := p.Build(srv.clientTLS(), WithCAPEM(srv.caPEM()))
	if err != nil {
		t.Fatal(err)
	}
	defer CloseIdle(a)
	b, err := p.Build(srv.clientTLS(), WithCAPEM(srv.caPEM()))
	if err != nil {
		t.Fatal(err)
	}
	defer CloseIdle(b)
	ba, bb := asHTTP(t, a), asHTTP(t, b)
	if ba == bb {
		t.Fatalf("two builds share the transport %p", ba)
	}
	if ba.TLSClientConfig == bb.TLSClientConfig {
		t.Errorf("two builds share the TLS config %p", ba.TLSClientConfig)
	}

	cached := &rest.Config{BearerToken: "x", TLSClientConfig: rest.TLSClientConfig{CAData: srv.caPEM()}}
	c1, err := rest.TransportFor(cached)
	if err != nil {
		t.Fatal(err)
	}
	c2, err := rest.TransportFor(cached)
	if err != nil {
		t.Fatal(err)
	}
	if Base(c1) != Base(c2) {
		t.Errorf("control: without Proxy client-go returned two transports %p and %p, want its cached one twice: the cache this profile avoids is gone, so Proxy may no longer be needed", Base(c1), Base(c2))
	}
}

// The transport under the wrappers is client-go's own, as described: HTTP/2
// set up by x/net's ConfigureTransports before the first request, the backend's
// CA trusted, TLS 1.2 at least.
func TestClientGoBaseTransportIsClientGos(t *testing.T) {
	srv := newAuthServer(t, true)
	rt, err := ClientGoProfile().Build(srv.clientTLS(), WithCAPEM(srv.caPEM()))
	if err != nil {
		t.Fatal(err)
	}
	defer CloseIdle(rt)
	if _, ok := rt.(*http.Transport); ok {
		t.Fatal("the profile returned a bare *http.Transport, want client-go's bearer-token wrapper around one")
	}
	tr := asHTTP(t, rt)
	if tr.TLSNextProto["h2"] == nil {
		t.Errorf("TLSNextProto = %v, want HTTP/2 configured before the first request", tr.TLSNextProto)
	}
	c := tr.TLSClientConfig
	if c == nil || c.RootCAs == nil || c.MinVersion != tls.VersionTLS12 || !slices.Contains(c.NextProtos, "h2") {
		t.Fatalf("TLS config = %+v, want RootCAs, MinVersion TLS 1.2 and h2 offered", c)
	}
	if got := ClientGoProfile().ClientTimeout(); got != 0 {
		t.Errorf("ClientTimeout = %s, want 0 (a rest.Config without Timeout)", got)
	}
}

func TestClientGoRESTConfig(t *testing.T) {
	pemBytes := []byte("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
	pool := (&countingServer{Server: newAuthServer(t, false).Server}).clientTLS().RootCAs
	tests := []struct {
		name    string
		tls     *tls.Config
		caPEM   []byte
		wantErr string
		check   func(*rest.Config) error
	}{
		{name: "plain HTTP: a token and no TLS settings", check: func(c *rest.Config) error {
			if c.BearerToken != ClientGoBearerToken || len(c.CAData) != 0 || c.Insecure {
				return fmt.Errorf("token %q, CAData %q, Insecure %v", c.BearerToken, c.CAData, c.Insecure)
			}
			return nil
		}},
		{name: "a pool of CAs with its PEM: the PEM as CAData, copied", tls: &tls.Config{RootCAs: pool, ServerName: "porch.example"}, caPEM: pemBytes, check: func(c *rest.Config) error {
			if !bytes.Equal(c.CAData, pemBytes) || &c.CAData[0] == &pemBytes[0] || c.ServerName != "porch.example" {
				return fmt.Errorf("CAData %q (shared %v), ServerName %q", c.CAData, &c.CAData[0] == &pemBytes[0], c.ServerName)
			}
			return nil
		}},
		{name: "system roots: no CAData", tls: &tls.Config{}, check: func(c *rest.Config) error {
			if len(c.CAData) != 0 {
				return fmt.Errorf("CAData %q", c.CAData)
			}
			return nil
		}},
		{name: "InsecureSkipVerify becomes Insecure", tls: &tls.Config{InsecureSkipVerify: true}, check: func(c *rest.Config) error {
			if !c.Insecure {
				return fmt.Errorf("Insecure false")
			}
			return nil
		}},
		{name: "every build bypasses client-go's transport cache", tls: &tls.Config{}, check: func(c *rest.Config) error {
			if c.Proxy == nil {
				return fmt.Errorf("Proxy nil")
			}
			return nil
		}},
		{name: "a pool of CAs without its PEM is refused", tls: &tls.Config{RootCAs: pool}, wantErr: "transport.WithCAPEM"},
		{name: "client certificates are refused", tls: &tls.Config{Certificates: []tls.Certificate{{}}}, wantErr: "client certificates"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ClientGoRESTConfig(tt.tls, tt.caPEM)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
				}
				_, err := ClientGoProfile().Build(tt.tls, WithCAPEM(tt.caPEM))
				if err == nil || !strings.Contains(err.Error(), `transport profile "client-go"`) {
					t.Errorf("Build error = %v, want one naming the profile", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if err := tt.check(c); err != nil {
				t.Error(err)
			}
		})
	}
}

// wrapOnly wraps a RoundTripper the way client-go's wrappers do: it names the
// one it wraps and has no CloseIdleConnections.
type wrapOnly struct{ next http.RoundTripper }

func (w wrapOnly) RoundTrip(r *http.Request) (*http.Response, error) { return w.next.RoundTrip(r) }
func (w wrapOnly) WrappedRoundTripper() http.RoundTripper            { return w.next }

// closeCounter counts CloseIdleConnections calls.
type closeCounter struct {
	http.RoundTripper
	n *atomic.Int64
}

func (c closeCounter) CloseIdleConnections() { c.n.Add(1) }

func TestCloseIdleAndBaseFollowWrappers(t *testing.T) {
	var n atomic.Int64
	base := closeCounter{RoundTripper: http.DefaultTransport, n: &n}
	tests := []struct {
		name      string
		rt        http.RoundTripper
		wantBase  http.RoundTripper
		wantClose int64
	}{
		{name: "a transport with CloseIdleConnections is closed", rt: base, wantBase: base, wantClose: 1},
		{name: "two wrappers deep, the base is closed", rt: wrapOnly{wrapOnly{base}}, wantBase: base, wantClose: 1},
		{name: "a wrapper of nil is its own base and closes nothing", rt: wrapOnly{nil}, wantBase: wrapOnly{nil}, wantClose: 0},
		{name: "nil closes nothing", rt: nil, wantBase: nil, wantClose: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n.Store(0)
			CloseIdle(tt.rt)
			if got := n.Load(); got != tt.wantClose {
				t.Errorf("CloseIdleConnections calls = %d, want %d", got, tt.wantClose)
			}
			if got := Base(tt.rt); got != tt.wantBase {
				t.Errorf("Base = %v, want %v", got, tt.wantBase)
			}
		})
	}
}

// countingConn counts the bytes a client connection reads.
type countingConn struct {
	net.Conn
	read *atomic.Int64
}

func (c countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.read.Add(int64(n))
	return n, err
}

// client-go's HTTP/2 health check: a connection idle for ReadIdleTimeout sends
// a PING, which the server answers, and the connection stays in use; with the
// check off (0), an idle connection reads nothing. Closing the transport leaves
// the connection's health-check timer armed; when it fires it finds the
// connection's reader done and returns at once, so no goroutine outlives the
// transport. HTTP2_READ_IDLE_TIMEOUT_SECONDS shortens client-go's 30s to 1s.
func TestClientGoHealthPingsLeaveNoGoroutineBehind(t *testing.T) {
	for _, tt := range []struct {
		readIdle string
		wantPing bool
	}{{"1", true}, {"0", false}} {
		t.Run("HTTP2_READ_IDLE_TIMEOUT_SECONDS="+tt.readIdle, func(t *testing.T) {
			t.Setenv("HTTP2_READ_IDLE_TIMEOUT_SECONDS", tt.readIdle)
			srv := newAuthServer(t, true)
			server := goleak.IgnoreCurrent()
			cfg, err := ClientGoRESTConfig(srv.clientTLS(), srv.caPEM())
			if err != nil {
				t.Fatal(err)
			}
			var read atomic.Int64
			d := &net.Dialer{}
			cfg.Dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
				c, err := d.DialContext(ctx, network, addr)
				if err != nil {
					return nil, err
				}
				return countingConn{Conn: c, read: &read}, nil
			}
			rt, err := rest.TransportFor(cfg)
			if err != nil {
				t.Fatal(err)
			}
			tracer := NewTracer()
			client := &http.Client{Transport: tracer.Wrap(rt)}
			get(t, client, srv.URL)
			time.Sleep(200 * time.Millisecond) // the last frames of the exchange
			before := read.Load()
			time.Sleep(1600 * time.Millisecond)
			// TLS bytes from the server on an idle connection: its PING ack.
			if idle := read.Load() - before; (idle > 0) != tt.wantPing {
				t.Errorf("read %d bytes while idle, want a PING ack: %v", idle, tt.wantPing)
			}
			get(t, client, srv.URL)
			if s := tracer.Stats(); s.Dials != 1 || s.Protocols[ProtoHTTP2] != 2 {
				t.Errorf("dials %d, protocols %v: want the idle connection kept and reused over HTTP/2", s.Dials, s.Protocols)
			}
			CloseIdle(rt)
			time.Sleep(1200 * time.Millisecond) // an armed timer fires
			goleak.VerifyNone(t, server)
		})
	}
}
