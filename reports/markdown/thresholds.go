package markdown

import (
	"strings"

	"github.com/oranbench/oranbench/reports/analysis"
	"github.com/oranbench/oranbench/reports/results"
)

// thresholds renders a scenario's threshold results.
func (p *printer) thresholds(s results.Scenario) {
	if len(s.Thresholds) == 0 {
		return
	}
	p.h(3, "Thresholds")
	var rows [][]string
	for _, t := range s.Thresholds {
		verdict := "pass"
		if !t.Pass {
			verdict = "**FAIL**"
			if !t.Required {
				verdict = "fail (informative)"
			}
		}
		kind := "required"
		if !t.Required {
			kind = "informative"
		}
		m := t.MeasuredText
		if t.Note != "" {
			m = strings.TrimSpace(m + " " + t.Note)
		}
		expr := "`" + t.Expr + "`"
		if t.Point != "" {
			expr += " at " + t.Point
		}
		rows = append(rows, []string{expr, "`" + t.Arm + "`", kind, m, verdict})
	}
	p.compactTable([]string{"threshold", "arm", "kind", "measured", "result"}, rows)
}

// thresholdSummary lists failed required thresholds at the top of the report.
func (p *printer) thresholdSummary(r *results.Results) {
	total, failed := 0, analysis.FailedRequired(r)
	for _, s := range r.Scenarios {
		for _, t := range s.Thresholds {
			if t.Required {
				total++
			}
		}
	}
	if total == 0 {
		return
	}
	p.f("## Thresholds\n\n")
	if len(failed) == 0 {
		p.f("All %d required thresholds hold.\n\n", total)
		return
	}
	p.f("**%d of %d required thresholds failed** (%s):\n\n", len(failed), total, thresholdExit(r))
	for _, f := range failed {
		p.f("- %s\n", f.String())
	}
	p.f("\n")
}

// thresholdExit says what failed required thresholds did to the exit code:
// 1 on a complete run; an interrupted run, a run with a scenario that
// failed to run (2) or one shard of a run (judged on the merge) is not
// judged by them.
func thresholdExit(r *results.Results) string {
	switch {
	case r.Interrupted:
		return "on the partial figures of an interrupted run: not judged"
	case len(r.Failed()) > 0:
		return "exit code 2: a scenario failed to run"
	case r.Shard != nil:
		return "on this shard's share of the load: judged on the merged result"
	}
	return "exit code 1"
}
