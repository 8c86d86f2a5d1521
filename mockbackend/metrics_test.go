package mockbackend

import (
	"crypto/tls"
	"io"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

func TestMetricsExposeTheSameCountsAsStats(t *testing.T) {
	// Two servers in one process: each has its own registry, so neither
	// panics on duplicate registration and counts do not mix.
	other := startServer(t, Config{})
	s := startServer(t, Config{TLS: true})
	c := newClient(t, s, nil)
	for i := range 3 {
		do(t, c, "PUT", s.URL()+"/A1-P/v2/policytypes/1000/policies/p"+itoa(i), `{}`)
	}
	do(t, c, "GET", s.URL()+"/nope", "")
	body := string(do(t, c, "GET", s.URL()+"/metrics", "").body)
	for _, want := range []string{
		`oranbench_mock_requests_total{code="201",route="a1.policy.put"} 3`,
		`oranbench_mock_requests_total{code="404",route="unmatched"} 1`,
		`oranbench_mock_tls_handshakes_total{kind="full"} 1`,
		`oranbench_mock_tls_handshakes_total{kind="resumed"} 0`,
		`oranbench_mock_connections_accepted_total 1`,
		`oranbench_mock_store_objects{store="a1_policies"} 3`,
		`oranbench_mock_in_flight_requests{route="metrics"} 1`,
		`oranbench_mock_queue_depth{route="porch.package.create"} 0`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	oc := newClient(t, other, nil)
	if ob := string(do(t, oc, "GET", other.URL()+"/metrics", "").body); strings.Contains(ob, `route="a1.policy.put"} 3`) {
		t.Errorf("the other server's /metrics shows this server's requests")
	}
}

func TestHTTP2MultiplexesOnOneConnectionAndCountersAgree(t *testing.T) {
	const n = 20
	s := startServer(t, Config{TLS: true, HTTP2: true})
	c := newClient(t, s, func(tr *http.Transport) { tr.ForceAttemptHTTP2 = true })
	var dials, handshakes atomic.Int64
	trace := &httptrace.ClientTrace{
		ConnectDone: func(string, string, error) { dials.Add(1) },
		TLSHandshakeDone: func(_ tls.ConnectionState, err error) {
			if err == nil {
				handshakes.Add(1)
			}
		},
	}
	// One request first so the h2 connection exists before the burst.
	do(t, c, "GET", s.URL()+"/healthz", "")
	var wg sync.WaitGroup
	var protoErr atomic.Value
	for range n {
		wg.Go(func() {
			req, _ := http.NewRequest("GET", s.URL()+"/e2ap/v1/service-models?latency=50ms", nil)
			req = req.WithContext(httptrace.WithClientTrace(req.Context(), trace))
			resp, err := c.Do(req)
			if err != nil {
				protoErr.Store(err.Error())
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.ProtoMajor != 2 {
				protoErr.Store("protocol " + resp.Proto)
			}
		})
	}
	wg.Wait()
	if e := protoErr.Load(); e != nil {
		t.Fatalf("request: %v", e)
	}
	st := s.Stats()
	if st.ConnsAccepted != 1 || st.TLSHandshakes != 1 || dials.Load() != 0 || handshakes.Load() != 0 {
		t.Errorf("server: %d conns %d handshakes; client burst: %d dials %d handshakes; want 1, 1, 0, 0",
			st.ConnsAccepted, st.TLSHandshakes, dials.Load(), handshakes.Load())
	}
	if got := st.Routes["e2.servicemodels.list"].Codes[200]; got != n {
		t.Errorf("server saw %d requests, want %d", got, n)
	}
}

func TestHTTP2WithoutTLSIsPriorKnowledgeH2C(t *testing.T) {
	s := startServer(t, Config{HTTP2: true})
	c := newClient(t, s, func(tr *http.Transport) {
		tr.Protocols = new(http.Protocols)
		tr.Protocols.SetUnencryptedHTTP2(true)
	})
	resp, err := c.Get(s.URL() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.ProtoMajor != 2 || tlsVersionOf(resp) != "none" {
		t.Errorf("got %s over %s, want HTTP/2 without TLS", resp.Proto, tlsVersionOf(resp))
	}
}
