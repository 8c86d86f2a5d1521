package reports

import (
	"bytes"
	"strings"
	"testing"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// armSpec describes one synthetic arm: its profile, req/s scale against
// the base rates, and its connection counts.
type armSpec struct {
	name, profile string
	scale         float64
	dials         int64
	proto         string
	waitMean      time.Duration
	waitP99       time.Duration
	settings      map[string]string
}

var baseRates = []float64{100, 110, 90, 105, 95}

// run builds a closed-model run of the given arms at concurrency c.
func synthRun(name string, c Conditions, arms ...armSpec) Scenario {
	s := Scenario{Name: name, Conditions: c}
	ms := time.Millisecond
	p99 := []time.Duration{50 * ms, 60 * ms, 55 * ms, 52 * ms, 58 * ms}
	for _, a := range arms {
		arm := Arm{Name: a.name, Profile: a.profile, Settings: a.settings, Reps: repsOf(scaled(baseRates, a.scale), p99)}
		arm.Total = Summary{Requests: 10000, SuccessPerSec: 100 * a.scale, Client: ClientConns{
			Dials: a.dials, TLSHandshakes: a.dials, ConnWaitMean: a.waitMean, ConnWaitP99: a.waitP99,
			Protocols: map[string]int64{a.proto: 10000},
		}}
		s.Arms = append(s.Arms, arm)
	}
	s.Stats = ComputeStats(s)
	return s
}

func closedAt(c int, http2 bool) Conditions {
	return Conditions{TLS: true, HTTP2: http2, Model: "closed", Concurrency: c}
}

func sweepOf(name, param string, values []string, points ...Scenario) Scenario {
	sw := &Sweep{Params: []string{param}}
	for i, p := range points {
		sw.Points = append(sw.Points, SweepPoint{Values: []string{values[i]}, Result: p})
	}
	return Scenario{Name: name, Sweep: sw}
}

var (
	tunedSettings  = map[string]string{"MaxIdleConnsPerHost": "50", "MaxConnsPerHost": "0", "ForceAttemptHTTP2": "false"}
	cappedSettings = map[string]string{"MaxIdleConnsPerHost": "50", "MaxConnsPerHost": "50", "ForceAttemptHTTP2": "false"}
	h2Settings     = map[string]string{"MaxIdleConnsPerHost": "50", "MaxConnsPerHost": "0", "ForceAttemptHTTP2": "true"}
	defSettings    = map[string]string{"MaxIdleConnsPerHost": "2", "MaxConnsPerHost": "0", "ForceAttemptHTTP2": "true"}
)

// cliff is a pool-cliff sweep: tuned pooled at 20, churning at 100 and 1000,
// where tuned-capped beats it by cappedGain.
func cliff(cappedGain float64) Scenario {
	def := func(dials int64) armSpec {
		return armSpec{name: "default", profile: "default", scale: 1, dials: dials, proto: ProtoHTTP11, waitMean: 40 * time.Millisecond, settings: defSettings}
	}
	tuned := func(scale float64, dials int64, wait time.Duration) armSpec {
		return armSpec{name: "tuned", profile: "tuned", scale: scale, dials: dials, proto: ProtoHTTP11, waitMean: wait, waitP99: 3 * wait, settings: tunedSettings}
	}
	capped := func(scale float64) armSpec {
		return armSpec{name: "tuned-capped", profile: "tuned-capped", scale: scale, proto: ProtoHTTP11, waitMean: 20 * time.Millisecond, waitP99: 60 * time.Millisecond, settings: cappedSettings}
	}
	return sweepOf("pool-cliff", "concurrency", []string{"20", "100", "1000"},
		synthRun("pool-cliff", closedAt(20, false), def(5000), tuned(8, 0, time.Microsecond), capped(8)),
		synthRun("pool-cliff", closedAt(100, false), def(6000), tuned(2.5, 3000, 5*time.Millisecond), capped(2.5*cappedGain)),
		synthRun("pool-cliff", closedAt(1000, false), def(9000), tuned(1.1, 8800, time.Second), capped(1.1*cappedGain)),
	)
}

func porchH2(h2Gain float64) Scenario {
	return synthRun("porch-h2", closedAt(200, true),
		armSpec{name: "default", profile: "default", scale: 1, proto: ProtoHTTP2, settings: defSettings},
		armSpec{name: "tuned", profile: "tuned", scale: 1 / h2Gain, dials: 1200, proto: ProtoHTTP11, settings: tunedSettings},
		armSpec{name: "tuned-h2", profile: "tuned-h2", scale: 1, proto: ProtoHTTP2, settings: h2Settings},
	)
}

func TestProductionClaimsReadTheCliffAndHTTP2FromTheMeasurements(t *testing.T) {
	r := &Results{Scenarios: []Scenario{cliff(4), porchH2(7)}}
	cs := Claims(r)

	pool := claimByPrefix(cs, "Up to 50 concurrent")
	if pool.Verdict != VerdictHoldsOnlyWhen || !strings.Contains(pool.Reason, "at most 20 requests") || !strings.Contains(pool.Reason, "(100 measured)") ||
		!strings.Contains(pool.Reason, "tuned-capped") || !strings.Contains(pool.Measured, "1000 in flight: 8,800 dials (0.88 per request)") {
		t.Errorf("pool claim: %+v", pool)
	}
	if !strings.Contains(pool.Conditions, "HTTP/1.1") {
		t.Errorf("pool claim names no protocol: %q", pool.Conditions)
	}

	stress := claimByPrefix(cs, "Stress test with 1000")
	if stress.Verdict != VerdictDoesNotHold || !strings.Contains(stress.Measured, "1.10x") || !strings.Contains(stress.Reason, "4.40x") {
		t.Errorf("stress claim: %+v", stress)
	}

	h2 := claimByPrefix(cs, "HTTP/2 where")
	if h2.Verdict != VerdictDoesNotHold || !strings.Contains(h2.Measured, "tuned spoke HTTP/1.1, default HTTP/2.0") ||
		!strings.Contains(h2.Measured, "tuned-h2 (HTTP/2.0) 7.00x") || !strings.Contains(h2.Reason, "ForceAttemptHTTP2") {
		t.Errorf("HTTP/2 claim: %+v", h2)
	}

	wait := claimByPrefix(cs, "Connection wait")
	if wait.Verdict == VerdictNotMeasurable || !strings.Contains(wait.Measured, "tuned-capped 20.00 ms / 60.00 ms") {
		t.Errorf("conn wait claim: %+v", wait)
	}
	if sess := claimByPrefix(cs, "TLS session reuse"); sess.Verdict != VerdictHoldsOnlyWhen || !strings.Contains(sess.Measured, "8,800 TLS handshakes (0 resumed)") {
		t.Errorf("session claim: %+v", sess)
	}

	// The same claims flip when the measurements do.
	r = &Results{Scenarios: []Scenario{cliff(4), porchH2(7)}}
	for i := range r.Scenarios[1].Arms {
		if r.Scenarios[1].Arms[i].Name == "tuned" {
			r.Scenarios[1].Arms[i].Total.Client.Protocols = map[string]int64{ProtoHTTP2: 10000}
		}
	}
	if h2 := claimByPrefix(Claims(r), "HTTP/2 where"); h2.Verdict != VerdictHolds {
		t.Errorf("tuned speaking HTTP/2 must hold: %+v", h2)
	}
	if c := claimByPrefix(Claims(&Results{}), "Stress test"); c.Verdict != VerdictNotMeasurable {
		t.Errorf("no 1000-worker run must be not measurable: %+v", c)
	}
}

func renderRecommendation(r *Results) string {
	var b bytes.Buffer
	p := &printer{w: &b}
	p.recommendation(r)
	return b.String()
}

func TestTheRecommendationFollowsTheNumbers(t *testing.T) {
	// Capping wins above the pool and HTTP/2 wins on an h2 backend: ship both.
	got := renderRecommendation(&Results{Scenarios: []Scenario{cliff(4), porchH2(7)}})
	for _, want := range []string{
		"**`tuned-capped`** won 2 of 2 runs",
		"req/s vs `tuned` 4.00x",
		"| HTTP/2 backend (TLS)",
		"**`tuned-h2`** won 1 of 1 runs",
		"`tuned` with ForceAttemptHTTP2 true",
		"**Ship**: `tuned` with MaxConnsPerHost 50",
		"ForceAttemptHTTP2 true (won: HTTP/2 backend (TLS))",
		"No arm of this run had all of them at once",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("recommendation lacks %q:\n%s", want, got)
		}
	}
	// When capping buys nothing (same req/s as tuned) and tuned keeps up with
	// HTTP/2 off, the recommendation changes with the numbers.
	got = renderRecommendation(&Results{Scenarios: []Scenario{cliff(1), porchH2(1)}})
	if strings.Contains(got, "MaxConnsPerHost 50 (won") || strings.Contains(got, "ForceAttemptHTTP2 true (won") {
		t.Errorf("no change won, yet the recommendation ships one:\n%s", got)
	}
	if !strings.Contains(got, "**Ship**: `tuned` as it is") {
		t.Errorf("want tuned as it is:\n%s", got)
	}
	// An arm with the union of the winning changes is named when it ran.
	both := porchH2(7)
	both.Arms = append(both.Arms, Arm{Name: "tuned-h2-capped", Profile: "tuned-h2-capped",
		Settings: map[string]string{"MaxIdleConnsPerHost": "50", "MaxConnsPerHost": "50", "ForceAttemptHTTP2": "true"},
		Reps:     repsOf(scaled(baseRates, 0.5), []time.Duration{1, 1, 1, 1, 1})})
	both.Stats = ComputeStats(both)
	got = renderRecommendation(&Results{Scenarios: []Scenario{cliff(4), both}})
	if !strings.Contains(got, "That combination ran as `tuned-h2-capped`: it won 0 of the 1 runs it took part in (HTTP/2 backend (TLS))") {
		t.Errorf("the measured combination is not named:\n%s", got)
	}
	if got := renderRecommendation(&Results{}); got != "" {
		t.Errorf("no runs, yet a recommendation:\n%s", got)
	}
}

