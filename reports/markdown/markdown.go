package markdown

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/oranbench/oranbench/reports/analysis"
	"github.com/oranbench/oranbench/reports/results"
)

// ReportFile is the name of REPORT.md in a report directory.
const ReportFile = "REPORT.md"

// ScenarioDir is the directory beside REPORT.md that holds one markdown
// file per scenario: its conditions, tables and plots, linked from the
// report's verdicts.
const ScenarioDir = "scenarios"

// MaxReportBytes is the most REPORT.md holds: about what a reader scrolls
// through on GitHub before giving up. A report that would be larger keeps
// its summary, claims and verdicts and moves each scenario's detail into a
// file of its own (WriteReport).
const MaxReportBytes = 60_000

// WriteReport renders r as REPORT.md at path (written atomically): one
// document when it fits in MaxReportBytes, else the summary, claims,
// recommendation and verdicts, with each scenario's detail in
// ScenarioDir/<name>.md beside it, linked from its verdict.
func WriteReport(path string, r *results.Results) error {
	var buf bytes.Buffer
	if err := Report(&buf, r); err != nil {
		return err
	}
	if buf.Len() <= MaxReportBytes {
		return results.WriteFileAtomic(path, buf.Bytes())
	}
	buf.Reset()
	if err := report(&printer{w: &buf, split: true}, r); err != nil {
		return err
	}
	if err := results.WriteFileAtomic(path, buf.Bytes()); err != nil {
		return err
	}
	dir := filepath.Join(filepath.Dir(path), ScenarioDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, s := range r.Scenarios {
		buf.Reset()
		if err := ScenarioReport(&buf, s); err != nil {
			return err
		}
		if err := results.WriteFileAtomic(filepath.Join(dir, ScenarioFile(s.Name)), buf.Bytes()); err != nil {
			return err
		}
	}
	return nil
}

// ScenarioFile is the name of a scenario's detail file in ScenarioDir.
func ScenarioFile(name string) string { return results.FileStem(name) + ".md" }

// ScenarioReport renders one scenario's detail as a document of its own,
// the file WriteReport puts in ScenarioDir: its links to plots and back to
// REPORT.md are relative to that directory.
func ScenarioReport(w io.Writer, s results.Scenario) error {
	p := &printer{w: w, split: true, depth: 1}
	p.f("[← REPORT.md](../%s) · [glossary](../%s#glossary)\n\n", ReportFile, ReportFile)
	p.detail(s)
	return p.err
}

// Report renders r as one markdown document: the summary, the verdicts on
// the seed's claims, the recommendation, a verdict per scenario and the
// glossary, followed by every scenario's detail (which WriteReport puts in
// files of their own).
func Report(w io.Writer, r *results.Results) error {
	return report(&printer{w: w}, r)
}

// ReportWith renders r like Report, with the verdicts of the claim set
// instead of the seed's: its title heads the claims table and its
// description introduces it. The seed's correction of its
// MaxIdleConnsPerHost story, which follows the seed's claims in Report, is
// left out.
func ReportWith(w io.Writer, r *results.Results, set analysis.ClaimSet) error {
	return report(&printer{w: w, set: set}, r)
}

func report(p *printer, r *results.Results) error {
	p.f("# oranbench report\n\n")
	if notes := runNotes(r); len(notes) > 0 {
		p.f("This run: %s.\n\n", strings.Join(notes, "; "))
	}
	cs := p.judge(r)
	if p.noneJudged(r) {
		cs = nil // every claim would read "not measurable here": said once instead
	}
	p.summary(r, cs)
	p.claims(r, cs)
	p.recommendation(r)
	p.thresholdSummary(r)
	p.verdicts(r)
	p.glossary()
	p.claimDetails(cs)
	if p.set == nil {
		p.correction(analysis.Pairs(analysis.Judged(r)))
	}
	if p.split {
		return p.err
	}
	for _, s := range r.Scenarios {
		p.detail(s)
	}
	return p.err
}

// detail renders one scenario's section: conditions, tables, plots.
func (p *printer) detail(s results.Scenario) {
	switch {
	case s.Failed():
		p.failed(s)
		return
	case s.Soak != nil:
		p.soak(s)
	case s.Sweep != nil:
		p.sweep(s)
	default:
		p.scenario(s)
	}
	p.plotLinks(s)
}

// scenarioLink is where a scenario's detail is: its file in ScenarioDir, or
// its section when the report is one document.
func (p *printer) scenarioLink(s results.Scenario) string {
	if p.split {
		return ScenarioDir + "/" + ScenarioFile(s.Name)
	}
	return "#" + anchor(scenarioHeading(s))
}

// scenarioHeading is a scenario's section heading (without the #s).
func scenarioHeading(s results.Scenario) string {
	switch {
	case s.Failed():
		return fmt.Sprintf("Scenario `%s`: FAILED", s.Name)
	case s.Soak != nil:
		return fmt.Sprintf("Soak `%s`", s.Name)
	}
	return fmt.Sprintf("Scenario `%s`", s.Name)
}

// anchor is the fragment GitHub gives a heading: lower case, punctuation
// other than - and _ dropped, spaces as -.
func anchor(heading string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(heading) {
		switch {
		case c == ' ':
			b.WriteByte('-')
		case c == '-' || c == '_' || unicode.IsLetter(c) || unicode.IsDigit(c):
			b.WriteRune(c)
		}
	}
	return b.String()
}

type printer struct {
	w   io.Writer
	err error
	// set judges the claims table; nil renders the seed's (see claims).
	set analysis.ClaimSet
	// split renders the report as REPORT.md with one linked file per
	// scenario (WriteReport) rather than one document; depth is how many
	// directories below REPORT.md the document being written is, for
	// relative links.
	split bool
	depth int
	// aligned pads tables to align their columns in the source.
	aligned bool
	// brief leaves out the links to sections a short document (the CI step
	// summary) does not have.
	brief bool
}

func (p *printer) f(format string, args ...any) {
	if p.err != nil {
		return
	}
	_, p.err = fmt.Fprintf(p.w, format, args...)
}

// table writes a GitHub markdown table, left-aligned, without the padding
// that aligns columns in the source: a reader sees the rendered table, and
// padding to the longest cell multiplies the file's size.
func (p *printer) table(header []string, rows [][]string) {
	if p.err != nil {
		return
	}
	if p.aligned {
		p.alignedTable(header, rows)
		return
	}
	var b strings.Builder
	line := func(cells []string) {
		b.WriteString("|")
		for i := range header {
			c := ""
			if i < len(cells) {
				c = cells[i]
			}
			b.WriteString(" " + cellText(c) + " |")
		}
		b.WriteString("\n")
	}
	line(header)
	b.WriteString("|" + strings.Repeat(":--|", len(header)) + "\n")
	for _, r := range rows {
		line(r)
	}
	p.f("%s\n", b.String())
}

// alignedTable writes a markdown table padded to align its columns in the
// source, for short documents read as text (the comparison of two runs).
func (p *printer) alignedTable(header []string, rows [][]string) {
	t := tablewriter.NewTable(p.w,
		tablewriter.WithRenderer(renderer.NewMarkdown()),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignment(tw.AlignLeft),
	)
	t.Header(header)
	for _, row := range rows {
		if err := t.Append(row); err != nil {
			p.err = err
			return
		}
	}
	if err := t.Render(); err != nil {
		p.err = err
		return
	}
	p.f("\n")
}

// cellText makes s safe in a table cell: no line breaks, pipes escaped.
func cellText(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	s = strings.ReplaceAll(s, `\|`, "|")
	return strings.ReplaceAll(s, "|", `\|`)
}

// runNotes says how r differs from a whole, complete run: quick, one shard,
// merged from shards, interrupted. REPORT.md and the CI step summary both
// show them.
func runNotes(r *results.Results) []string {
	var notes []string
	if r.Quick {
		notes = append(notes, "quick (shorter durations, fewer repetitions; treat ratios as indicative)")
	}
	if r.Shard != nil {
		notes = append(notes, fmt.Sprintf("shard %s of the load (merge the shards for the whole)", r.Shard))
	}
	if len(r.MergedFrom) > 0 {
		notes = append(notes, fmt.Sprintf("merged from %d shards", len(r.MergedFrom)))
	}
	if f := r.Failed(); len(f) > 0 {
		notes = append(notes, fmt.Sprintf("**%d of %d scenarios failed to run**", len(f), len(r.Scenarios)))
	}
	if r.Interrupted {
		notes = append(notes, "**interrupted, this report is partial**")
	}
	return notes
}

// verdicts writes one verdict line per scenario, each linked to the
// scenario's detail.
func (p *printer) verdicts(r *results.Results) {
	p.f("## Verdict\n\n")
	for _, s := range r.Scenarios {
		p.f("- %s [details](%s)\n", verdictLine(s), p.scenarioLink(s))
	}
	p.f("\n")
}

// verdictLine says in one sentence what the scenario found.
func verdictLine(s results.Scenario) string {
	if s.Failed() {
		return fmt.Sprintf("**%s**: **FAILED**, not measured: %s", s.Name, s.Error)
	}
	if s.Soak != nil {
		return soakVerdictLine(s)
	}
	if s.Sweep != nil || s.Stats != nil {
		return scenarioVerdict(s)
	}
	if len(s.Ratios) == 0 || len(s.Arms) < 2 {
		return fmt.Sprintf("**%s**: %s", s.Name, "one arm only; no comparison")
	}
	var parts []string
	for _, q := range s.Ratios {
		parts = append(parts, fmt.Sprintf("`%s` served **%s** the req/s of `%s` (p50 %s, p99 %s)",
			q.Arm, results.Times(q.ReqPerSec), q.Baseline, results.Times(q.P50), results.Times(q.P99)))
	}
	return fmt.Sprintf("**%s** (%s): %s.", s.Name, s.Conditions.Short(), strings.Join(parts, "; "))
}

// cancelledText says how many requests an interruption cut off, which the
// figures leave out; "" when none was.
func cancelledText(arms []results.Arm) string {
	var parts, limited []string
	for _, a := range arms {
		if a.Total.Cancelled > 0 && a.Total.Limiter != nil && !a.Total.Interrupted {
			// Requests still waiting for a token when the window ended.
			limited = append(limited, fmt.Sprintf("`%s`: %s", a.Name, results.Int(a.Total.Cancelled)))
			continue
		}
		if a.Total.Cancelled > 0 {
			parts = append(parts, fmt.Sprintf("`%s`: %s", a.Name, results.Int(a.Total.Cancelled)))
		}
	}
	var out []string
	if len(limited) > 0 {
		out = append(out, "Cancelled: the end of the measured window cut off the requests still waiting for a client-side limiter's token, or in flight ("+strings.Join(limited, ", ")+"); they were never sent and are counted as cancelled, not as errors.")
	}
	if len(parts) > 0 {
		out = append(out, "Cancelled: the interruption cut off requests in flight ("+strings.Join(parts, ", ")+"); they are counted as cancelled, not as errors, and left out of the requests and the success rate.")
	}
	return strings.Join(out, "\n\n> ")
}

// failed renders a scenario that failed to run: why, and that none of its
// figures are in the report.
func (p *printer) failed(s results.Scenario) {
	p.h(2, "%s", scenarioHeading(s))
	p.f("%s\n\n", s.Description)
	p.f("> **Failed:** %s\n>\n> Nothing of this scenario was measured; the other scenarios of the run are unaffected.\n\n", s.Error)
}

// backendText says where the backend ran and on which CPUs; "" when the
// results do not say (an external target, or results from before it was
// recorded).
func backendText(c results.Conditions) string {
	switch c.Isolation {
	case "process":
		if c.CPUs != nil {
			return fmt.Sprintf("mock in a process of its own on CPU %s; generator on CPU %s", c.CPUs.Backend, c.CPUs.Generator)
		}
		return "mock in a process of its own"
	case "in-process":
		return "mock in the generator's process, sharing its CPUs"
	}
	return ""
}

// observedRows are the conditions of a run against an external backend:
// the target (scheme, host and port), and per arm the protocol and TLS its
// connections negotiated, with the server's name; the mock's settings
// (HTTP/2, RTT, handler latency) did not apply and are not shown.
func observedRows(s results.Scenario) [][]string {
	c := s.Conditions
	rows := [][]string{{"target", c.TargetHost() + " (external: not started by the run; below, what the client observed)"}}
	var protos, tlsSeen, names []string
	for _, a := range s.Arms {
		protos = append(protos, fmt.Sprintf("`%s` %s", a.Name, analysis.ProtocolOf(&a)))
		t := a.Total.Client.TLS
		if t == nil {
			tlsSeen = append(tlsSeen, fmt.Sprintf("`%s` –", a.Name))
			continue
		}
		v := t.Version
		if t.ALPN != "" {
			v += " (ALPN " + t.ALPN + ")"
		}
		tlsSeen = append(tlsSeen, fmt.Sprintf("`%s` %s", a.Name, v))
		n := orDash(t.ServerName)
		if t.Certificate != "" {
			n += ", certificate for " + t.Certificate
		}
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	rows = append(rows, []string{"protocol negotiated", strings.Join(protos, ", ")})
	if c.TLS || len(names) > 0 {
		rows = append(rows, []string{"TLS negotiated", strings.Join(tlsSeen, ", ")},
			[]string{"server name (SNI)", strings.Join(names, "; ")})
	} else {
		rows = append(rows, []string{"TLS", "off"})
	}
	return rows
}

// fixturesText is what a run created and cleaned up, in one cell.
func fixturesText(f results.Fixtures) string {
	if f.Label == "" {
		return f.Mode + ": the run created no object it could label"
	}
	out := fmt.Sprintf("%s: %d created before the load; %d objects labelled `%s` deleted after it (fixtures and the mix's own creates); %d left", f.Mode, f.Created, f.Deleted, f.Label, f.Leftover)
	if f.Leftover > 0 || f.Error != "" {
		out = "**" + out + "**"
	}
	return out
}

// fixtureNotes flag, loudly, what a run left on an external backend and
// what it could not label.
func (p *printer) fixtureNotes(s results.Scenario) {
	f := s.Fixtures
	if f == nil {
		return
	}
	if f.Leftover > 0 || f.Error != "" {
		p.f("> **Left on the backend: %d objects labelled `%s`** (clean-up: %s). Delete them with `kubectl delete packagerevisions -A -l %s`.\n\n",
			f.Leftover, f.Label, orDash(f.Error), f.Label)
	}
	if len(f.Unlabelled) > 0 {
		p.f("> Not cleaned up: %s create objects outside the Kubernetes API or with labels of their own; the run cannot label them and leaves them on the backend.\n\n",
			strings.Join(f.Unlabelled, ", "))
	}
}

// scenarioVerdict says in one sentence what a scenario found: throughput for
// closed, search and storm runs, latency at the same offered load for open
// ones, with significance when statistics exist.
func scenarioVerdict(s results.Scenario) string {
	if s.Sweep != nil {
		return sweepVerdictLine(s)
	}
	if len(s.Arms) < 2 {
		return fmt.Sprintf("**%s**: one arm only; no comparison", s.Name)
	}
	base := s.Arms[0].Name
	cmp := func(arm, metric string, fallback float64) string {
		if c, ok := s.Stats.Comparison(arm, base, metric); ok {
			if !c.Significant {
				return results.BoundPrefix(c.Bound) + results.Times(c.Ratio) + " ~"
			}
			return results.BoundPrefix(c.Bound) + results.Times(c.Ratio)
		}
		return results.Times(fallback)
	}
	var parts []string
	for i, a := range s.Arms[1:] {
		q := results.Ratio{}
		if i < len(s.Ratios) {
			q = s.Ratios[i]
		}
		switch s.Conditions.Model.DecidingMetric() {
		case results.MetricP50:
			parts = append(parts, fmt.Sprintf("at the same offered load `%s` took **%s** the p50 of `%s` (p99 %s)",
				a.Name, cmp(a.Name, results.MetricP50, q.P50), base, cmp(a.Name, results.MetricP99, q.P99)))
		case results.MetricMaxRate:
			var xs, ys []float64
			xs, ys = analysis.Samples(a, results.MetricMaxRate), analysis.Samples(s.Arms[0], results.MetricMaxRate)
			r := 0.0
			if m := results.Median(ys); m > 0 {
				r = results.Median(xs) / m
			}
			parts = append(parts, fmt.Sprintf("`%s` sustained **%s** the rate of `%s` (%s vs %s req/s)",
				a.Name, cmp(a.Name, results.MetricMaxRate, r), base, results.Num(results.Median(xs)), results.Num(results.Median(ys))))
		default:
			parts = append(parts, fmt.Sprintf("`%s` served **%s** the req/s of `%s` (p50 %s, p99 %s)",
				a.Name, cmp(a.Name, results.MetricReqPerSec, q.ReqPerSec), base, cmp(a.Name, results.MetricP50, q.P50), cmp(a.Name, results.MetricP99, q.P99)))
		}
	}
	return fmt.Sprintf("**%s** (%s): %s.", s.Name, s.Conditions.Short(), strings.Join(parts, "; "))
}

// h writes a heading of level n in REPORT.md, one level higher in a
// scenario's own file.
func (p *printer) h(n int, format string, args ...any) {
	p.f(strings.Repeat("#", max(1, n-p.depth))+" "+format+"\n\n", args...)
}

func (p *printer) scenario(s results.Scenario) {
	p.h(2, "%s", scenarioHeading(s))
	p.f("%s\n\n", s.Description)
	c := s.Conditions
	p.h(3, "Conditions")
	tls := "off"
	if c.TLS {
		tls = strings.TrimSpace("on " + c.TLSVersion)
	}
	load := fmt.Sprintf("closed, %d workers", c.Concurrency)
	if c.Model != results.ModelClosed {
		load = string(c.Model) + ", " + loadShape(c)
	}
	handler := results.Dur(c.HandlerLatency)
	if c.Latency != "" {
		handler = c.Latency
	}
	condRows := [][]string{
		{"TLS", tls},
		{"HTTP/2", h2Text(c)},
		{"emulated RTT", results.Dur(c.RTT)},
		{"handler latency", handler},
	}
	if c.Target != "" {
		// An external backend: the mock's settings did not apply; what the
		// client saw is what the report can say.
		condRows = observedRows(s)
	}
	condRows = append(condRows,
		[]string{"load", load},
		[]string{"duration × repetitions", fmt.Sprintf("%s × %d (warm-up %s before each, not counted)", c.Duration, c.Repetitions, c.Warmup)},
		[]string{"routes", strings.Join(c.Routes, ", ")},
		[]string{"order", strings.Join(c.Order, " ")},
	)
	if len(s.Arms) > 1 {
		condRows = append(condRows, []string{"baseline", fmt.Sprintf("`%s`: every ratio is arm / `%s`", s.Arms[0].Name, s.Arms[0].Name)})
	}
	if b := backendText(c); b != "" {
		condRows = append(condRows, []string{"backend", b})
	}
	if f := s.Fixtures; f != nil {
		condRows = append(condRows, []string{"fixtures", fixturesText(*f)})
	}
	p.table([]string{"condition", "value"}, condRows)
	p.fixtureNotes(s)

	p.latency(s)
	if s.GeneratorCeiling > 0 {
		p.f("Generator ceiling: %s req/s; an arm above %d%% of it is *generator-bound* (see the glossary).\n\n",
			results.Num(s.GeneratorCeiling), results.GeneratorBoundPct)
	}
	p.ratios(s)
	p.connections(s)
	p.openLoad(s)
	p.limiter(s)
	p.response(s)
	p.search(s)
	p.thresholds(s)
	for _, n := range s.Notes {
		p.f("> %s\n\n", n)
	}
	if n := cancelledText(s.Arms); n != "" {
		p.f("> %s\n\n", n)
	}
	p.repetitions(s)
	p.errors(s)
}

// armValue is an arm's figure for metric as every table and sentence
// prints it: the median of the repetitions when the scenario has
// statistics, else the figure of all repetitions merged (fallback).
func armValue(s results.Scenario, arm, metric string, fallback float64) string {
	if e, ok := s.Stats.Arm(arm, metric); ok {
		return results.FormatEstimate(metric, e)
	}
	if results.IsLatencyMetric(metric) {
		return results.Dur(time.Duration(fallback))
	}
	return results.Num(fallback)
}

// latency renders each arm's throughput and service time: req/s and
// p50–p99 as medians of the repetitions with their interval, p99.9 and max
// from all repetitions' HdrHistograms merged.
func (p *printer) latency(s results.Scenario) {
	p.h(3, "Latency")
	search := false
	for _, a := range s.Arms {
		if _, ok := s.Stats.Arm(a.Name, results.MetricMaxRate); ok {
			search = true
		}
	}
	header := []string{"arm", "req/s", "p50", "p95", "p99", "p99.9 (merged)", "max", "success"}
	if search {
		header = append(header, "sustainable req/s")
	}
	var rows [][]string
	for _, a := range s.Arms {
		t := a.Total
		name := "`" + a.Name + "`"
		if a.GeneratorBound {
			name += " (generator-bound)"
		}
		row := []string{name,
			armValue(s, a.Name, results.MetricReqPerSec, t.SuccessPerSec),
			armValue(s, a.Name, results.MetricP50, float64(t.Latency.P50)),
			armValue(s, a.Name, results.MetricP95, float64(t.Latency.P95)),
			armValue(s, a.Name, results.MetricP99, float64(t.Latency.P99)),
			results.Dur(t.Latency.P999), results.Dur(t.Latency.Max), results.Pct(t.SuccessPct)}
		if search {
			row = append(row, armValue(s, a.Name, results.MetricMaxRate, 0))
		}
		rows = append(rows, row)
	}
	p.compactTable(header, rows)
}

// connections renders how each arm used its connections.
func (p *printer) connections(s results.Scenario) {
	p.h(3, "Connections")
	var rows [][]string
	for _, a := range s.Arms {
		t := a.Total
		hs := fmt.Sprintf("%s / %s", results.Int(t.Client.TLSHandshakes), serverCount(t.Server.Known, t.Server.TLSHandshakes))
		if !s.Conditions.TLS && t.Client.TLSHandshakes == 0 && t.Server.TLSHandshakes == 0 {
			hs = "–"
		}
		rows = append(rows, []string{"`" + a.Name + "`", results.Int(t.Requests), results.Int(t.Client.Dials),
			serverCount(t.Server.Known, t.Server.Accepted), results.Pct(t.Client.ReusePct), hs, results.Int(t.Client.TLSResumed),
			connWait(t.Client), orDash(t.Client.Protocol()), timeWait(t.Client)})
	}
	p.compactTable([]string{"arm", "requests", "dials", "accepted (server)", "reuse", "TLS handshakes (client / server)", "resumed", "conn wait mean / p99", "protocol", "TIME_WAIT"}, rows)
	if note := flowControlNote(s); note != "" {
		p.f("%s\n\n", note)
	}
}

// response renders the open model's response time, from each request's
// intended send time.
func (p *printer) response(s results.Scenario) {
	if !hasResponse(s) {
		return
	}
	p.h(3, "Response time")
	var rows [][]string
	for _, a := range s.Arms {
		r := a.Total.Response
		if r == nil {
			continue
		}
		rows = append(rows, []string{"`" + a.Name + "`", results.Dur(r.P50), results.Dur(r.P95),
			armValue(s, a.Name, results.MetricRespP99, float64(r.P99)), results.Dur(r.P999), results.Dur(r.Max)})
	}
	p.compactTable([]string{"arm", "resp p50 (merged)", "resp p95 (merged)", "resp p99", "resp p99.9 (merged)", "resp max"}, rows)
}

// repetitions renders one row per repetition in the order they ran.
func (p *printer) repetitions(s results.Scenario) {
	p.h(3, "Repetitions")
	type rr struct {
		arm string
		rep results.Rep
	}
	var all []rr
	for _, a := range s.Arms {
		for _, r := range a.Reps {
			all = append(all, rr{a.Name, r})
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].rep.Position < all[j].rep.Position })
	var rows [][]string
	for _, x := range all {
		rows = append(rows, []string{
			fmt.Sprint(x.rep.Position + 1), "`" + x.arm + "`", fmt.Sprint(x.rep.Index + 1),
			results.Num(x.rep.SuccessPerSec), results.Dur(x.rep.Latency.P50), results.Dur(x.rep.Latency.P99),
			results.Int(x.rep.Requests), results.Int(x.rep.Client.Dials), serverCount(x.rep.Server.Known, x.rep.Server.Accepted),
		})
	}
	p.table([]string{"#", "arm", "rep", "req/s", "p50", "p99", "requests", "dials (client)", "conns accepted (server)"}, rows)
}

// errors renders each arm's errors by text.
func (p *printer) errors(s results.Scenario) {
	var rows [][]string
	for _, a := range s.Arms {
		keys := make([]string, 0, len(a.Total.Errors))
		for k := range a.Total.Errors {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			rows = append(rows, []string{"`" + a.Name + "`", results.Int(a.Total.Errors[k]), k})
		}
		if a.Total.OtherErrors > 0 {
			rows = append(rows, []string{"`" + a.Name + "`", results.Int(a.Total.OtherErrors), "(other error texts)"})
		}
	}
	if len(rows) == 0 {
		return
	}
	p.h(3, "Errors")
	p.table([]string{"arm", "count", "error"}, rows)
}

// compactTable renders a table without the columns whose value is the same
// in every row, and says once what that value is: "Same for every row:
// protocol HTTP/1.1." A table of one row keeps all its columns.
func (p *printer) compactTable(header []string, rows [][]string) {
	if len(rows) < 2 {
		p.table(header, rows)
		return
	}
	var keep []int
	var same []string
	for c := range header {
		constant := c > 0
		for _, r := range rows[1:] {
			if c >= len(r) || c >= len(rows[0]) || r[c] != rows[0][c] {
				constant = false
				break
			}
		}
		if constant {
			same = append(same, header[c]+" "+rows[0][c])
			continue
		}
		keep = append(keep, c)
	}
	pick := func(r []string) []string {
		out := make([]string, 0, len(keep))
		for _, c := range keep {
			if c < len(r) {
				out = append(out, r[c])
			}
		}
		return out
	}
	out := make([][]string, len(rows))
	for i, r := range rows {
		out[i] = pick(r)
	}
	p.table(pick(header), out)
	if len(same) > 0 {
		p.f("Same for every row: %s.\n\n", strings.Join(same, "; "))
	}
}

// loadShape describes a non-closed load for the conditions table.
func loadShape(c results.Conditions) string {
	if c.Shape != "" {
		return c.Shape
	}
	return fmt.Sprintf("%.0f req/s", c.RatePerSec)
}

// connWait is "mean / p99" of an arm's wait for a connection.
func connWait(c results.ClientConns) string {
	return results.Dur(c.ConnWaitMean) + " / " + results.Dur(c.ConnWaitP99)
}

// timeWait is the TIME_WAIT count, or "not measured".
func timeWait(c results.ClientConns) string {
	if c.TimeWait == nil {
		return "not measured"
	}
	return results.Int(*c.TimeWait)
}

func hasResponse(s results.Scenario) bool {
	for _, a := range s.Arms {
		if a.Total.Response != nil {
			return true
		}
	}
	return false
}

func lagP99(l *results.Percentiles) time.Duration {
	if l == nil {
		return 0
	}
	return l.P99
}

// connSentence explains an arm's connection behaviour in one sentence, e.g.
// "default dialed 2,448 connections and made 2,448 TLS handshakes for 2,586 requests".
func connSentence(a results.Arm) string {
	t := a.Total
	s := fmt.Sprintf("`%s` dialed %s connections", a.Name, results.Int(t.Client.Dials))
	if t.Client.TLSHandshakes > 0 || t.Server.TLSHandshakes > 0 {
		s += fmt.Sprintf(" and made %s TLS handshakes (%s resumed)", results.Int(t.Client.TLSHandshakes), results.Int(t.Client.TLSResumed))
	}
	s += fmt.Sprintf(" for %s requests; %s of requests reused a pooled connection", results.Int(t.Requests), results.Pct(t.Client.ReusePct))
	if t.Server.Known {
		s += fmt.Sprintf("; the server accepted %s connections and completed %s handshakes", results.Int(t.Server.Accepted), results.Int(t.Server.TLSHandshakes))
	}
	return s + "."
}

func serverCount(known bool, n int64) string {
	if !known {
		return "n/a"
	}
	return results.Int(n)
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

// h2Text is the HTTP/2 condition, with the server's stream limit when known:
// "on, 100 streams per connection".
func h2Text(c results.Conditions) string {
	if c.HTTP2 && c.H2MaxStreams > 0 {
		return fmt.Sprintf("on, %d streams per connection", c.H2MaxStreams)
	}
	return onOff(c.HTTP2)
}
