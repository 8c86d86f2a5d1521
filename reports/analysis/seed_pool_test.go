package analysis_test

import (
	"strings"
	"testing"

	"github.com/oranbench/oranbench/reports/analysis"
	"github.com/oranbench/oranbench/reports/internal/synth"
	"github.com/oranbench/oranbench/reports/results"
)

func TestProductionClaimsReadTheCliffAndHTTP2FromTheMeasurements(t *testing.T) {
	r := &results.Results{Scenarios: []results.Scenario{synth.Cliff(4), synth.PorchH2(7)}}
	cs := analysis.Claims(r)

	pool := claimByPrefix(cs, "Up to 50 concurrent")
	if pool.Verdict != analysis.VerdictHoldsOnlyWhen || !strings.Contains(pool.Reason, "at most 20 requests") || !strings.Contains(pool.Reason, "(100 measured)") ||
		!strings.Contains(pool.Reason, "tuned-capped") || !strings.Contains(pool.Measured, "1000 in flight: 8,800 dials (0.88 per request)") {
		t.Errorf("pool claim: %+v", pool)
	}
	if !strings.Contains(pool.Conditions, "HTTP/1.1") {
		t.Errorf("pool claim names no protocol: %q", pool.Conditions)
	}

	stress := claimByPrefix(cs, "Stress test with 1000")
	if stress.Verdict != analysis.VerdictDoesNotHold || !strings.Contains(stress.Measured, "1.10x") || !strings.Contains(stress.Reason, "4.40x") {
		t.Errorf("stress claim: %+v", stress)
	}

	h2 := claimByPrefix(cs, "HTTP/2 where")
	if h2.Verdict != analysis.VerdictDoesNotHold || !strings.Contains(h2.Measured, "tuned spoke HTTP/1.1, default HTTP/2.0") ||
		!strings.Contains(h2.Measured, "tuned-h2 (HTTP/2.0) 7.00x") || !strings.Contains(h2.Reason, "ForceAttemptHTTP2") {
		t.Errorf("HTTP/2 claim: %+v", h2)
	}

	wait := claimByPrefix(cs, "Connection wait")
	if wait.Verdict == analysis.VerdictNotMeasurable || !strings.Contains(wait.Measured, "tuned-capped 20.00 ms / 60.00 ms") {
		t.Errorf("conn wait claim: %+v", wait)
	}
	if sess := claimByPrefix(cs, "TLS session reuse"); sess.Verdict != analysis.VerdictHoldsOnlyWhen || !strings.Contains(sess.Measured, "8,800 TLS handshakes (0 resumed)") {
		t.Errorf("session claim: %+v", sess)
	}

	// The same claims flip when the measurements do.
	r = &results.Results{Scenarios: []results.Scenario{synth.Cliff(4), synth.PorchH2(7)}}
	for i := range r.Scenarios[1].Arms {
		if r.Scenarios[1].Arms[i].Name == "tuned" {
			r.Scenarios[1].Arms[i].Total.Client.Protocols = map[string]int64{results.ProtoHTTP2: 10000}
		}
	}
	if h2 := claimByPrefix(analysis.Claims(r), "HTTP/2 where"); h2.Verdict != analysis.VerdictHolds {
		t.Errorf("tuned speaking HTTP/2 must hold: %+v", h2)
	}
	if c := claimByPrefix(analysis.Claims(&results.Results{}), "Stress test"); c.Verdict != analysis.VerdictNotMeasurable {
		t.Errorf("no 1000-worker run must be not measurable: %+v", c)
	}
}
