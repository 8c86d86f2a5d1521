package markdown

import (
	"fmt"
	"io"
	"strings"

	"github.com/oranbench/oranbench/reports/analysis"
	"github.com/oranbench/oranbench/reports/results"
)

// SummaryMaxLines is the most lines Summary prints: one screen of a
// terminal after a run, like k6's end-of-test summary.
const SummaryMaxLines = 20

// Summary prints what a run found as plain text, at most SummaryMaxLines
// lines, for the terminal at its end: where it ran, one line per scenario
// with its verdict (✓ its thresholds hold, ✗ one failed or the scenario
// did not run), the verdicts of the seed's claims when the built-in
// suite's runs are in r, the Ship line, the thresholds and where the
// report is. For example:
//
//	oranbench: 12 scenarios in 9m16s on linux/amd64, 2 CPUs (AMD EPYC)
//	  ✓ seed-20-concurrent      tuned 1.13x the req/s of default (p50 1.01x ~, p99 0.48x)
//	  …
//	claims: 4x holds only when (4 of 21 conditions), 10x holds only when (4 of 21 conditions); 2 hold, …
//	Ship: tuned with MaxConnsPerHost 50, ForceAttemptHTTP2 true; as tuned-h2-capped it won 2 of the 2 runs it took part in
//	thresholds: ✓ all 23 required hold
//	report: reports/latest/REPORT.md
func Summary(w io.Writer, r *results.Results, reportPath string) error {
	var lines []string
	head := fmt.Sprintf("oranbench: %d scenario", len(r.Scenarios))
	if len(r.Scenarios) != 1 {
		head += "s"
	}
	if !r.FinishedAt.IsZero() && r.FinishedAt.After(r.StartedAt) {
		head += " in " + r.FinishedAt.Sub(r.StartedAt).Round(1e9).String()
	}
	m := r.Machine
	head += fmt.Sprintf(" on %s/%s, %d CPUs%s", m.GOOS, m.GOARCH, m.NumCPU, results.CPUModelSuffix(m.CPUModel))
	if notes := runNotes(r); len(notes) > 0 {
		head += "; " + plain(strings.Join(notes, "; "))
	}
	lines = append(lines, head)

	width := 0
	for _, s := range r.Scenarios {
		width = max(width, len(s.Name))
	}
	var tail []string
	cs := analysis.Seed.Judge(r)
	if c := claimsLine(r, cs); c != "" {
		tail = append(tail, c)
	}
	if rec := analysis.Recommend(r); hasRecommendation(rec) {
		tail = append(tail, plain(shipSummary(rec)))
	}
	tail = append(tail, thresholdsLines(r)...)
	for _, s := range r.Scenarios {
		if f := s.Fixtures; f != nil && (f.Leftover > 0 || f.Error != "") {
			tail = append(tail, fmt.Sprintf("LEFT ON THE BACKEND by %s: %d objects labelled %s (delete: kubectl delete packagerevisions -A -l %s)", s.Name, f.Leftover, f.Label, f.Label))
		}
	}
	if reportPath != "" {
		tail = append(tail, "report: "+reportPath)
	}
	room := SummaryMaxLines - len(lines) - len(tail)
	for i, s := range r.Scenarios {
		if i == room-1 && len(r.Scenarios) > room {
			lines = append(lines, fmt.Sprintf("  … %d more scenarios in the report", len(r.Scenarios)-i))
			break
		}
		lines = append(lines, fmt.Sprintf("  %s %-*s  %s", scenarioMark(s), width, s.Name, shortVerdict(s)))
	}
	lines = append(lines, tail...)
	_, err := io.WriteString(w, strings.Join(lines, "\n")+"\n")
	return err
}

// plain drops the markdown emphasis and code marks of s.
func plain(s string) string {
	return strings.NewReplacer("**", "", "`", "").Replace(s)
}

// scenarioMark is ✗ for a scenario that failed to run or failed a required
// threshold, ✓ for one whose thresholds hold, · for one without any.
func scenarioMark(s results.Scenario) string {
	if s.Failed() {
		return "✗"
	}
	mark := "·"
	for _, t := range s.Thresholds {
		if !t.Required {
			continue
		}
		if !t.Pass {
			return "✗"
		}
		mark = "✓"
	}
	return mark
}

// shortVerdict is a scenario's verdict in a few words of plain text.
func shortVerdict(s results.Scenario) string {
	switch {
	case s.Failed():
		return "FAILED: " + s.Error
	case s.Soak != nil && s.Soak.Concurrent:
		return plain(soakFinding(s)) + fmt.Sprintf(" (%d subjects at once for %s)", len(analysis.SoakSubjects(s.Soak)), analysis.SoakPhaseLength(s.Soak))
	case s.Soak != nil:
		return plain(soakFinding(s)) + fmt.Sprintf(" (%d phases of %s)", len(s.Soak.Phases), analysis.SoakPhaseLength(s.Soak))
	}
	v := plain(verdictLine(s))
	// Drop the name and the conditions: "name (conditions): verdict."
	if i := strings.Index(v, "): "); i >= 0 {
		v = v[i+3:]
	} else if i := strings.Index(v, ": "); i >= 0 {
		v = v[i+2:]
	}
	v = strings.TrimSuffix(v, ".")
	v = strings.ReplaceAll(v, "at the same offered load ", "")
	if r := []rune(v); len(r) > maxVerdictRunes {
		v = string(r[:maxVerdictRunes-1]) + "…"
	}
	return v
}

// maxVerdictRunes keeps a scenario's line of the summary within a wide
// terminal.
const maxVerdictRunes = 100

// claimsLine gives the 4x and 10x verdicts and the count of the seed's
// verdicts; "" when no run compared default and tuned (not the built-in
// suite).
func claimsLine(r *results.Results, cs []results.Claim) string {
	if len(analysis.Pairs(analysis.Judged(r))) == 0 || len(cs) < 2 {
		return ""
	}
	var parts []string
	for i, x := range []float64{4, 10} {
		parts = append(parts, fmt.Sprintf("%gx %s %s", x, cs[i].Verdict, factorCount(r, x)))
	}
	return "claims: " + strings.Join(parts, ", ") + "; " + verdictCounts(cs)
}

// factorCount is "(n of m conditions)" for the tuned/default ratio
// reaching x.
func factorCount(r *results.Results, x float64) string {
	n, m := 0, 0
	for _, u := range analysis.Pairs(analysis.Judged(r)) {
		if u.Metric != "" && u.Ratio > 0 {
			m++
			if u.Reached(x) {
				n++
			}
		}
	}
	return fmt.Sprintf("(%d of %d conditions)", n, m)
}

func hasRecommendation(rec analysis.Recommendation) bool {
	for _, f := range rec.Families {
		if len(f.Runs) > 0 {
			return true
		}
	}
	return false
}

// thresholdsLines is the thresholds' verdict, then the first failed ones
// (at most 3) with what they measured.
func thresholdsLines(r *results.Results) []string {
	t := thresholdLine(r)
	if t == "" {
		return []string{"thresholds: none set"}
	}
	out := []string{strings.Replace(plain(t), "Thresholds: ", "thresholds: ", 1)}
	failed := analysis.FailedRequired(r)
	for i, f := range failed {
		if i == 3 {
			out = append(out, fmt.Sprintf("  ✗ … %d more in the report", len(failed)-i))
			break
		}
		out = append(out, "  ✗ "+plain(f.String()))
	}
	return out
}
