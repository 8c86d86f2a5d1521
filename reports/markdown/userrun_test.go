package markdown

import (
	"bytes"
	"strings"
	"testing"

	"github.com/oranbench/oranbench/reports/internal/synth"
	"github.com/oranbench/oranbench/reports/results"
)

// A run of the user's own scenarios opens with their verdicts, not with a
// table of seed claims that all read "not measurable here"; a run with a
// built-in keeps the claims.
func TestAUserRunsSummaryShowsItsScenariosNotUnjudgedClaims(t *testing.T) {
	for _, origin := range []string{results.OriginFile, results.OriginBuiltin} {
		r := synth.Results(t, 1, 1, synth.Spread5)
		for i := range r.Scenarios {
			r.Scenarios[i].Origin = origin
		}
		var b bytes.Buffer
		if err := Report(&b, r); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		summary := out[strings.Index(out, "## Summary"):strings.Index(out, "## Seed claims")]
		user := origin == results.OriginFile
		name := "**" + r.Scenarios[0].Name + "**"
		if got := strings.Contains(summary, name); got != user {
			t.Errorf("origin %s: summary names the scenario %v, want %v:\n%s", origin, got, user, summary)
		}
		if got := strings.Contains(out, "not measurable here"); got == user {
			t.Errorf("origin %s: report says \"not measurable here\": %v, want %v", origin, got, !user)
		}
		if got := strings.Contains(out, "## Claims in detail"); got == user {
			t.Errorf("origin %s: claims in detail %v, want %v", origin, got, !user)
		}
		if got := strings.Contains(summary, "not judged: no built-in scenario ran"); got != user {
			t.Errorf("origin %s: summary says the claims were not judged: %v, want %v", origin, got, user)
		}
	}
}
