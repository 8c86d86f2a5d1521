package markdown

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/oranbench/oranbench/reports/analysis"
	"github.com/oranbench/oranbench/reports/internal/synth"
	"github.com/oranbench/oranbench/reports/results"
)

func renderRecommendation(r *results.Results) string {
	var b bytes.Buffer
	p := &printer{w: &b}
	p.recommendation(r)
	return b.String()
}

func TestTheRecommendationFollowsTheNumbers(t *testing.T) {
	// Capping wins above the pool and HTTP/2 wins on an h2 backend: ship both.
	got := renderRecommendation(&results.Results{Scenarios: []results.Scenario{synth.Cliff(4), synth.PorchH2(7)}})
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
	got = renderRecommendation(&results.Results{Scenarios: []results.Scenario{synth.Cliff(1), synth.PorchH2(1)}})
	if strings.Contains(got, "MaxConnsPerHost 50 (won") || strings.Contains(got, "ForceAttemptHTTP2 true (won") {
		t.Errorf("no change won, yet the recommendation ships one:\n%s", got)
	}
	if !strings.Contains(got, "**Ship**: `tuned` as it is") {
		t.Errorf("want tuned as it is:\n%s", got)
	}
	// An arm with the union of the winning changes is named when it ran.
	both := synth.PorchH2(7)
	both.Arms = append(both.Arms, results.Arm{Name: "tuned-h2-capped", Profile: "tuned-h2-capped",
		Settings: map[string]string{"MaxIdleConnsPerHost": "50", "MaxConnsPerHost": "50", "ForceAttemptHTTP2": "true"},
		Reps:     synth.Reps(synth.Scaled(synth.BaseRates, 0.5), []time.Duration{1, 1, 1, 1, 1})})
	both.Stats = analysis.ComputeStats(both)
	got = renderRecommendation(&results.Results{Scenarios: []results.Scenario{synth.Cliff(4), both}})
	if !strings.Contains(got, "That combination ran as `tuned-h2-capped`: it won 0 of the 1 runs it took part in (HTTP/2 backend (TLS))") {
		t.Errorf("the measured combination is not named:\n%s", got)
	}
	if got := renderRecommendation(&results.Results{}); got != "" {
		t.Errorf("no runs, yet a recommendation:\n%s", got)
	}
}

func TestTheRecommendationSaysHowTheChoiceDidAgainstClientGo(t *testing.T) {
	got := renderRecommendation(&results.Results{Scenarios: []results.Scenario{synth.PorchClientGo(7, 2)}})
	for _, want := range []string{
		"**`tuned-h2`** won 1 of 1 runs",
		"req/s vs `client-go` 0.50x",
		"`client-go` (client-go's transport, which every Kubernetes client already uses) is a reference",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("recommendation lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "**`client-go`**") || strings.Contains(got, "`client-go` 1 of 1") {
		t.Errorf("client-go was ranked:\n%s", got)
	}
}
