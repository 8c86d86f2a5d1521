package analysis

import (
	"strings"
	"testing"
	"time"

	"github.com/oranbench/oranbench/reports/results"
)

// soakResults builds results with one soak whose phases' series have the
// given slopes (per hour: value, lo, hi, resolution), over phase.
func soakResults(phase time.Duration, slopes map[string][4]float64) *results.Results {
	ph := results.SoakPhase{Name: "tuned", Elapsed: phase}
	for _, name := range []string{results.SoakRSS, results.SoakHeap, results.SoakGoroutines, results.SoakFDs, results.SoakTimeWait} {
		se := results.SoakSeries{Name: name, Unit: "MB"}
		if v, ok := slopes[name]; ok {
			se.Slope = &results.SlopeResult{PerHour: v[0], Lo: v[1], Hi: v[2], Resolution: v[3], N: 100, Span: phase}
		} else {
			se.NotMeasured = "not available on this system"
		}
		ph.Series = append(ph.Series, se)
	}
	return &results.Results{Scenarios: []results.Scenario{{Name: "soak",
		Soak: &results.Soak{Duration: phase, Interval: time.Second, Warmup: time.Minute, Load: "open 40 req/s", Phases: []results.SoakPhase{ph}}}}}
}

func claimNamed(t *testing.T, cs []results.Claim, name string) results.Claim {
	t.Helper()
	for _, c := range cs {
		if c.Claim == name {
			return c
		}
	}
	t.Fatalf("no claim %q among %d", name, len(cs))
	return results.Claim{}
}

func TestSoakClaimsFollowTheSlopesAndTheirResolution(t *testing.T) {
	flat := map[string][4]float64{
		results.SoakRSS: {0.5, -1, 2, 1.5}, results.SoakHeap: {0, -0.5, 0.5, 0.5},
		results.SoakGoroutines: {0, 0, 0, 0.5}, results.SoakFDs: {0, 0, 0, 0.5},
	}
	leaking := map[string][4]float64{
		results.SoakRSS: {12, 9, 15, 3}, results.SoakHeap: {4, 3, 5, 0.5},
		results.SoakGoroutines: {3, 2, 4, 1}, results.SoakFDs: {0, 0, 0, 0.5},
	}
	coarse := map[string][4]float64{
		results.SoakRSS: {5, -40, 50, 45}, results.SoakHeap: {0, -30, 30, 30},
		results.SoakGoroutines: {0, -100, 100, 100}, results.SoakFDs: {0, 0, 0, 100},
	}
	for _, c := range []struct {
		name   string
		r      *results.Results
		claim  string
		want   string
		reason string
	}{
		{"flat series at a fine resolution hold", soakResults(2*time.Hour, flat), "memory growth 0 MB/hour", VerdictHolds, "no growth detected at this resolution"},
		{"flat goroutines at a fine resolution hold", soakResults(2*time.Hour, flat), "goroutine leak rate 0/hour", VerdictHolds, "every interval includes 0"},
		{"an interval above 0 does not hold", soakResults(2*time.Hour, leaking), "memory growth 0 MB/hour", VerdictDoesNotHold, "tuned live heap +4 MB/h"},
		{"a goroutine leak does not hold", soakResults(2*time.Hour, leaking), "no memory leaks under sustained load", VerdictDoesNotHold, "tuned goroutines +3"},
		{"a resolution coarser than the seed's figure cannot tell", soakResults(time.Minute, coarse), "memory growth 0 MB/hour", VerdictNotMeasurable, "too coarse"},
		{"a short soak says so", soakResults(time.Minute, coarse), "goroutine leak rate 0/hour", VerdictNotMeasurable, "Short soak (1m0s per phase)"},
		{"no soak is not measurable", &results.Results{}, "memory growth 0 MB/hour", VerdictNotMeasurable, "not measured in this run"},
		{"24 hours extrapolated from a flat 2-hour soak", soakResults(2*time.Hour, flat), "24-hour stability", VerdictNotMeasurable, "extrapolated, not measured"},
		{"24 hours with growth does not hold", soakResults(2*time.Hour, leaking), "24-hour stability", VerdictDoesNotHold, "+288 MB over 24 h"},
		{"growth in a short soak cannot tell a leak from settling", soakResults(time.Minute, leaking), "memory growth 0 MB/hour", VerdictNotMeasurable, "cannot tell a leak from a process still settling"},
		{"growth in a short soak is not a 24-hour verdict either", soakResults(time.Minute, leaking), "24-hour stability", VerdictNotMeasurable, "+288 MB over 24 h"},
		{"a 24-hour flat soak holds", soakResults(24*time.Hour, flat), "24-hour stability", VerdictHolds, "24-hour phase"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := claimNamed(t, Claims(c.r), c.claim)
			if got.Verdict != c.want || !strings.Contains(got.Reason, c.reason) {
				t.Fatalf("%s: %s: %s; want %s containing %q", c.claim, got.Verdict, got.Reason, c.want, c.reason)
			}
			if c.r.Scenarios != nil && (!strings.Contains(got.Conditions, "open 40 req/s") || got.Measured == "") {
				t.Fatalf("conditions %q, measured %q; want the load and the slopes", got.Conditions, got.Measured)
			}
		})
	}
	m := claimNamed(t, Claims(soakResults(2*time.Hour, flat)), "24-hour stability")
	if !strings.Contains(m.Measured, "2h0m0s per phase measured; extrapolated, not measured over 24 h: tuned RSS ≤ +48 MB") {
		t.Fatalf("24-hour row measured %q; want what ran and the upper end × 24 h", m.Measured)
	}
}

