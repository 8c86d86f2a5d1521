package markdown

import (
	"fmt"
	"strings"
	"time"

	"github.com/oranbench/oranbench/reports/analysis"
	"github.com/oranbench/oranbench/reports/results"
)

// ratios renders one table of ratios between arms: the repetitions'
// medians compared benchstat-style where the scenario has statistics, else
// the ratios of the merged figures. The per-arm medians it compares are the
// ones the latency table prints.
func (p *printer) ratios(s results.Scenario) {
	st := s.Stats
	if st == nil || len(st.Comparisons) == 0 {
		if len(s.Ratios) == 0 {
			return
		}
		p.h(3, "Ratios")
		var rows [][]string
		for _, q := range s.Ratios {
			rows = append(rows, []string{fmt.Sprintf("`%s` / `%s`", q.Arm, q.Baseline),
				results.Times(q.ReqPerSec), results.Times(q.P50), results.Times(q.P95), results.Times(q.P99), results.Times(q.P999)})
		}
		p.table([]string{"ratio", "req/s", "p50", "p95", "p99", "p99.9"}, rows)
		return
	}
	metrics := []string{results.MetricReqPerSec, results.MetricP50, results.MetricP95, results.MetricP99, results.MetricRespP99, results.MetricMaxRate}
	var used []string
	for _, m := range metrics {
		for _, c := range st.Comparisons {
			if c.Metric == m {
				used = append(used, m)
				break
			}
		}
	}
	reps := st.MinReps
	if reps == 0 {
		for _, a := range st.Arms {
			for _, m := range a.Metrics {
				if m.N > 0 && (reps == 0 || m.N < reps) {
					reps = m.N
				}
			}
		}
	}
	p.h(3, "Ratios")
	p.f("Ratio of the medians of %d repetitions per arm [interval] (p-value); see the glossary.", reps)
	if st.MinReps == 0 {
		p.f(" An arm completed no repetition before the run was interrupted.")
	}
	if st.Weak {
		p.f(" **Weak verdict: fewer than %d repetitions per arm.**", analysis.WeakBelowReps)
	}
	p.f("\n\n")
	header := []string{"comparison"}
	for _, m := range used {
		header = append(header, results.MetricHeader(m))
	}
	var rows [][]string
	seen := map[string]bool{}
	for _, c := range st.Comparisons {
		key := c.Arm + "/" + c.Baseline
		if seen[key] {
			continue
		}
		seen[key] = true
		row := []string{fmt.Sprintf("`%s` / `%s`", c.Arm, c.Baseline)}
		for _, m := range used {
			if cm, ok := st.Comparison(c.Arm, c.Baseline, m); ok {
				row = append(row, results.FormatComparison(cm))
			} else {
				row = append(row, "–")
			}
		}
		rows = append(rows, row)
	}
	p.table(header, rows)
}

// openLoad renders the open model's offered versus achieved load.
func (p *printer) openLoad(s results.Scenario) {
	var rows [][]string
	saturated := false
	for _, a := range s.Arms {
		o := a.Total.Open
		if o == nil {
			continue
		}
		flag := "no"
		if o.Saturated {
			flag, saturated = "**yes**: "+o.Reason, true
		}
		rows = append(rows, []string{"`" + a.Name + "`", o.Shape, results.Num(o.RequestedRate), results.Num(o.AchievedRate), results.Pct(o.AchievedPct),
			results.Int(o.LateHits), results.Dur(o.LagP99), results.Pct(a.Total.CPUPct), flag})
	}
	if len(rows) == 0 {
		return
	}
	p.h(3, "Offered load")
	p.f("Late hits were sent more than %s after they were due. %s\n\n", results.Dur(lateAfter(s)), cpuText(s.Conditions))
	p.compactTable([]string{"arm", "shape", "asked req/s", "sent req/s", "sent/asked", "late hits", "send lag p99", "CPU", "generator saturated"}, rows)
	if saturated {
		p.f("> **Invalid run**: the generator could not offer the asked load in at least one repetition, so the target was never tested at that rate. Lower the rate, raise maxWorkers, or run the mock elsewhere.\n\n")
	}
}

func lateAfter(s results.Scenario) time.Duration {
	for _, a := range s.Arms {
		if a.Total.Open != nil {
			return a.Total.Open.LateAfter
		}
	}
	return 0
}

// search renders each arm's sustainable-rate search.
func (p *printer) search(s results.Scenario) {
	var rows [][]string
	var slo time.Duration
	var pct float64
	for _, a := range s.Arms {
		for _, r := range a.Reps {
			if r.Search == nil {
				continue
			}
			slo, pct = r.Search.SLO, r.Search.Percentile
			var probes []string
			for _, pr := range r.Search.Probes {
				mark := "✗"
				if pr.Pass {
					mark = "✓"
				}
				probes = append(probes, fmt.Sprintf("%s %s", results.Num(pr.Rate), mark))
			}
			limit := ""
			if r.Search.Capped {
				limit = " (capped: maxRate passed)"
			}
			if r.Search.Floor {
				limit = " (even minRate failed)"
			}
			rows = append(rows, []string{"`" + a.Name + "`", fmt.Sprint(r.Index + 1), results.Num(r.Search.MaxRate) + limit, strings.Join(probes, " → ")})
		}
	}
	if len(rows) == 0 {
		return
	}
	p.h(3, "Sustainable rate")
	p.f("Highest constant rate with p%s of response time (from the intended send time) ≤ %s, achieved ≥ 99%% of asked and successes as configured; bisection per arm and repetition.\n\n", results.TrimFloat(pct, 2), results.Dur(slo))
	p.table([]string{"arm", "rep", "sustainable req/s", "probes (req/s, ✓ pass / ✗ fail)"}, rows)
}

// cpuText says what the open-load table's CPU column measures.
func cpuText(c results.Conditions) string {
	if c.Isolation == "process" {
		return "CPU is the generator's process (the mock runs in its own) in percent of the generator's cores."
	}
	return "CPU is the whole process (generator and in-process mock) in percent of all cores."
}
