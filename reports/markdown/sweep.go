package markdown

import (
	"fmt"
	"slices"
	"strings"

	"github.com/oranbench/oranbench/reports/analysis"
	"github.com/oranbench/oranbench/reports/results"
)

// sweepVerdictLine summarizes a sweep in one sentence.
func sweepVerdictLine(s results.Scenario) string {
	us := analysis.Pairs(&results.Results{Scenarios: []results.Scenario{s}})
	if len(us) == 0 {
		return fmt.Sprintf("**%s**: sweep of %d points over %s.", s.Name, len(s.Sweep.Points), strings.Join(s.Sweep.Params, " × "))
	}
	n4, n10 := 0, 0
	lo, hi := 0.0, 0.0
	for i, u := range us {
		if u.Metric == "" {
			continue
		}
		if u.Reached(4) {
			n4++
		}
		if u.Reached(10) {
			n10++
		}
		if i == 0 || u.Ratio < lo {
			lo = u.Ratio
		}
		if u.Ratio > hi {
			hi = u.Ratio
		}
	}
	line := fmt.Sprintf("**%s** (sweep over %s): tuned/default from %s to %s; ≥ 4x at %d of %d points, ≥ 10x at %d",
		s.Name, strings.Join(s.Sweep.Params, " × "), results.Times(lo), results.Times(hi), n4, len(us), n10)
	return line + otherArmsRange(s) + "."
}

// otherArmsRange gives, for each arm of a sweep beyond default and tuned, the
// range of its req/s ratio to the first arm across the points, e.g.
// "; tuned-capped/default from 1.00x to 10.91x".
func otherArmsRange(s results.Scenario) string {
	if len(s.Sweep.Points) == 0 {
		return ""
	}
	first := s.Sweep.Points[0].Result.Arms
	if len(first) < 2 {
		return ""
	}
	var out string
	for _, a := range first[1:] {
		if a.Profile == results.ProfileTuned {
			continue
		}
		lo, hi, n := 0.0, 0.0, 0
		for _, pt := range s.Sweep.Points {
			c, ok := pt.Result.Stats.Comparison(a.Name, first[0].Name, results.MetricReqPerSec)
			if !ok {
				continue
			}
			if n == 0 || c.Ratio < lo {
				lo = c.Ratio
			}
			hi = max(hi, c.Ratio)
			n++
		}
		if n > 0 {
			out += fmt.Sprintf("; %s/%s from %s to %s", a.Name, first[0].Name, results.Times(lo), results.Times(hi))
		}
	}
	return out
}

// sweep renders a sweep scenario: the ratio matrix, then one row per point.
func (p *printer) sweep(s results.Scenario) {
	p.h(2, "%s", scenarioHeading(s))
	p.f("%s\n\n", s.Description)
	sw := s.Sweep
	if len(sw.Points) == 0 {
		p.f("No sweep point completed.\n\n")
		return
	}
	first := sw.Points[0].Result
	c := first.Conditions
	tls := ""
	if !slices.Contains(sw.Params, "tls") {
		tls = ", TLS " + onOff(c.TLS)
	}
	p.f("Each point is a full interleaved run on its own backend: %s × %d repetitions (warm-up %s%s), order %s; routes %s. Swept: %s.\n\n",
		c.Duration, c.Repetitions, c.Warmup, tls, strings.Join(c.Order, " "), strings.Join(c.Routes, ", "), strings.Join(sw.Params, " × "))
	if c.Target != "" {
		p.f("Target: %s (external: not started by the run).\n\n", c.TargetHost())
	}
	if f := s.Fixtures; f != nil {
		p.f("Fixtures: %s.\n\n", fixturesText(*f))
		p.fixtureNotes(s)
	}
	for _, pt := range sw.Points {
		if pc := pt.Result.Conditions; pc.HTTP2 && pc.H2MaxStreams > 0 {
			p.f("Where HTTP/2 is on, the backend serves at most %d concurrent streams per connection.\n\n", pc.H2MaxStreams)
			break
		}
	}
	switch {
	case len(first.Arms) >= 2 && len(sw.Params) == 1:
		p.ratioLines(sw)
	case len(first.Arms) >= 2:
		for ai := 1; ai < len(first.Arms); ai++ {
			p.matrix(sw, ai)
		}
	}
	var lat, conns [][]string
	for _, pt := range sw.Points {
		r := pt.Result
		for ai, a := range r.Arms {
			label := ""
			if ai == 0 {
				label = sw.Label(pt)
			}
			t := a.Total
			lat = append(lat, []string{label, "`" + a.Name + "`", results.Num(t.SuccessPerSec), results.Dur(t.Latency.P50), results.Dur(t.Latency.P99), results.Pct(t.SuccessPct)})
			conns = append(conns, []string{label, "`" + a.Name + "`", results.Int(t.Client.Dials), results.Int(t.Client.TLSHandshakes), connWait(t.Client),
				orDash(t.Client.Protocol()), timeWait(t.Client)})
		}
	}
	p.h(3, "Latency per point")
	p.f("req/s is the median of the repetitions; p50 and p99 are from all repetitions' HdrHistograms merged; the ratios are above.\n\n")
	p.compactTable([]string{"point", "arm", "req/s", "p50 (merged)", "p99 (merged)", "success"}, lat)
	p.h(3, "Connections per point")
	p.compactTable([]string{"point", "arm", "dials", "TLS handshakes", "conn wait mean / p99", "protocol", "TIME_WAIT"}, conns)
	p.thresholds(s)
	for _, n := range s.Notes {
		p.f("> %s\n\n", n)
	}
}