// concurrentResults is a soak of subjects in processes of their own over
// span of fit: the tuned arm with the given slopes (value, lo, hi,
// resolution per hour), the leak control with control's, and the harness.
func concurrentResults(span time.Duration, tuned, control map[string][4]float64) *results.Results {
	phase := func(name, role string, slopes map[string][4]float64) results.SoakPhase {
		ph := results.SoakPhase{Name: name, Role: role}
		for _, n := range []string{results.SoakRSS, results.SoakHeap, results.SoakGoroutines, results.SoakFDs} {
			unit := map[string]string{results.SoakGoroutines: "goroutines", results.SoakFDs: "fds"}[n]
			if unit == "" {
				unit = "MB"
			}
			se := results.SoakSeries{Name: n, Unit: unit, AfterGC: n == results.SoakHeap}
			v := slopes[n]
			se.Slope = &results.SlopeResult{PerHour: v[0], Lo: v[1], Hi: v[2], Resolution: v[3], N: 300, Span: span}
			ph.Series = append(ph.Series, se)
		}
		return ph
	}
	flat := map[string][4]float64{results.SoakHeap: {0, -0.1, 0.1, 0.1}}
	sk := &results.Soak{Duration: span + 4*time.Minute, Warmup: 4 * time.Minute, Interval: time.Second, Concurrent: true, Load: "open 40 req/s per arm",
		Phases: []results.SoakPhase{phase("tuned", "", tuned), phase("leak-control", results.SoakRoleLeakControl, control), phase("harness", results.SoakRoleHarness, flat)}}
	return &results.Results{Scenarios: []results.Scenario{{Name: "soak", Soak: sk}}}
}

// Issue 25: a soak of subjects in processes of their own judges its
// claims on the subjects' live heap, goroutines and fds, only when its fit
// is long enough to resolve 2 goroutines/h and 1 MB/h, and only when its
// leak control was flagged; the control and the harness are not judged.
func TestConcurrentSoakClaimsNeedALongEnoughFitAndAFlaggedControl(t *testing.T) {
	flat := map[string][4]float64{
		results.SoakRSS:  {3, 1, 5, 2}, // RSS grows: the footprint, not a leak
		results.SoakHeap: {0.1, -0.3, 0.5, 0.4}, results.SoakGoroutines: {0, 0, 0, 1.7}, results.SoakFDs: {0, 0, 0, 1.7},
	}
	heapLeak := map[string][4]float64{
		results.SoakRSS: {3, 1, 5, 2}, results.SoakHeap: {2, 1.5, 2.5, 0.5}, results.SoakGoroutines: {0, 0, 0, 1.7}, results.SoakFDs: {0, 0, 0, 1.7},
	}
	coarseHeap := map[string][4]float64{
		results.SoakRSS: {0, -1, 1, 1}, results.SoakHeap: {0, -1.5, 1.5, 1.5}, results.SoakGoroutines: {0, 0, 0, 1.7}, results.SoakFDs: {0, 0, 0, 1.7},
	}
	flagged := map[string][4]float64{
		results.SoakRSS: {9, 5, 13, 4}, results.SoakHeap: {3.9, 3.5, 4.3, 0.4}, results.SoakGoroutines: {60, 58, 62, 2}, results.SoakFDs: {6, 5, 7, 1.7},
	}
	missed := map[string][4]float64{ // the fds leak not seen
		results.SoakRSS: {9, 5, 13, 4}, results.SoakHeap: {3.9, 3.5, 4.3, 0.4}, results.SoakGoroutines: {60, 58, 62, 2}, results.SoakFDs: {0, -3, 3, 3},
	}
	long, smoke := 36*time.Minute, 108*time.Second
	claims := []string{"memory growth 0 MB/hour", "goroutine leak rate 0/hour", "no memory leaks under sustained load", "24-hour stability"}
	for _, c := range []struct {
		name   string
		r      *results.Results
		want   string
		reason string
	}{
		{"flat subjects with a flagged control hold", concurrentResults(long, flat, flagged), VerdictHolds, "leak control"},
		{"an unflagged control voids every verdict", concurrentResults(long, flat, missed), VerdictNotMeasurable, "void: the leak control"},
		{"a smoke soak is unable to judge", concurrentResults(smoke, flat, flagged), VerdictNotMeasurable, "unable to judge"},
	} {
		for _, name := range claims {
			got := claimNamed(t, Claims(c.r), name)
			if got.Verdict != c.want || !strings.Contains(got.Reason, c.reason) {
				t.Errorf("%s: %s: %s: %s; want %s containing %q", c.name, name, got.Verdict, got.Reason, c.want, c.reason)
			}
		}
	}
	if got := claimNamed(t, Claims(concurrentResults(long, heapLeak, flagged)), "memory growth 0 MB/hour"); got.Verdict != VerdictDoesNotHold || !strings.Contains(got.Reason, "tuned live heap +2 MB/h") {
		t.Errorf("a live-heap slope above 0: %s: %s; want does not hold naming it", got.Verdict, got.Reason)
	}
	if got := claimNamed(t, Claims(concurrentResults(long, coarseHeap, flagged)), "memory growth 0 MB/hour"); got.Verdict != VerdictNotMeasurable || !strings.Contains(got.Reason, "too coarse") {
		t.Errorf("a live heap resolved to ±1.5 MB/h: %s: %s; want not measurable, too coarse for 1 MB/h", got.Verdict, got.Reason)
	}
	if void, why := SoakVoid(concurrentResults(long, flat, missed).Scenarios[0].Soak); !void || !strings.Contains(why, "fds 0 fds/h") {
		t.Errorf("SoakVoid = %v, %q; want void naming the series not flagged", void, why)
	}
	if void, _ := SoakVoid(concurrentResults(smoke, flat, missed).Scenarios[0].Soak); void {
		t.Errorf("a smoke soak is void; want it only unable to judge")
	}
}

