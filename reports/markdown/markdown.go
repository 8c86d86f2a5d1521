package markdown

import (
	"bytes"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/oranbench/oranbench/reports/analysis"
	"github.com/oranbench/oranbench/reports/results"
)

// ReportFile is the name of REPORT.md in a report directory.
const ReportFile = "REPORT.md"

// WriteReport renders r as REPORT.md at path (written atomically).
func WriteReport(path string, r *results.Results) error {
	var buf bytes.Buffer
	if err := Report(&buf, r); err != nil {
		return err
	}
	return results.WriteFileAtomic(path, buf.Bytes())
}

// Report renders r as a markdown report: a verdict per scenario, then per
// scenario its conditions, the arm table, the ratio table, a sentence on
// connections and the per-repetition table.
func Report(w io.Writer, r *results.Results) error {
	p := &printer{w: w}
	p.f("# oranbench report\n\n")
	p.f("Measured %s on %s/%s, %d CPUs (GOMAXPROCS %d)%s, %s.",
		r.StartedAt.UTC().Format("2006-01-02 15:04 MST"), r.Machine.GOOS, r.Machine.GOARCH,
		r.Machine.NumCPU, r.Machine.GOMAXPROCS, results.CPUModelSuffix(r.Machine.CPUModel), r.Machine.GoVersion)
	if notes := runNotes(r); len(notes) > 0 {
		p.f(" This run: %s.", strings.Join(notes, "; "))
	}
	p.f("\n\n")
	p.claimsAndVerdict(r)
	for _, s := range r.Scenarios {
		switch {
		case s.Failed():
			p.failed(s)
			continue
		case s.Soak != nil:
			p.soak(s)
		case s.Sweep != nil:
			p.sweep(s)
		default:
			p.scenario(s)
		}
		p.plotLinks(s)
	}
	return p.err
}

type printer struct {
	w   io.Writer
	err error
}

func (p *printer) f(format string, args ...any) {
	if p.err != nil {
		return
	}
	_, p.err = fmt.Fprintf(p.w, format, args...)
}