// ratioCell is a sweep point's req/s ratio of arm over base: the ratio,
// marked where it reaches 4x or 10x, `~` when not significant.
func ratioCell(r results.Scenario, arm, base string) string {
	cmp, ok := r.Stats.Comparison(arm, base, results.MetricReqPerSec)
	if !ok {
		return "–"
	}
	txt := results.FormatRatioCI(cmp)
	switch {
	case !cmp.Significant:
	case cmp.Ratio >= 10:
		txt = "**" + txt + "** ≥10x"
	case cmp.Ratio >= 4:
		txt = "**" + txt + "** ≥4x"
	}
	return txt
}

// ratioLines renders a one-parameter sweep as one table: a row per swept
// value, a column per arm's req/s ratio to the first arm.
func (p *printer) ratioLines(sw *results.Sweep) {
	arms := sw.Points[0].Result.Arms
	base := arms[0].Name
	header := []string{sw.Params[0]}
	for _, a := range arms[1:] {
		header = append(header, fmt.Sprintf("`%s` / `%s`", a.Name, base))
	}
	var rows [][]string
	for _, pt := range sw.Points {
		row := []string{strings.Join(pt.Values, " ")}
		for _, a := range arms[1:] {
			row = append(row, ratioCell(pt.Result, a.Name, base))
		}
		rows = append(rows, row)
	}
	p.h(3, "Ratios: req/s over `%s`", base)
	p.f("Median ratio [interval]; **bold** marks where 4x and 10x are reached; `~` is not significant.\n\n")
	p.table(header, rows)
}

// matrix renders the req/s ratio of arm ai over arm 0 across the first two
// swept parameters, one table per combination of the others.
func (p *printer) matrix(sw *results.Sweep, ai int) {
	if len(sw.Params) == 0 {
		return
	}
	arm, base := sw.Points[0].Result.Arms[ai].Name, sw.Points[0].Result.Arms[0].Name
	values := make([][]string, len(sw.Params))
	for _, pt := range sw.Points {
		for i, v := range pt.Values {
			if i < len(values) && !slices.Contains(values[i], v) {
				values[i] = append(values[i], v)
			}
		}
	}
	cell := map[string]string{}
	for _, pt := range sw.Points {
		r := pt.Result
		cell[strings.Join(pt.Values, "\x00")] = ratioCell(r, arm, base)
	}
	rowParam, colParam := 0, -1
	if len(sw.Params) > 1 {
		colParam = 1
	}
	var rest [][]string // combinations of the remaining parameters
	rest = [][]string{nil}
	for i := 2; i < len(sw.Params); i++ {
		var next [][]string
		for _, prefix := range rest {
			for _, v := range values[i] {
				next = append(next, append(append([]string(nil), prefix...), v))
			}
		}
		rest = next
	}
	p.h(3, "Ratio matrix: `%s` / `%s` req/s", arm, base)
	p.f("**bold** marks where 4x and 10x are reached; `~` is not significant.\n\n")
	for _, combo := range rest {
		if len(combo) > 0 {
			var parts []string
			for i, v := range combo {
				parts = append(parts, sw.Params[i+2]+"="+v)
			}
			p.f("%s:\n\n", strings.Join(parts, ", "))
		}
		header := []string{sw.Params[rowParam]}
		cols := []string{""}
		if colParam >= 0 {
			header = []string{sw.Params[rowParam] + " \\ " + sw.Params[colParam]}
			cols = values[colParam]
			for _, v := range cols {
				header = append(header, v)
			}
		} else {
			header = append(header, "ratio")
		}
		var rows [][]string
		for _, rv := range values[rowParam] {
			row := []string{rv}
			for _, cv := range cols {
				key := []string{rv}
				if colParam >= 0 {
					key = append(key, cv)
				}
				key = append(key, combo...)
				txt, ok := cell[strings.Join(key, "\x00")]
				if !ok {
					txt = "not run"
				}
				row = append(row, txt)
			}
			rows = append(rows, row)
		}
		p.table(header, rows)
	}
}