// Issue 25: the leak control is flagged only where its slope lies above
// that of the same client without the leak, so a client that leaks by
// itself cannot pass for the control's leak being caught; the baseline arm
// is shown beside the claims, not judged by them.
func TestTheLeakControlMustShowAboveItsOwnClientAndTheBaselineIsNotJudged(t *testing.T) {
	leaky := map[string][4]float64{ // the client leaks by itself
		results.SoakRSS: {9, 5, 13, 4}, results.SoakHeap: {0.1, -0.3, 0.5, 0.4}, results.SoakGoroutines: {190, 165, 210, 20}, results.SoakFDs: {46, 38, 51, 6},
	}
	control := map[string][4]float64{ // its leak adds 60 goroutines/h and 6 fds/h
		results.SoakRSS: {9, 5, 13, 4}, results.SoakHeap: {4, 3.8, 4.2, 0.2}, results.SoakGoroutines: {250, 215, 270, 25}, results.SoakFDs: {52, 41, 56, 7},
	}
	r := concurrentResults(36*time.Minute, leaky, control)
	sk := r.Scenarios[0].Soak
	sk.Phases[1].Base = "tuned"
	if present, flagged, detail := LeakControl(sk); !present || flagged || !strings.Contains(detail, "against `tuned`'s own +190") {
		t.Fatalf("LeakControl = %v, %v, %q; want not flagged, naming the client's own slope", present, flagged, detail)
	}
	// Results written before Base existed name the arm in the subject.
	sk.Phases[1].Base, sk.Phases[1].Subject = "", "arm tuned, plus a deliberate leak of 1 goroutine per minute"
	if _, flagged, detail := LeakControl(sk); flagged || !strings.Contains(detail, "against `tuned`'s own +190") {
		t.Fatalf("LeakControl from the subject = %v, %q; want the arm found in the subject", flagged, detail)
	}
	// The same leaking client as the baseline arm is shown, not judged.
	flat := map[string][4]float64{
		results.SoakRSS: {0, -1, 1, 1}, results.SoakHeap: {0.1, -0.3, 0.5, 0.4}, results.SoakGoroutines: {0, 0, 0, 1.7}, results.SoakFDs: {0, 0, 0, 1.7},
	}
	r = concurrentResults(36*time.Minute, flat, control)
	sk = r.Scenarios[0].Soak
	base := sk.Phases[0]
	base.Name, base.Baseline = "default", true
	base.Series = append([]results.SoakSeries(nil), base.Series...)
	for i, s := range base.Series {
		v := leaky[s.Name]
		base.Series[i].Slope = &results.SlopeResult{PerHour: v[0], Lo: v[1], Hi: v[2], Resolution: v[3], N: 300, Span: 36 * time.Minute}
	}
	sk.Phases = append([]results.SoakPhase{base}, sk.Phases...)
	got := claimNamed(t, Claims(r), "goroutine leak rate 0/hour")
	if got.Verdict != VerdictHolds || !strings.Contains(got.Reason, "Not judged: the baseline arm `default`") || !strings.Contains(got.Reason, "goroutines +190") {
		t.Fatalf("goroutine claim: %s: %s; want holds on tuned, with default's growth shown", got.Verdict, got.Reason)
	}
}
