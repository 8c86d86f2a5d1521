package scenario

import (
	"strings"
	"testing"
)

const soakDoc = `apiVersion: oranbench/v1
kind: Scenario
name: short-soak
backend:
  isolation: in-process
  faults: {errorRates: {500: 0.05}}
mix:
  - route: a1.policy.put
  - route: e2.indications.list
load:
  model: soak
  rate: 100
  soak: {sampleEvery: 100ms, intentsPerSec: 20, workers: 2}
arms: [default, tuned]
duration: 9s
warmup: 200ms
`

// Every subject runs the whole duration at once (issue 25): the minimum is
// one warm-up and the samples of one fit, not one per phase.
func TestASoakTooShortToFitASlopeNamesTheMinimum(t *testing.T) {
	_, err := Parse("short.yaml", []byte(strings.Replace(soakDoc, "duration: 9s", "duration: 900ms", 1)), nil)
	if err == nil || !strings.Contains(err.Error(), "duration") || !strings.Contains(err.Error(), "at least 1s") {
		t.Fatalf("err = %v; want the duration refused with its minimum 1s (200ms + 8 × 100ms)", err)
	}
}
