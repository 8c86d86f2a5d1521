package markdown_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/oranbench/oranbench/reports/internal/synth"
	"github.com/oranbench/oranbench/reports/markdown"
	"github.com/oranbench/oranbench/reports/results"
)

// F24.3: what a run created on an external backend and cleaned up is in
// its conditions; what it left there is said loudly, in the report and in
// the end-of-run summary.
func TestTheReportCountsFixturesAndFlagsLeftovers(t *testing.T) {
	r := synth.Results(t, 1, 1, synth.Spread5)
	s := &r.Scenarios[0]
	s.Conditions.Target = "https://user:secret@127.0.0.1:8443"
	s.Fixtures = &results.Fixtures{Mode: "create", Label: "oranbench.io/run=r1", Created: 32, Deleted: 40, Leftover: 0,
		Unlabelled: []string{"route a1.policy.put"}}
	render := func() (string, string) {
		var md, sum bytes.Buffer
		if err := markdown.Report(&md, r); err != nil {
			t.Fatal(err)
		}
		if err := markdown.Summary(&sum, r, ""); err != nil {
			t.Fatal(err)
		}
		return md.String(), sum.String()
	}
	md, sum := render()
	for _, want := range []string{
		"| fixtures | create: 32 created before the load; 40 objects labelled `oranbench.io/run=r1` deleted after it",
		"| target | https://127.0.0.1:8443 ",
		"> Not cleaned up: route a1.policy.put create objects",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if strings.Contains(md, "secret") || strings.Contains(md, "Left on the backend") || strings.Contains(sum, "LEFT") {
		t.Errorf("a clean run: credentials or a leftover warning in the report or summary:\n%s", sum)
	}
	s.Fixtures.Leftover, s.Fixtures.Error = 3, "clean-up: DELETE …: status 403"
	md, sum = render()
	if !strings.Contains(md, "> **Left on the backend: 3 objects labelled `oranbench.io/run=r1`**") ||
		!strings.Contains(sum, "LEFT ON THE BACKEND by seed-20-concurrent: 3 objects") {
		t.Errorf("3 objects left and not flagged:\n%s", sum)
	}
}