func TestClientConnsNameTheirProtocols(t *testing.T) {
	tests := []struct {
		protocols map[string]int64
		want      string
	}{
		{nil, ""},
		{map[string]int64{ProtoHTTP2: 5}, "HTTP/2.0"},
		{map[string]int64{ProtoHTTP11: 1, ProtoHTTP2: 3}, "HTTP/2.0 75.0%, HTTP/1.1 25.0%"},
	}
	for _, tt := range tests {
		if got := (ClientConns{Protocols: tt.protocols}).Protocol(); got != tt.want {
			t.Errorf("Protocol(%v) = %q, want %q", tt.protocols, got, tt.want)
		}
	}
}

func TestAddCountsMergesProtocolsTimeWaitAndConnWaits(t *testing.T) {
	tw1, tw2 := int64(3), int64(4)
	h1, h2 := mustHist(t, 100, 200), mustHist(t, 300000)
	sums := []Summary{
		{Client: ClientConns{Protocols: map[string]int64{ProtoHTTP11: 2}, TimeWait: &tw1, ConnWaitHDR: h1, ConnWaitP99: 200 * time.Microsecond}, Server: ServerConns{Known: true, ConnsPeak: 7, Protocols: map[string]int64{ProtoHTTP11: 2}}},
		{Client: ClientConns{Protocols: map[string]int64{ProtoHTTP11: 1, ProtoHTTP2: 5}, TimeWait: &tw2, ConnWaitHDR: h2, ConnWaitP99: 300 * time.Millisecond}, Server: ServerConns{Known: true, ConnsPeak: 5, Protocols: map[string]int64{ProtoHTTP2: 5}}},
	}
	got := AddCounts(sums)
	if got.Client.Protocols[ProtoHTTP11] != 3 || got.Client.Protocols[ProtoHTTP2] != 5 {
		t.Errorf("protocols = %v", got.Client.Protocols)
	}
	if got.Client.TimeWait == nil || *got.Client.TimeWait != 7 {
		t.Errorf("TIME_WAIT = %v, want 7", got.Client.TimeWait)
	}
	if got.Server.ConnsPeak != 7 || got.Server.Protocols[ProtoHTTP2] != 5 {
		t.Errorf("server = %+v", got.Server)
	}
	// 3 waits: 100 µs, 200 µs, 300 ms; the merged p99 is the 300 ms one.
	if p := got.Client.ConnWaitP99; p < 299*time.Millisecond || p > 301*time.Millisecond {
		t.Errorf("merged conn wait p99 = %s, want 300 ms", p)
	}
	sums[1].Client.TimeWait = nil
	if got := AddCounts(sums); got.Client.TimeWait != nil {
		t.Errorf("a part without TIME_WAIT must make the total unknown, got %d", *got.Client.TimeWait)
	}
}

// mustHist encodes a histogram of the given microsecond values.
func mustHist(t *testing.T, us ...int64) string {
	t.Helper()
	h := hdrhistogram.New(1, int64(time.Hour/time.Microsecond), 3)
	for _, v := range us {
		if err := h.RecordValue(v); err != nil {
			t.Fatal(err)
		}
	}
	enc, err := EncodeHDR(h)
	if err != nil {
		t.Fatal(err)
	}
	return enc
}