func (p *printer) table(header []string, rows [][]string) {
	if p.err != nil {
		return
	}
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

// claimsAndVerdict writes the seed-claims table and one verdict line per
// scenario: the top of REPORT.md and of the CI step summary.
func (p *printer) claimsAndVerdict(r *results.Results) {
	p.claims(r)
	p.f("## Verdict\n\n")
	for _, s := range r.Scenarios {
		p.f("- %s\n", verdictLine(s))
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
	var parts []string
	for _, a := range arms {
		if a.Total.Cancelled > 0 {
			parts = append(parts, fmt.Sprintf("`%s`: %s", a.Name, results.Int(a.Total.Cancelled)))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "Cancelled: the interruption cut off requests in flight (" + strings.Join(parts, ", ") + "); they are counted as cancelled, not as errors, and left out of the requests and the success rate."
}

// failed renders a scenario that failed to run: why, and that none of its
// figures are in the report.
func (p *printer) failed(s results.Scenario) {
	p.f("## Scenario `%s`: FAILED\n\n%s\n\n", s.Name, s.Description)
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

func (p *printer) scenario(s results.Scenario) {
	p.f("## Scenario `%s`\n\n%s\n\n", s.Name, s.Description)
	c := s.Conditions
	p.f("### Conditions\n\n")
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
		{"load", load},
		{"duration × repetitions", fmt.Sprintf("%s × %d (warm-up %s before each, not counted)", c.Duration, c.Repetitions, c.Warmup)},
		{"routes", strings.Join(c.Routes, ", ")},
		{"order", strings.Join(c.Order, " ")},
	}
	if b := backendText(c); b != "" {
		condRows = append(condRows, []string{"backend", b})
	}
	p.table([]string{"condition", "value"}, condRows)

	p.f("### Arms\n\nreq/s is successful responses per second, the median of the repetitions; latency percentiles are from all repetitions' HdrHistograms merged (service time: from send to last body byte).\n\n")
	rows := make([][]string, 0, len(s.Arms))
	for _, a := range s.Arms {
		t := a.Total
		name := "`" + a.Name + "`"
		if a.GeneratorBound {
			name += " (generator-bound)"
		}
		rows = append(rows, []string{
			name,
			results.Num(t.SuccessPerSec),
			results.Dur(t.Latency.P50), results.Dur(t.Latency.P95), results.Dur(t.Latency.P99), results.Dur(t.Latency.P999), results.Dur(t.Latency.Max),
			results.Pct(t.SuccessPct),
			results.Int(t.Client.Dials),
			results.Pct(t.Client.ReusePct),
			fmt.Sprintf("%s / %s", results.Int(t.Client.TLSHandshakes), serverCount(t.Server.Known, t.Server.TLSHandshakes)),
			connWait(t.Client),
			orDash(t.Client.Protocol()),
			timeWait(t.Client),
		})
	}
	p.table([]string{"arm", "req/s", "p50", "p95", "p99", "p99.9", "max", "success", "dials", "reuse", "TLS handshakes (client / server)", "conn wait mean / p99", "protocol", "TIME_WAIT"}, rows)
	if s.GeneratorCeiling > 0 {
		p.f("Generator ceiling: %s req/s, the same engine, mix and tracing at this load against a transport that answers from memory. An arm above %d%% of it is *generator-bound*: the harness limited it too, so its req/s, and any ratio with it on top, is a lower bound (\"at least\").\n\n",
			results.Num(s.GeneratorCeiling), results.GeneratorBoundPct)
	}
	p.f("conn wait is the time from asking the pool for a connection to getting one (dialing, or queueing under MaxConnsPerHost), k6's `http_req_blocked`. TIME_WAIT counts the client's sockets towards the backend that entered TIME_WAIT during the measured attacks: connections it closed first, each holding an ephemeral port for 60 s on Linux. Over TLS many such closes end in a reset instead (the server's close_notify reaches a socket the client has already closed), which leaves no TIME_WAIT; dials then show the churn.\n\n")
	p.stats(s)
	p.openLoad(s)
	p.search(s)
	p.thresholds(s)

	if hasResponse(s) {
		p.f("Open model: response time measured from each request's intended send time (coordinated omission corrected), and how late the generator sent.\n\n")
		rows = rows[:0]
		for _, a := range s.Arms {
			if a.Total.Response == nil {
				continue
			}
			r, l := a.Total.Response, a.Total.Lag
			rows = append(rows, []string{"`" + a.Name + "`", results.Dur(r.P50), results.Dur(r.P95), results.Dur(r.P99), results.Dur(r.P999), results.Dur(r.Max), results.Dur(lagP99(l))})
		}
		p.table([]string{"arm", "resp p50", "resp p95", "resp p99", "resp p99.9", "resp max", "send lag p99"}, rows)
	}

	if len(s.Ratios) > 0 {
		p.f("### Ratio\n\nreq/s: higher is better. Latency: arm/baseline, lower is better.\n\n")
		rows = rows[:0]
		for _, q := range s.Ratios {
			rows = append(rows, []string{fmt.Sprintf("`%s` / `%s`", q.Arm, q.Baseline),
				results.Times(q.ReqPerSec), results.Times(q.P50), results.Times(q.P95), results.Times(q.P99), results.Times(q.P999)})
		}
		p.table([]string{"ratio", "req/s", "p50", "p95", "p99", "p99.9"}, rows)
	}

	p.f("### Connections\n\n")
	for _, a := range s.Arms {
		p.f("- %s\n", connSentence(a))
	}
	p.f("\n")
	for _, n := range s.Notes {
		p.f("> %s\n\n", n)
	}
	if n := cancelledText(s.Arms); n != "" {
		p.f("> %s\n\n", n)
	}

	p.f("### Repetitions\n\n")
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
	rows = rows[:0]
	for _, x := range all {
		rows = append(rows, []string{
			fmt.Sprint(x.rep.Position + 1), "`" + x.arm + "`", fmt.Sprint(x.rep.Index + 1),
			results.Num(x.rep.SuccessPerSec), results.Dur(x.rep.Latency.P50), results.Dur(x.rep.Latency.P99),
			results.Int(x.rep.Requests), results.Int(x.rep.Client.Dials), serverCount(x.rep.Server.Known, x.rep.Server.Accepted),
		})
	}
	p.table([]string{"#", "arm", "rep", "req/s", "p50", "p99", "requests", "dials (client)", "conns accepted (server)"}, rows)
	errs := false
	for _, a := range s.Arms {
		if len(a.Total.Errors) > 0 || a.Total.OtherErrors > 0 {
			errs = true
		}
	}
	if errs {
		p.f("### Errors\n\n")
		rows = rows[:0]
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
		p.table([]string{"arm", "count", "error"}, rows)
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
