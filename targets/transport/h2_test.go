package transport

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// protoServer is an httptest TLS server that offers HTTP/2 (or not) and counts, on
// its own side, requests by protocol and the peak of simultaneously open
// connections.
type protoServer struct {
	*httptest.Server
	mu        sync.Mutex
	protocols map[string]int64
	open      atomic.Int64
	peak      atomic.Int64
}

func newProtoServer(t *testing.T, h2 bool, delay time.Duration) *protoServer {
	t.Helper()
	ps := &protoServer{protocols: map[string]int64{}}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ps.mu.Lock()
		ps.protocols[r.Proto]++
		ps.mu.Unlock()
		time.Sleep(delay)
		io.WriteString(w, "ok")
	}))
	srv.EnableHTTP2 = h2
	srv.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		switch state {
		case http.StateNew:
			n := ps.open.Add(1)
			for {
				p := ps.peak.Load()
				if n <= p || ps.peak.CompareAndSwap(p, n) {
					break
				}
			}
		case http.StateClosed, http.StateHijacked:
			ps.open.Add(-1)
		}
	}
	srv.StartTLS()
	ps.Server = srv
	t.Cleanup(srv.Close)
	return ps
}

func (ps *protoServer) clientTLS() *tls.Config {
	pool := x509.NewCertPool()
	pool.AddCert(ps.Certificate())
	return &tls.Config{RootCAs: pool}
}

func (ps *protoServer) counts() map[string]int64 {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	out := map[string]int64{}
	for k, v := range ps.protocols {
		out[k] = v
	}
	return out
}

// The tracer's protocol counts are checked against the server's own: the tuned
// factory's custom dialer switches HTTP/2 off, tuned-h2 turns it back on, and the
// default transport negotiates it.
func TestTracerCountsProtocolsAsTheServerSeesThem(t *testing.T) {
	const workers, perWorker = 8, 25
	const total = workers * perWorker
	tests := []struct {
		profile string
		h2      bool
		want    string
	}{
		{profile: "default", h2: true, want: ProtoHTTP2},
		{profile: "tuned", h2: true, want: ProtoHTTP11},
		{profile: "tuned-h2", h2: true, want: ProtoHTTP2},
		{profile: "tuned-capped", h2: true, want: ProtoHTTP11},
		{profile: "tuned-h2", h2: false, want: ProtoHTTP11},
	}
	reg := NewRegistry()
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s against a server with HTTP/2 %v speaks %s", tt.profile, tt.h2, tt.want), func(t *testing.T) {
			srv := newProtoServer(t, tt.h2, 0)
			p, err := reg.Lookup(tt.profile)
			if err != nil {
				t.Fatal(err)
			}
			inst := p.Instrument(srv.clientTLS())
			defer inst.Close()
			runWorkload(t, inst.Client, srv.URL, workers, perWorker)
			got, server := inst.Tracer.Stats().Protocols, srv.counts()
			if want := map[string]int64{tt.want: total}; !reflect.DeepEqual(got, want) {
				t.Errorf("tracer protocols = %v, want %v", got, want)
			}
			if !reflect.DeepEqual(got, server) {
				t.Errorf("tracer protocols %v != server's own count %v", got, server)
			}
		})
	}
}

// tuned-capped never holds more than MaxConnsPerHost (50) connections to one host,
// by the server's own count, and its requests beyond the pool wait for one; tuned,
// the negative control, opens more than 50 under the same load.
func TestTunedCappedHoldsAtMost50ConnectionsPerHost(t *testing.T) {
	const workers, perWorker = 120, 6
	tests := []struct {
		profile  string
		capped   bool
		wantWait bool
	}{
		{profile: "tuned-capped", capped: true},
		{profile: "tuned", capped: false},
	}
	reg := NewRegistry()
	for _, tt := range tests {
		t.Run(tt.profile, func(t *testing.T) {
			srv := newProtoServer(t, false, 3*time.Millisecond)
			p, err := reg.Lookup(tt.profile)
			if err != nil {
				t.Fatal(err)
			}
			inst := p.Instrument(srv.clientTLS())
			defer inst.Close()
			runWorkload(t, inst.Client, srv.URL, workers, perWorker)
			peak, s := srv.peak.Load(), inst.Tracer.Stats()
			waits := inst.Tracer.ConnWaits()
			t.Logf("%s: server peak %d open connections, client dials %d, conn wait mean %s p99 %dµs (n=%d)",
				tt.profile, peak, s.Dials, s.MeanConnWait(), waits.ValueAtQuantile(99), waits.TotalCount())
			if waits.TotalCount() != workers*perWorker {
				t.Errorf("conn-wait histogram holds %d waits, want one per request (%d)", waits.TotalCount(), workers*perWorker)
			}
			if tt.capped {
				if peak > DefaultMaxIdleConnsPerHost {
					t.Errorf("server saw %d connections open at once, want <= %d", peak, DefaultMaxIdleConnsPerHost)
				}
				if s.Dials > DefaultMaxIdleConnsPerHost {
					t.Errorf("tuned-capped dialed %d connections, want <= %d (none beyond the pool is thrown away)", s.Dials, DefaultMaxIdleConnsPerHost)
				}
				if waits.ValueAtQuantile(99) < 1000 {
					t.Errorf("conn wait p99 = %dµs, want >= 1ms: 70 of 120 workers must queue for a connection", waits.ValueAtQuantile(99))
				}
				return
			}
			if peak <= DefaultMaxIdleConnsPerHost {
				t.Errorf("uncapped tuned peaked at %d connections, want > %d: the control shows the cap is what holds tuned-capped", peak, DefaultMaxIdleConnsPerHost)
			}
		})
	}
	inst := TunedCappedProfile().Instrument(nil)
	inst.Tracer.ResetConnWaits()
	if n := inst.Tracer.ConnWaits().TotalCount(); n != 0 {
		t.Errorf("after ResetConnWaits: %d waits, want 0", n)
	}
}
