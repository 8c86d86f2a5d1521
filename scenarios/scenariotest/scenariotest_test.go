package scenariotest

import (
	"crypto/tls"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"go.uber.org/goleak"

	"github.com/oranbench/oranbench/targets/transport"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const doc = `apiVersion: oranbench/v1
kind: Scenario
name: mine-vs-default
backend:
  tls: true
mix:
  - route: a1.policy.get
load:
  model: closed
  concurrency: 4
arms: [default, mine]
claims: {baseline: default, candidate: mine}
duration: 150ms
warmup: 50ms
repetitions: 2
thresholds:
  - expr: success >= 99%
    arm: mine
`

type counting struct {
	next http.RoundTripper
	n    *atomic.Int64
}

func (c counting) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.next.RoundTrip(r)
}

func (c counting) CloseIdleConnections() { transport.CloseIdle(c.next) }

func TestRunMeasuresAFactoryOfOurOwnAndWritesTheReport(t *testing.T) {
	var n atomic.Int64
	reg := transport.NewRegistry()
	if err := reg.Register(transport.FromFunc("mine", "a factory of our own", func(tlsConf *tls.Config) http.RoundTripper {
		return counting{next: transport.TunedProfile().NewTransport(tlsConf), n: &n}
	})); err != nil {
		t.Fatal(err)
	}
	res := RunYAML(t, "mine.yaml", []byte(doc), reg)
	arms := res.Scenarios[0].Arms
	if len(arms) != 2 || arms[1].Name != "mine" || arms[1].Total.Requests == 0 {
		t.Fatalf("arms %+v", arms)
	}
	if n.Load() < arms[1].Total.Requests {
		t.Errorf("%d requests through the factory, want at least the %d measured", n.Load(), arms[1].Total.Requests)
	}
	if arms[1].Settings["Transport"] != "custom" {
		t.Errorf("settings %v, want Transport custom", arms[1].Settings)
	}
	b, err := os.ReadFile(filepath.Join(t.ArtifactDir(), "REPORT.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "`mine`") || !strings.Contains(string(b), "mine/default") {
		t.Errorf("REPORT.md does not measure mine against default as the claims say:\n%s", b)
	}
}
