package analysis_test

import (
	"strings"
	"testing"

	"github.com/oranbench/oranbench/reports/analysis"
	"github.com/oranbench/oranbench/reports/internal/synth"
	"github.com/oranbench/oranbench/reports/results"
)

const clientGoClaimPrefix = "Against Porch, the operator's tuned factory beats client-go"

func TestTheClientGoClaimFollowsTheMeasurements(t *testing.T) {
	renamed := func(s results.Scenario, name string) results.Scenario {
		s.Name = name
		return s
	}
	notPorch := synth.PorchClientGo(7, 1)
	notPorch.Conditions.Routes = []string{"a1.policy.get ×1"}
	tests := []struct {
		name      string
		scenarios []results.Scenario
		verdict   string
		want      []string // in Measured, Conditions or Reason
	}{
		{
			name:      "client-go on HTTP/2 serves 7x tuned on HTTP/1.1: does not hold",
			scenarios: []results.Scenario{synth.PorchClientGo(7, 1)},
			verdict:   analysis.VerdictDoesNotHold,
			want: []string{
				"porch-h2: tuned/client-go req/s 0.14x", "(tuned HTTP/1.1, 1,200 dials; client-go HTTP/2.0, 0 dials)",
				"tuned-h2/client-go 1.00x", "client-go served significantly more in porch-h2",
				"in porch-h2 the winner spoke HTTP/2.0 (0 dials) and the loser HTTP/1.1 (1,200 dials)",
			},
		},
		{
			name:      "tuned ahead of a slower client-go: holds",
			scenarios: []results.Scenario{synth.PorchClientGo(7, 0.05)},
			verdict:   analysis.VerdictHolds,
			want:      []string{"tuned/client-go req/s 2.86x", "in every Porch run", "the winner spoke HTTP/1.1 (1,200 dials)"},
		},
		{
			name:      "the same req/s: no significant difference, does not hold",
			scenarios: []results.Scenario{synth.PorchClientGo(2, 0.5)},
			verdict:   analysis.VerdictDoesNotHold,
			want:      []string{"no significant difference in porch-h2"},
		},
		{
			name:      "ahead in one Porch run of two: holds only when",
			scenarios: []results.Scenario{synth.PorchClientGo(7, 1), renamed(synth.PorchClientGo(7, 0.05), "porch-slow-client-go")},
			verdict:   analysis.VerdictHoldsOnlyWhen,
			want:      []string{"tuned served significantly more in porch-slow-client-go"},
		},
		{
			name:      "three repetitions cannot be significant: does not hold, and says why",
			scenarios: []results.Scenario{threeReps(synth.PorchClientGo(7, 1))},
			verdict:   analysis.VerdictDoesNotHold,
			want:      []string{"no significant difference in porch-h2", "(point estimate 0.14x with 3 repetitions per arm: too few for significance)"},
		},
		{
			name:      "no client-go arm: not measurable",
			scenarios: []results.Scenario{synth.PorchH2(7)},
			verdict:   analysis.VerdictNotMeasurable,
		},
		{
			name:      "client-go against a backend that is not Porch: not measurable",
			scenarios: []results.Scenario{notPorch},
			verdict:   analysis.VerdictNotMeasurable,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := claimByPrefix(analysis.Claims(&results.Results{Scenarios: tt.scenarios}), clientGoClaimPrefix)
			if c.Verdict != tt.verdict {
				t.Errorf("verdict %q, want %q: %+v", c.Verdict, tt.verdict, c)
			}
			all := c.Measured + " | " + c.Conditions + " | " + c.Reason
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("claim lacks %q:\n%s", w, all)
				}
			}
		})
	}
}

// threeReps keeps the first three repetitions of every arm, as a quick run has.
func threeReps(s results.Scenario) results.Scenario {
	for i := range s.Arms {
		s.Arms[i].Reps = s.Arms[i].Reps[:3]
	}
	s.Stats = analysis.ComputeStats(s)
	return s
}

func TestTheRecommendationMeasuresAgainstClientGoButNeverChoosesIt(t *testing.T) {
	// client-go is the best arm by far: it still is not ranked (it is not a
	// change to tuned); the choice among the others is made as without it,
	// and its margin against client-go says how far behind it is.
	rec := analysis.Recommend(&results.Results{Scenarios: []results.Scenario{synth.PorchClientGo(7, 2)}})
	var h2 *analysis.Family
	for i := range rec.Families {
		if rec.Families[i].Name == "HTTP/2 backend (TLS)" {
			h2 = &rec.Families[i]
		}
	}
	if h2 == nil || len(h2.Runs) != 1 {
		t.Fatalf("no HTTP/2 family run: %+v", rec.Families)
	}
	if h2.Winner != "tuned-h2" {
		t.Errorf("winner %q, want tuned-h2 (client-go is a reference)", h2.Winner)
	}
	if h2.Ran["client-go"] != 0 || h2.Wins["client-go"] != 0 || h2.Ran["tuned-h2"] != 1 {
		t.Errorf("ran %v, won %v: want client-go neither ranked nor counted", h2.Ran, h2.Wins)
	}
	var against []string
	for _, m := range h2.Margins {
		against = append(against, m.Against)
		if m.Against == "client-go" && (len(m.Comparisons) != 1 || !near(m.Comparisons[0].Ratio, 0.5) || !m.Comparisons[0].Significant) {
			t.Errorf("margin vs client-go = %+v, want tuned-h2/client-go 0.5x, significant", m.Comparisons)
		}
	}
	if strings.Join(against, ",") != "tuned,default,client-go" {
		t.Errorf("margins against %q, want tuned,default,client-go", against)
	}
	for _, c := range rec.Changes {
		if strings.HasPrefix(c.Setting, "HTTP2 ") || c.Setting == "MaxIdleConnsPerHost 25" {
			t.Errorf("client-go's settings reached the changes to ship: %+v", rec.Changes)
		}
	}
}
