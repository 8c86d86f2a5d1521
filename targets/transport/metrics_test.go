package transport

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// The collector's counters, scraped from a registry of our own, agree with a
// known workload: 20 workers × 10 requests over TLS with the default
// transport against a server that keeps HTTP/2 off.
func TestCollectorExportsThePoolCountersOfAKnownWorkload(t *testing.T) {
	const workers, perWorker = 20, 10
	srv := newCountingServer(t, true, barrierHandler(workers, 0))
	inst := DefaultProfile().Instrument(srv.clientTLS())
	defer inst.Close()
	runWorkload(t, inst.Client, srv.URL, workers, perWorker)
	// A dial started for a request that another connection served finishes
	// its handshake in the background: wait for it, so the counts are final.
	if !eventually(5*time.Second, func() bool {
		st := inst.Tracer.Stats()
		return st.TLSHandshakes+st.TLSErrors == st.Dials && srv.stats().Handshakes == st.TLSHandshakes
	}) {
		t.Fatalf("handshakes never settled: %+v", inst.Tracer.Stats())
	}
	// Then until nothing moves for 50 ms: a late connection still goes to
	// (or is refused by) the idle pool after its handshake.
	s := inst.Tracer.Stats()
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
		next := inst.Tracer.Stats()
		if reflect.DeepEqual(next, s) {
			break
		}
		s = next
	}

	reg := prometheus.NewPedanticRegistry()
	c := NewCollector(inst.Tracer, "operator", prometheus.Labels{"backend": "a1"})
	if err := reg.Register(c); err != nil {
		t.Fatal(err)
	}
	if n, err := testutil.GatherAndCount(reg); err != nil || n != 12 {
		t.Fatalf("gathered %d series (%v), want 12: 8 counters, 2 connection series, 1 protocol, 1 histogram", n, err)
	}
	want := `# HELP operator_http_client_requests_total Round trips started through the traced transport.
# TYPE operator_http_client_requests_total counter
operator_http_client_requests_total{backend="a1"} 200
# HELP operator_http_client_responses_total Responses received, by the protocol they came on (Response.Proto).
# TYPE operator_http_client_responses_total counter
operator_http_client_responses_total{backend="a1",protocol="HTTP/1.1"} 200
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "operator_http_client_requests_total", "operator_http_client_responses_total"); err != nil {
		t.Fatal(err)
	}
	for name, v := range map[string]int64{
		"operator_http_client_dials_total":          s.Dials,
		"operator_http_client_tls_handshakes_total": s.TLSHandshakes,
		"operator_http_client_idle_rejected_total":  s.IdleRejected,
		"operator_http_client_idle_returned_total":  s.IdleReturned,
	} {
		got, err := gatheredValue(reg, name)
		if err != nil || got != float64(v) {
			t.Errorf("%s = %v (%v), want %d", name, got, err, v)
		}
	}
	if s.Dials <= 2 || s.IdleRejected == 0 {
		t.Errorf("the workload did not churn the default pool (dials %d, rejected %d); the check above proves little", s.Dials, s.IdleRejected)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		switch mf.GetName() {
		case "operator_http_client_conn_wait_seconds":
			h := mf.GetMetric()[0].GetHistogram()
			if h.GetSampleCount() != workers*perWorker || h.GetSampleSum() <= 0 {
				t.Errorf("conn wait histogram: %d samples, sum %v; want %d and > 0", h.GetSampleCount(), h.GetSampleSum(), workers*perWorker)
			}
		case "operator_http_client_connections_total":
			var sum float64
			for _, m := range mf.GetMetric() {
				sum += m.GetCounter().GetValue()
			}
			if sum != workers*perWorker {
				t.Errorf("connections reused + new = %v, want %d", sum, workers*perWorker)
			}
		}
	}
	// A new window (after a warm-up) empties ConnWaits, not the cumulative export.
	inst.Tracer.ResetConnWaits()
	if n := inst.Tracer.ConnWaits().TotalCount(); n != 0 {
		t.Errorf("ConnWaits after ResetConnWaits holds %d waits, want 0", n)
	}
	get(t, inst.Client, srv.URL)
	if n := inst.Tracer.ConnWaits().TotalCount(); n != 1 {
		t.Errorf("ConnWaits holds %d waits after one more request, want 1", n)
	}
	if mfs, err := reg.Gather(); err == nil {
		for _, mf := range mfs {
			if mf.GetName() == "operator_http_client_conn_wait_seconds" {
				if got := mf.GetMetric()[0].GetHistogram().GetSampleCount(); got != workers*perWorker+1 {
					t.Errorf("exported waits after a reset: %d, want %d (cumulative)", got, workers*perWorker+1)
				}
			}
		}
	}
	if problems, err := testutil.GatherAndLint(reg); err != nil || len(problems) > 0 {
		t.Errorf("metric lint: %v %v", problems, err)
	}
}

func gatheredValue(reg *prometheus.Registry, name string) (float64, error) {
	mfs, err := reg.Gather()
	if err != nil {
		return 0, err
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			return mf.GetMetric()[0].GetCounter().GetValue(), nil
		}
	}
	return 0, nil
}
