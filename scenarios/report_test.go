package scenarios

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/oranbench/oranbench/reports/analysis"
	"github.com/oranbench/oranbench/reports/markdown"
	"github.com/oranbench/oranbench/reports/results"
)

// F24.4, F24.5: a user's scenario against an external backend, its arms
// listed [tuned, default]. The report names the target and what the
// client negotiated, not the mock's unused settings; every ratio is
// tuned/default, the verdict's and the claims' alike.
func TestAnExternalRunReportsWhatWasObservedAgainstItsBaseline(t *testing.T) {
	srv, ca := externalMock(t)
	p := mustParse(t, `apiVersion: oranbench/v1
kind: Scenario
name: ext-report
backend:
  target: `+srv.URL()+`
  caCert: `+ca+`
mix: [{route: a1.types.list}]
load: {model: closed, concurrency: 4}
arms: [tuned, default]
duration: 150ms
warmup: 50ms
repetitions: 2
`)
	res, err := Run(context.Background(), p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Ratios) != 1 || res.Ratios[0].Arm != "tuned" || res.Ratios[0].Baseline != "default" || res.Arms[0].Name != "default" {
		t.Fatalf("ratios %+v, arms %s, %s: want tuned/default", res.Ratios, res.Arms[0].Name, res.Arms[1].Name)
	}
	render := func(r *results.Results) string {
		var b bytes.Buffer
		if err := markdown.Report(&b, r); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	md := render(&results.Results{Scenarios: []results.Scenario{res}})
	host := strings.TrimPrefix(srv.URL(), "https://")
	for _, want := range []string{
		"| target | https://" + host,
		"`default` HTTP/2.0", // the default transport negotiates h2
		"`tuned` HTTP/1.1",   // the tuned factory's custom dialer does not
		"`default` TLS 1.3",
		"| baseline | `default`",
		"`tuned` served **",
		"Not judged in this run: the claims are judged on the built-in scenarios made for them (and on scenarios naming their `claims:` arms), and `ext-report` is not one",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	for _, unwanted := range []string{"| emulated RTT |", "| handler latency |", "no handler latency", "| HTTP/2 |", "served ** the req/s of `tuned`"} {
		if strings.Contains(md, unwanted) {
			t.Errorf("report says %q about an external backend", unwanted)
		}
	}
	// Judged as a built-in, the claims table's ratio is the verdict's.
	res.Origin = results.OriginBuiltin
	r := &results.Results{Scenarios: []results.Scenario{res}}
	verdict := regexp.MustCompile("`tuned` served \\*\\*([0-9.]+x)").FindStringSubmatch(render(r))
	var claim string
	for _, c := range analysis.Claims(r) {
		if strings.HasPrefix(c.Claim, "4x more req/s") {
			claim = c.Measured
		}
	}
	if verdict == nil || !strings.Contains(claim, "tuned/default") || !strings.Contains(claim, verdict[1]) {
		t.Errorf("verdict %q and claim %q disagree", verdict, claim)
	}
}
