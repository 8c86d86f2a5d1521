package markdown

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/oranbench/oranbench/reports/analysis"
	"github.com/oranbench/oranbench/reports/internal/synth"
	"github.com/oranbench/oranbench/reports/results"
)

// imaginarySet is a claim set of an imaginary vendor about its "fast"
// transport against a "slow" one: not the seed's, and known to the
// analysis and the renderer only through analysis.ClaimSet.
func imaginarySet() analysis.ClaimSet {
	return &analysis.Set{
		Name:  "Imaginary transport claims",
		About: "What the vendor of the fast transport says, measured against the slow one.",
		Roles: analysis.Roles{Baseline: "slow", Candidate: "fast"},
		Claims: []analysis.Claim{
			{Text: "fast serves at least 2x slow's req/s", Rule: analysis.RuleFunc(func(rs analysis.Runs) results.Claim {
				var c results.Claim
				for _, p := range rs.Pairs() {
					c.Measured, c.Conditions = fmt.Sprintf("fast/slow req/s %s", results.Times(p.Ratio)), p.Label
					if p.Ratio >= 2 {
						c.Verdict = analysis.VerdictHolds
						return c
					}
				}
				c.Verdict = analysis.VerdictDoesNotHold
				return c
			})},
			{Text: "fast dials no more per request than slow", Rule: analysis.RuleFunc(func(rs analysis.Runs) results.Claim {
				c := results.Claim{Verdict: analysis.VerdictNotMeasurable, Reason: "no run had both arms"}
				for _, u := range rs.All() {
					fast, slow := u.Candidate(), u.Baseline()
					if fast == nil || slow == nil {
						continue
					}
					c.Measured = fmt.Sprintf("fast %.2f, slow %.2f dials per request", analysis.DialShare(fast), analysis.DialShare(slow))
					c.Conditions, c.Verdict, c.Reason = u.Where(), analysis.VerdictHolds, ""
					if analysis.DialShare(fast) > analysis.DialShare(slow) {
						c.Verdict, c.Reason = analysis.VerdictDoesNotHold, "fast dials more"
					}
				}
				return c
			})},
		},
	}
}

// imaginaryRun is one closed scenario where fast serves 3x slow's req/s but
// dials for a tenth of its requests, and slow for a fiftieth.
func imaginaryRun(t *testing.T) *results.Results {
	rates := []float64{1000, 1010, 990, 1005, 995}
	slow := synth.Arm(t, "slow", 0, 2, rates, []float64{1, 1, 1, 1, 1}, 12*time.Millisecond, 10)
	fast := synth.Arm(t, "fast", 1, 2, synth.Scaled(rates, 3), []float64{1, 1, 1, 1, 1}, 4*time.Millisecond, 50)
	s := results.Scenario{Name: "imaginary", Description: "synthetic",
		Conditions: results.Conditions{Model: "closed", Concurrency: 10, Duration: time.Second, Repetitions: 5},
		Arms:       []results.Arm{slow, fast}}
	analysis.Finalize(&s, nil)
	return &results.Results{Scenarios: []results.Scenario{s}}
}

// A second, made-up claim set goes through the same abstraction and
// renderer as the seed's: its verdicts come from its own rules, and its
// title and description replace "Seed claims".
func TestASecondClaimSetIsJudgedAndRenderedLikeTheSeeds(t *testing.T) {
	set, r := imaginarySet(), imaginaryRun(t)
	got := set.Judge(r)
	want := []struct{ claim, verdict, measured string }{
		{"fast serves at least 2x slow's req/s", analysis.VerdictHolds, "fast/slow req/s 3.00x"},
		{"fast dials no more per request than slow", analysis.VerdictDoesNotHold, "fast 0.10, slow 0.02 dials per request"},
	}
	if len(got) != len(want) {
		t.Fatalf("%d verdicts, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		t.Logf("%s: %s (%s)", got[i].Claim, got[i].Verdict, got[i].Measured)
		if got[i].Claim != w.claim || got[i].Verdict != w.verdict || got[i].Measured != w.measured {
			t.Errorf("claim %d = %+v, want %+v", i, got[i], w)
		}
	}

	var buf bytes.Buffer
	if err := ReportWith(&buf, r, set); err != nil {
		t.Fatal(err)
	}
	md := buf.String()
	from := strings.Index(md, "## Imaginary")
	if from < 0 {
		t.Fatalf("no claims table:\n%s", md)
	}
	table := md[from : from+3+strings.Index(md[from+3:], "\n## ")]
	details := md[strings.Index(md, "## Claims in detail"):]
	t.Logf("rendered:\n%s", table)
	table = strings.Join(strings.Fields(table), " ") // without the table's padding
	for _, s := range []string{
		"## Imaginary transport claims What the vendor of the fast transport says, measured against the slow one. |",
		"| fast serves at least 2x slow's req/s | **holds** | fast/slow req/s 3.00x | [why](#claim-1) |",
		"| fast dials no more per request than slow | **does not hold** | fast 0.10, slow 0.02 dials per request | [why](#claim-2) |",
	} {
		if !strings.Contains(table, s) {
			t.Errorf("the claims table lacks %q", s)
		}
	}
	for _, s := range []string{
		"**2. fast dials no more per request than slow** — **does not hold**: fast dials more",
		"- conditions: imaginary (plain HTTP, RTT 0s, handler 0s, closed 10 workers)",
	} {
		if !strings.Contains(details, s) {
			t.Errorf("the claims' details lack %q:\n%s", s, details)
		}
	}
	if strings.Contains(md, "Seed claims") || strings.Contains(md, "seed's results document") {
		t.Errorf("a report of another claim set speaks of the seed's:\n%s", table)
	}

	// A result with the seed's arms: Report judges it by the seed's set and
	// explains the seed's MaxIdleConnsPerHost story; ReportWith leaves both
	// to the seed.
	r = synth.Results(t, 1, 1, synth.Spread5)
	buf.Reset()
	if err := Report(&buf, r); err != nil {
		t.Fatal(err)
	}
	if md := buf.String(); !strings.Contains(md, "## Seed claims\n\nEach claim of the seed's results document") || !strings.Contains(md, "## MaxIdleConnsPerHost=2") {
		t.Errorf("Report lost the seed's heading or correction:\n%s", md)
	}
	buf.Reset()
	if err := ReportWith(&buf, r, set); err != nil {
		t.Fatal(err)
	}
	if md := buf.String(); strings.Contains(md, "Seed claims") || strings.Contains(md, "The seed says") {
		t.Errorf("a report of another claim set speaks of the seed's:\n%s", md)
	}
}
