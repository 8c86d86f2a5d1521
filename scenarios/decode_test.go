package scenarios

import (
	"strings"
	"testing"

	"github.com/oranbench/oranbench/internal/sockstat"
	"github.com/oranbench/oranbench/scenarios/scenario"
)

// base is a valid scenario; each case edits one thing. Line numbers:
//
//	1 apiVersion  5 route  6 weight  7 backend  8 tls  9 load  10 model
//	11 concurrency  12 arms  13 duration  14 thresholds  15 - p99 ...
const base = `apiVersion: oranbench/v1
kind: Scenario
name: bad
mix:
  - route: a1.policy.put
    weight: 2
backend:
  tls: true
load:
  model: closed
  concurrency: 2
arms: [default, tuned]
duration: 1s
thresholds:
  - p99 < 250ms
`

func TestConcurrencyBeyondTheFDLimitFailsBeforeItStarts(t *testing.T) {
	// A limit of 4,096 descriptors, whatever this machine's is.
	checkFDs = func(conns, fdsPerConn, reserve int) error {
		return sockstat.CheckConnsAgainst(conns, fdsPerConn, reserve, 4096)
	}
	defer func() { checkFDs = sockstat.CheckConns }()
	doc := base + "sweep:\n  concurrency: [2, 10000]\n"
	s, err := scenario.Parse("big.yaml", []byte(doc), nil)
	if err != nil {
		t.Fatal(err)
	}
	err = CheckLimits(s, false)
	for _, want := range []string{"big.yaml:17", "sweep.concurrency", `"10000"`, "ulimit -n", "the limit is 4,096"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("CheckLimits = %v, want it to name %q", err, want)
		}
	}
	// Run refuses it too, before starting a backend.
	if _, err := Run(t.Context(), s, Options{}); err == nil || !strings.Contains(err.Error(), "ulimit -n") {
		t.Errorf("Run = %v, want the fd-limit error", err)
	}
	// 2,000 workers fit in 4,096 descriptors (2 per connection + 64).
	small, err := scenario.Parse("small.yaml", []byte(base+"sweep:\n  concurrency: [2, 2000]\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckLimits(small, false); err != nil {
		t.Errorf("2,000 workers under a 4,096 limit: %v", err)
	}
}

func TestRemoteTargetsAreRefusedUnlessAllowed(t *testing.T) {
	doc := strings.Replace(base, "  tls: true\n", "  target: https://203.0.113.7:8443\n", 1)
	s, err := scenario.Parse("remote.yaml", []byte(doc), nil)
	if err != nil {
		t.Fatal(err)
	}
	err = CheckBackend(s, false)
	if err == nil || !strings.Contains(err.Error(), "remote.yaml:8: backend.target") || !strings.Contains(err.Error(), "--allow-remote") {
		t.Fatalf("err = %v", err)
	}
	if err := CheckBackend(s, true); err != nil {
		t.Fatalf("allowed: %v", err)
	}
}
