package reports

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// point is a two-arm closed-model result with the given tuned/default req/s
// ratio (5 repetitions each) and connection counts.
func point(name string, tls bool, rtt time.Duration, ratio float64) Scenario {
	ms := time.Millisecond
	base := []float64{100, 110, 90, 105, 95}
	tuned := make([]float64, len(base))
	for i, v := range base {
		tuned[i] = v * ratio
	}
	p99 := []time.Duration{50 * ms, 60 * ms, 55 * ms, 52 * ms, 58 * ms}
	s := Scenario{
		Name:       name,
		Conditions: Conditions{TLS: tls, RTT: rtt, Model: "closed", Concurrency: 20, HandlerLatency: 10 * ms},
		Arms: []Arm{
			{Name: "default", Profile: "default", Reps: repsOf(base, p99)},
			{Name: "tuned", Profile: "tuned", Reps: repsOf(tuned, p99)},
		},
		Setup: &SetupCost{Route: "a1-policy-get", N: 15, TLS: tls, FreshP50: 12 * ms, ReusedP50: 10 * ms},
	}
	s.Arms[0].Total = Summary{Requests: 1000, SuccessPerSec: 100, Client: ClientConns{Dials: 400, New: 60, Reused: 940, IdleRejected: 330, TLSHandshakes: 400}}
	s.Arms[1].Total = Summary{Requests: 1000 * int64(ratio), SuccessPerSec: 100 * ratio}
	s.Stats = ComputeStats(s)
	return s
}

func claimByPrefix(cs []Claim, prefix string) Claim {
	for _, c := range cs {
		if strings.HasPrefix(c.Claim, prefix) {
			return c
		}
	}
	return Claim{}
}

func TestClaimsSayUnderWhichConditionsTheyHold(t *testing.T) {
	r := &Results{Scenarios: []Scenario{
		point("seed-20-concurrent", true, 0, 1.2),
		{Name: "conditions-sweep", Sweep: &Sweep{Params: []string{"rtt"}, Points: []SweepPoint{
			{Values: []string{"0s"}, Result: point("conditions-sweep", true, 0, 12)},
			{Values: []string{"20ms"}, Result: point("conditions-sweep", true, 20*time.Millisecond, 5)},
		}}},
	}}
	cs := Claims(r)
	c4 := claimByPrefix(cs, "4x")
	if c4.Verdict != VerdictHoldsOnlyWhen || !strings.Contains(c4.Reason, "conditions-sweep [rtt=0s]") || !strings.Contains(c4.Reason, "conditions-sweep [rtt=20ms]") || strings.Contains(c4.Reason, "seed-20") {
		t.Errorf("4x: %+v", c4)
	}
	if !strings.Contains(c4.Measured, "from 1.20x") || !strings.Contains(c4.Measured, "to 12.00x") {
		t.Errorf("4x measured: %q", c4.Measured)
	}
	c10 := claimByPrefix(cs, "10x")
	if c10.Verdict != VerdictHoldsOnlyWhen || !strings.Contains(c10.Reason, "rtt=0s") || strings.Contains(c10.Reason, "rtt=20ms") {
		t.Errorf("10x: %+v", c10)
	}
	rw := claimByPrefix(cs, "6–8x")
	if rw.Verdict != VerdictDoesNotHold || !strings.Contains(rw.Measured, "5.00x") {
		t.Errorf("real-world: %+v", rw)
	}
	abs := claimByPrefix(cs, "50–100")
	if abs.Verdict != VerdictDoesNotHold || !strings.Contains(abs.Measured, "default 100 [90 – 110] req/s") {
		t.Errorf("absolute: %+v", abs)
	}
	tls := claimByPrefix(cs, "~100 ms TLS")
	if tls.Verdict != VerdictDoesNotHold || !strings.Contains(tls.Measured, "adds 2.00 ms") {
		t.Errorf("TLS saving: %+v", tls)
	}
	if c := claimByPrefix(cs, "~10 ms"); c.Verdict != VerdictNotMeasurable {
		t.Errorf("plain-HTTP saving without a plain-HTTP run: %+v", c)
	}
	if c := claimByPrefix(cs, `"25x`); c.Verdict != VerdictDoesNotHold || !strings.Contains(c.Measured, "dialed 400 connections for 1,000 requests") {
		t.Errorf("conns per host: %+v", c)
	}
	if c := claimByPrefix(cs, "goroutine"); c.Verdict != VerdictNotMeasurable || !strings.Contains(c.Reason, "not measured in this run") {
		t.Errorf("leaks without a leak check: %+v", c)
	}
	r.Leakcheck = &LeakSummary{Cycles: 50, GoroutinesBefore: 3, GoroutinesAfter: 3, CloseP50: 8 * time.Millisecond, CloseP99: 150 * time.Millisecond}
	cs = Claims(r)
	if c := claimByPrefix(cs, "goroutine"); c.Verdict != VerdictHolds {
		t.Errorf("leaks: %+v", c)
	}
	if c := claimByPrefix(cs, "watcher shutdown"); c.Verdict != VerdictDoesNotHold || !strings.Contains(c.Measured, "p99 150.0 ms") {
		t.Errorf("shutdown: %+v", c)
	}
}

func TestTheReportOpensWithTheClaimsAndDrawsTheSweepMatrix(t *testing.T) {
	sweep := Scenario{Name: "conditions-sweep", Description: "the matrix", Sweep: &Sweep{Params: []string{"concurrency", "rtt", "tls"}}}
	for _, c := range []struct {
		conc, rtt, tls string
		ratio          float64
	}{{"2", "0s", "on", 1.1}, {"2", "20ms", "on", 1.0}, {"50", "0s", "on", 12}, {"50", "20ms", "on", 4.5}, {"2", "0s", "off", 1.0}} {
		sweep.Sweep.Points = append(sweep.Sweep.Points, SweepPoint{Values: []string{c.conc, c.rtt, c.tls}, Result: point("conditions-sweep", c.tls == "on", 0, c.ratio)})
	}
	r := fixture()
	r.Scenarios = append(r.Scenarios, sweep)
	var md bytes.Buffer
	if err := Markdown(&md, r); err != nil {
		t.Fatal(err)
	}
	out := md.String()
	claims, verdict := strings.Index(out, "## Seed claims"), strings.Index(out, "## Verdict")
	if claims < 0 || verdict < 0 || claims > verdict {
		t.Fatalf("the seed-claims table must come first:\n%s", out)
	}
	for _, want := range []string{
		"| claim ", "| 10x more req/s (optimistic estimate) ",
		"### MaxIdleConnsPerHost=2 does not queue requests",
		"### Ratio matrix: `tuned` / `default` req/s",
		"tls=on:", "tls=off:",
		"| concurrency \\ rtt | 0s ",
		"**12.00x** ≥10x", "**4.50x** ≥4x", "not run",
		"**conditions-sweep** (sweep over concurrency × rtt × tls): tuned/default from 1.00x to 12.00x; ≥ 4x at 2 of 5 points, ≥ 10x at 1.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("REPORT.md lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(out)
	}
}
