package markdown

import (
	"bytes"
	"strings"
	"testing"

	"github.com/oranbench/oranbench/reports/internal/synth"
	"github.com/oranbench/oranbench/reports/results"
)

// Issue 24 (6): The 429s of the mock's API-server flow control reach the scenario's
// connections section, per arm; a run without any says nothing of them.
func TestTheReportCountsFlowControlRefusals(t *testing.T) {
	render := func(r *results.Results) string {
		t.Helper()
		var md bytes.Buffer
		if err := ScenarioReport(&md, r.Scenarios[0]); err != nil {
			t.Fatal(err)
		}
		return md.String()
	}
	r := synth.Fixture()
	if out := render(r); strings.Contains(out, "flow control") {
		t.Errorf("a run without refusals mentions flow control:\n%s", out)
	}
	srv := &r.Scenarios[0].Arms[0].Total.Server
	srv.InflightRejectedReadOnly, srv.InflightRejectedMutating = 1200, 4
	want := "API-server flow control answered 1,204 requests 429 with Retry-After: `default` 1,204 (1,200 read-only, 4 mutating)."
	if out := render(r); !strings.Contains(out, want) {
		t.Errorf("the scenario's report lacks %q:\n%s", want, out)
	}
}
