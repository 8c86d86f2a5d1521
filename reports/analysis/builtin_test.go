package analysis_test

import (
	"strings"
	"testing"
	"time"

	"github.com/oranbench/oranbench/reports/analysis"
	"github.com/oranbench/oranbench/reports/internal/synth"
	"github.com/oranbench/oranbench/reports/results"
)

// F24.5: the seed's claims are judged on the built-in scenarios alone; a
// user's scenario, even one named like a built-in, is no evidence.
func TestSeedClaimsAreJudgedOnBuiltinsOnly(t *testing.T) {
	for _, tc := range []struct {
		origin     string
		measurable bool
	}{
		{results.OriginBuiltin, true},
		{"", true}, // results from before the origin was recorded ran built-ins
		{results.OriginFile, false},
		{results.OriginSpec, false},
	} {
		r := synth.Results(t, 1, 1, synth.Spread5)
		for i := range r.Scenarios {
			r.Scenarios[i].Origin = tc.origin
		}
		c := claimByPrefix(analysis.Claims(r), "4x more req/s")
		if got := c.Verdict != analysis.VerdictNotMeasurable; got != tc.measurable {
			t.Errorf("origin %q: verdict %q, want measurable %v", tc.origin, c.Verdict, tc.measurable)
		}
		if users := analysis.UserScenarios(r); (len(users) > 0) == tc.measurable {
			t.Errorf("origin %q: user scenarios %v", tc.origin, users)
		}
		// A user's scenario that names its claim arms asks to be judged.
		for i := range r.Scenarios {
			r.Scenarios[i].ClaimArms = &results.ClaimArms{Baseline: "default", Candidate: "tuned"}
		}
		if c := claimByPrefix(analysis.Claims(r), "4x more req/s"); c.Verdict == analysis.VerdictNotMeasurable {
			t.Errorf("origin %q with claims: arms: not measurable", tc.origin)
		}
	}
}

// F24.5: the pool claim reads the dials recorded: "kept pooled" is said
// with the count, and dials that opened the pool of a run without warm-up
// are told apart from churn.
func TestThePoolClaimCountsTheDialsItSaw(t *testing.T) {
	rates := []float64{2000, 2000, 2000, 2000, 2000}
	run := func(warmup time.Duration, tunedDialsPerRep int64) results.Claim {
		def := synth.Arm(t, "default", 0, 2, []float64{1000, 1000, 1000, 1000, 1000}, []float64{1, 1, 1, 1, 1}, 12*time.Millisecond, 300)
		tuned := synth.Arm(t, "tuned", 1, 2, rates, []float64{1, 1, 1, 1, 1}, 10*time.Millisecond, tunedDialsPerRep)
		s := synth.Scenario(t, "seed-20-concurrent", def, tuned)
		s.Conditions.Warmup = warmup
		return claimByPrefix(analysis.Claims(&results.Results{Scenarios: []results.Scenario{s}}), "Up to 50 concurrent")
	}
	// 5 repetitions of 505 requests at 20 workers.
	for _, tc := range []struct {
		name     string
		warmup   time.Duration
		dials    int64
		verdict  string
		reasonHs []string
	}{
		{"a few dials after a warm-up are said", 100 * time.Millisecond, 1, analysis.VerdictHolds, []string{"dialed 5 times after its warm-up"}},
		{"no dial after a warm-up", 100 * time.Millisecond, 0, analysis.VerdictHolds, []string{"dialed nothing after its warm-up"}},
		{"without warm-up the pool's opening dials are not churn", 0, 21, analysis.VerdictHolds, []string{"dialed 105 times, 100 of them opening its pool", "5 more"}},
		{"the same dials after a warm-up are churn", 100 * time.Millisecond, 21, analysis.VerdictDoesNotHold, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := run(tc.warmup, tc.dials)
			if c.Verdict != tc.verdict || strings.Contains(c.Reason, "every connection") {
				t.Errorf("verdict %q (%s), want %q", c.Verdict, c.Reason, tc.verdict)
			}
			for _, s := range tc.reasonHs {
				if !strings.Contains(c.Reason, s) {
					t.Errorf("reason %q does not say %q", c.Reason, s)
				}
			}
		})
	}
}

// F24.4: the recommendation files a run by the protocol its arms
// negotiated, not by the backend's configuration (an external backend has
// none: its conditions say HTTP/2 off).
func TestTheRecommendationFilesARunByTheProtocolObserved(t *testing.T) {
	family := func(s results.Scenario) string {
		for _, f := range analysis.Recommend(&results.Results{Scenarios: []results.Scenario{s}}).Families {
			if len(f.Runs) > 0 {
				return f.Name
			}
		}
		return ""
	}
	s := synth.PorchH2(7)
	s.Conditions.HTTP2, s.Conditions.Target = false, "https://127.0.0.1:8443"
	if got := family(s); !strings.Contains(got, "HTTP/2") {
		t.Errorf("arms that negotiated HTTP/2.0 filed under %q", got)
	}
	for i := range s.Arms {
		s.Arms[i].Total.Client.Protocols = map[string]int64{results.ProtoHTTP11: 100}
	}
	s.Conditions.HTTP2 = true
	if got := family(s); strings.Contains(got, "HTTP/2") {
		t.Errorf("arms that all spoke HTTP/1.1 filed under %q", got)
	}
}
