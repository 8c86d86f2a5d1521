package scenarios

import (
	"context"
	"crypto/tls"
	"maps"
	"net/http"
	"runtime"
	"strings"
	"testing"

	"github.com/oranbench/oranbench/reports/analysis"
	"github.com/oranbench/oranbench/reports/results"
	"github.com/oranbench/oranbench/scenarios/scenario"
	"github.com/oranbench/oranbench/targets/transport"
)

// The client's protocol counter agrees with the mock's own count of requests
// by protocol, in every repetition of every arm, against a backend that
// offers HTTP/2 and one that does not.
func TestProtocolCountsMatchTheServersOwn(t *testing.T) {
	t.Parallel() // asserts counts and structure, not timing; its own mock
	s := mustParse(t, `apiVersion: oranbench/v1
kind: Scenario
name: protocols
backend:
  tls: true
mix:
  - route: a1.policy.get
load:
  model: closed
  concurrency: 8
sweep:
  http2: [true, false]
arms: [default, tuned, tuned-h2, client-go]
duration: 200ms
warmup: 50ms
repetitions: 2
`)
	res, err := Run(context.Background(), s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]string{
		"on":  {"default": transport.ProtoHTTP2, "tuned": transport.ProtoHTTP11, "tuned-h2": transport.ProtoHTTP2, "client-go": transport.ProtoHTTP2},
		"off": {"default": transport.ProtoHTTP11, "tuned": transport.ProtoHTTP11, "tuned-h2": transport.ProtoHTTP11, "client-go": transport.ProtoHTTP11},
	}
	for _, pt := range res.Sweep.Points {
		for _, a := range pt.Result.Arms {
			for _, r := range a.Reps {
				if !maps.Equal(r.Client.Protocols, r.Server.Protocols) {
					t.Errorf("http2=%s %s rep %d: client counted %v, server %v", pt.Values[0], a.Name, r.Index, r.Client.Protocols, r.Server.Protocols)
				}
			}
			// The settings read through client-go's wrappers to its transport,
			// and say that it sets HTTP/2 up itself.
			h2Key, wantH2Key := a.Settings["HTTP2"], a.Name == "client-go"
			if (h2Key != "") != wantH2Key || (a.Name == "client-go" && a.Settings["MaxIdleConnsPerHost"] != "25") {
				t.Errorf("%s: settings %v", a.Name, a.Settings)
			}
			proto := want[pt.Values[0]][a.Name]
			if got := a.Total.Client.Protocols; len(got) != 1 || got[proto] != a.Total.Requests || a.Total.Requests == 0 {
				t.Errorf("http2=%s %s: total protocols %v for %d requests, want all %s", pt.Values[0], a.Name, got, a.Total.Requests, proto)
			}
		}
	}
}

// tuned-capped never holds more than 50 connections to the mock, by the
// mock's own peak of open connections, while 120 workers want one each;
// uncapped tuned (the control) holds more. Its requests beyond the pool wait
// for a connection, and the wait shows. Plain HTTP, so that every connection
// the client closes ends in TIME_WAIT on its side (with TLS, the server's
// close_notify can reach the closed socket first and end it with a reset).
func TestTunedCappedHoldsAtMost50ConnectionsToTheMock(t *testing.T) {
	t.Parallel() // asserts counts and structure, not timing; its own mock
	s := mustParse(t, `apiVersion: oranbench/v1
kind: Scenario
name: capped
backend:
  tls: false
  latency: 2ms
mix:
  - route: a1.policy.get
load:
  model: closed
  concurrency: 120
arms: [tuned-capped, tuned]
duration: 300ms
warmup: 100ms
repetitions: 2
`)
	res, err := Run(context.Background(), s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range res.Arms {
		for _, r := range a.Reps {
			t.Logf("%s rep %d: server peak %d connections, %d dials, conn wait p99 %s, TIME_WAIT %v",
				a.Name, r.Index, r.Server.ConnsPeak, r.Client.Dials, results.Dur(r.Client.ConnWaitP99), deref(r.Client.TimeWait))
			switch a.Name {
			case "tuned-capped":
				if r.Server.ConnsPeak > transport.DefaultMaxIdleConnsPerHost || r.Server.ConnsPeak == 0 {
					t.Errorf("tuned-capped rep %d: the server held %d connections at once, want 1 to %d", r.Index, r.Server.ConnsPeak, transport.DefaultMaxIdleConnsPerHost)
				}
				if r.Client.ConnWaitP99 <= 0 || r.Client.ConnWaitHDR == "" {
					t.Errorf("tuned-capped rep %d: conn wait p99 %s, want the queue's wait measured", r.Index, r.Client.ConnWaitP99)
				}
				if runtime.GOOS == "linux" && (r.Client.TimeWait == nil || *r.Client.TimeWait != 0) {
					t.Errorf("tuned-capped rep %d: TIME_WAIT %v, want 0: it closes no connection", r.Index, deref(r.Client.TimeWait))
				}
			case "tuned":
				if r.Server.ConnsPeak <= transport.DefaultMaxIdleConnsPerHost {
					t.Errorf("tuned rep %d: the server held at most %d connections, want more than %d (the control)", r.Index, r.Server.ConnsPeak, transport.DefaultMaxIdleConnsPerHost)
				}
				if runtime.GOOS == "linux" && (r.Client.TimeWait == nil || *r.Client.TimeWait == 0 || *r.Client.TimeWait > r.Client.Dials) {
					t.Errorf("tuned rep %d: TIME_WAIT %v for %d dials, want 1 to %d: it closes what its pool refuses", r.Index, deref(r.Client.TimeWait), r.Client.Dials, r.Client.Dials)
				}
			}
		}
	}
}

func deref(p *int64) any {
	if p == nil {
		return "not measured"
	}
	return *p
}

// A factory whose builder panics fails its own arm with a clear error; the
// other arms still run, and a failed required threshold says why (exit 1).
func TestABrokenFactoryFailsItsArmAndTheOthersStillRun(t *testing.T) {
	reg := transport.NewRegistry()
	if err := reg.Register(transport.FromFunc("broken", "panics", func(*tls.Config) http.RoundTripper { panic("no client certificate") })); err != nil {
		t.Fatal(err)
	}
	s, err := scenario.Parse("broken.yaml", []byte(`apiVersion: oranbench/v1
kind: Scenario
name: broken
backend:
  latency: 1ms
mix:
  - route: a1.policy.get
load:
  model: closed
  concurrency: 2
arms: [default, broken, tuned]
duration: 100ms
repetitions: 2
`), reg)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), s, Options{})
	if err != nil {
		t.Fatalf("Run = %v, want the other arms to run", err)
	}
	for _, a := range res.Arms {
		got := len(a.Reps)
		if want := map[string]int{"default": 2, "broken": 0, "tuned": 2}[a.Name]; got != want {
			t.Errorf("arm %s ran %d repetitions, want %d", a.Name, got, want)
		}
	}
	failed := analysis.FailedRequired(&results.Results{Scenarios: []results.Scenario{res}})
	if len(failed) != 1 || !strings.Contains(failed[0].String(), `"broken": its builder panicked: no client certificate`) {
		t.Errorf("failed thresholds %v, want one naming the broken profile", failed)
	}
}
