package scenarios

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/oranbench/oranbench/scenarios/scenario"
	"github.com/oranbench/oranbench/targets/transport"
)

// Issue 24 (6): A scenario's backend.maxRequestsInflight reaches the mock, and the 429s
// of its flow control reach the arm's server-side counts, with the mock in
// process or in a process of its own.
func TestFlowControlRefusalsReachTheResults(t *testing.T) {
	for _, isolation := range []string{"in-process", "process"} {
		t.Run(isolation, func(t *testing.T) {
			s := mustParse(t, `apiVersion: oranbench/v1
kind: Scenario
name: flow-control
backend:
  tls: true
  latency: 20ms
  maxRequestsInflight: 2
  maxMutatingRequestsInflight: 1
  isolation: `+isolation+`
mix:
  - route: a1.types.list
load:
  model: closed
  concurrency: 8
arms: [tuned]
duration: 300ms
repetitions: 1
`)
			res, err := Run(context.Background(), s, Options{BackendBinary: os.Args[0]})
			if err != nil {
				t.Fatal(err)
			}
			tot := res.Arms[0].Total
			if tot.Server.InflightRejectedReadOnly == 0 || tot.Server.InflightRejectedReadOnly != tot.Codes["429"] || tot.Server.InflightRejectedMutating != 0 {
				t.Fatalf("server counted %d read-only and %d mutating refusals, the client %d 429s; want as many read-only refusals as 429s, and some",
					tot.Server.InflightRejectedReadOnly, tot.Server.InflightRejectedMutating, tot.Codes["429"])
			}
		})
	}
}

// An out-of-range limit is refused on the scenario's own field.
func TestFlowControlLimitsAreValidated(t *testing.T) {
	_, err := scenario.Parse("bad.yaml", []byte(`apiVersion: oranbench/v1
kind: Scenario
name: bad
backend:
  maxMutatingRequestsInflight: -1
mix:
  - route: a1.types.list
load: {model: closed, concurrency: 1}
arms: [tuned]
duration: 100ms
`), transport.NewRegistry())
	if err == nil || !strings.Contains(err.Error(), "backend.maxMutatingRequestsInflight") || !strings.Contains(err.Error(), "-1") {
		t.Fatalf("err = %v, want backend.maxMutatingRequestsInflight and its value named", err)
	}
}
