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

func TestASoakTooShortToFitASlopeNamesTheMinimum(t *testing.T) {
	_, err := Parse("short.yaml", []byte(strings.Replace(soakDoc, "duration: 9s", "duration: 1s", 1)), nil)
	if err == nil || !strings.Contains(err.Error(), "duration") || !strings.Contains(err.Error(), "at least 3s") {
		t.Fatalf("err = %v; want the duration refused with its minimum 3s (3 × (200ms + 8 × 100ms))", err)
	}
}
