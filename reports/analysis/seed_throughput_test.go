package analysis_test

import (
	"strings"
	"testing"
	"time"

	"github.com/oranbench/oranbench/reports/analysis"
	"github.com/oranbench/oranbench/reports/internal/synth"
	"github.com/oranbench/oranbench/reports/results"
)

func claimByPrefix(cs []results.Claim, prefix string) results.Claim {
	for _, c := range cs {
		if strings.HasPrefix(c.Claim, prefix) {
			return c
		}
	}
	return results.Claim{}
}

func TestClaimsSayUnderWhichConditionsTheyHold(t *testing.T) {
	r := &results.Results{Scenarios: []results.Scenario{
		synth.Point("seed-20-concurrent", true, 0, 1.2),
		{Name: "conditions-sweep", Sweep: &results.Sweep{Params: []string{"rtt"}, Points: []results.SweepPoint{
			{Values: []string{"0s"}, Result: synth.Point("conditions-sweep", true, 0, 12)},
			{Values: []string{"20ms"}, Result: synth.Point("conditions-sweep", true, 20*time.Millisecond, 5)},
		}}},
	}}
	cs := analysis.Claims(r)
	c4 := claimByPrefix(cs, "4x")
	if c4.Verdict != analysis.VerdictHoldsOnlyWhen || !strings.Contains(c4.Reason, "conditions-sweep [rtt=0s]") || !strings.Contains(c4.Reason, "conditions-sweep [rtt=20ms]") || strings.Contains(c4.Reason, "seed-20") {
		t.Errorf("4x: %+v", c4)
	}
	if !strings.Contains(c4.Measured, "from 1.20x") || !strings.Contains(c4.Measured, "to 12.00x") {
		t.Errorf("4x measured: %q", c4.Measured)
	}
	c10 := claimByPrefix(cs, "10x")
	if c10.Verdict != analysis.VerdictHoldsOnlyWhen || !strings.Contains(c10.Reason, "rtt=0s") || strings.Contains(c10.Reason, "rtt=20ms") {
		t.Errorf("10x: %+v", c10)
	}
	rw := claimByPrefix(cs, "6–8x")
	if rw.Verdict != analysis.VerdictDoesNotHold || !strings.Contains(rw.Measured, "5.00x") {
		t.Errorf("real-world: %+v", rw)
	}
	abs := claimByPrefix(cs, "50–100")
	if abs.Verdict != analysis.VerdictDoesNotHold || !strings.Contains(abs.Measured, "default 100 [90 – 110] req/s") {
		t.Errorf("absolute: %+v", abs)
	}
	tls := claimByPrefix(cs, "~100 ms TLS")
	if tls.Verdict != analysis.VerdictDoesNotHold || !strings.Contains(tls.Measured, "adds 2.00 ms") {
		t.Errorf("TLS saving: %+v", tls)
	}
	if c := claimByPrefix(cs, "~10 ms"); c.Verdict != analysis.VerdictNotMeasurable {
		t.Errorf("plain-HTTP saving without a plain-HTTP run: %+v", c)
	}
	if c := claimByPrefix(cs, `"25x`); c.Verdict != analysis.VerdictDoesNotHold || !strings.Contains(c.Measured, "dialed 400 connections for 1,000 requests") {
		t.Errorf("conns per host: %+v", c)
	}
	if c := claimByPrefix(cs, "goroutine"); c.Verdict != analysis.VerdictNotMeasurable || !strings.Contains(c.Reason, "not measured in this run") {
		t.Errorf("leaks without a leak check: %+v", c)
	}
	r.Leakcheck = &results.LeakSummary{Cycles: 50, GoroutinesBefore: 3, GoroutinesAfter: 3, CloseP50: 8 * time.Millisecond, CloseP99: 150 * time.Millisecond}
	cs = analysis.Claims(r)
	if c := claimByPrefix(cs, "goroutine"); c.Verdict != analysis.VerdictHolds {
		t.Errorf("leaks: %+v", c)
	}
	if c := claimByPrefix(cs, "watcher shutdown"); c.Verdict != analysis.VerdictDoesNotHold || !strings.Contains(c.Measured, "p99 150.0 ms") {
		t.Errorf("shutdown: %+v", c)
	}
}

// On a result merged from shards, the claims that depend on how one client
// pool met the load say that several pools carried it; the leak and soak
// claims, which do not, stay as they are.
func TestPoolBoundClaimsSayASharedLoadHadSeveralPools(t *testing.T) {
	r := &results.Results{Scenarios: []results.Scenario{synth.Point("seed-20-concurrent", true, 0, 1.2)},
		MergedFrom: []results.Shard{{Index: 0, Count: 2}, {Index: 1, Count: 2}}}
	cs := analysis.Claims(r)
	const note = "Sharded run: measured by 2 client pools"
	for _, prefix := range []string{"4x", "Up to 50 concurrent", "Against Porch"} {
		if c := claimByPrefix(cs, prefix); !strings.HasSuffix(c.Reason, note+", one per shard, not one pool carrying the whole load.") {
			t.Errorf("%s: reason without the shard note: %q", prefix, c.Reason)
		}
	}
	for _, prefix := range []string{"goroutine leaks", "memory growth"} {
		if c := claimByPrefix(cs, prefix); strings.Contains(c.Reason, note) {
			t.Errorf("%s: a claim that does not depend on the pool has the shard note: %q", prefix, c.Reason)
		}
	}
}
