package reports

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
)

// WriteMarkdown renders r as REPORT.md at path (written atomically).
func WriteMarkdown(path string, r *Results) error {
	var buf bytes.Buffer
	if err := Markdown(&buf, r); err != nil {
		return err
	}
	return writeAtomic(path, buf.Bytes())
}

// Markdown renders r as a markdown report: a verdict per scenario, then per
// scenario its conditions, the arm table, the ratio table, a sentence on
// connections and the per-repetition table.
func Markdown(w io.Writer, r *Results) error {
	p := &printer{w: w}
	p.f("# oranbench report\n\n")
	p.f("Measured %s on %s/%s, %d CPUs (GOMAXPROCS %d)%s, %s.",
		r.StartedAt.UTC().Format("2006-01-02 15:04 MST"), r.Machine.GOOS, r.Machine.GOARCH,
		r.Machine.NumCPU, r.Machine.GOMAXPROCS, cpuModel(r.Machine.CPUModel), r.Machine.GoVersion)
	if notes := runNotes(r); len(notes) > 0 {
		p.f(" This run: %s.", strings.Join(notes, "; "))
	}
	p.f("\n\n")
	p.claimsAndVerdict(r)
	for _, s := range r.Scenarios {
		if s.Sweep != nil {
			p.sweep(s)
		} else {
			p.scenario(s)
		}
		p.plots(s)
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

func cpuModel(m string) string {
	if m == "" {
		return ""
	}
	return " (" + m + ")"
}

// verdictLine says in one sentence what the scenario found.
func verdictLine(s Scenario) string {
	if s.Sweep != nil || s.Stats != nil {
		return scenarioVerdict(s)
	}
	if len(s.Ratios) == 0 || len(s.Arms) < 2 {
		return fmt.Sprintf("**%s**: %s", s.Name, "one arm only; no comparison")
	}
	var parts []string
	for _, q := range s.Ratios {
		parts = append(parts, fmt.Sprintf("`%s` served **%s** the req/s of `%s` (p50 %s, p99 %s)",
			q.Arm, Times(q.ReqPerSec), q.Baseline, Times(q.P50), Times(q.P99)))
	}
	return fmt.Sprintf("**%s** (%s): %s.", s.Name, s.Conditions.Short(), strings.Join(parts, "; "))
}

// Short describes the conditions in a few words, e.g.
// "TLS 1.3, RTT 0s, handler 0s, closed 20 workers".
func (c Conditions) Short() string {
	var b []string
	if c.TLS {
		b = append(b, strings.TrimSpace("TLS "+c.TLSVersion))
	} else {
		b = append(b, "plain HTTP")
	}
	if c.HTTP2 {
		b = append(b, "h2")
	}
	handler := "handler " + c.HandlerLatency.String()
	if c.Latency != "" {
		handler = "handler " + c.Latency
	}
	b = append(b, "RTT "+c.RTT.String(), handler)
	switch c.Model {
	case "closed":
		b = append(b, fmt.Sprintf("closed %d workers", c.Concurrency))
	case "open":
		if c.Shape != "" {
			b = append(b, "open "+c.Shape)
			break
		}
		b = append(b, fmt.Sprintf("open %.0f req/s", c.RatePerSec))
	default:
		b = append(b, c.Model)
	}
	return strings.Join(b, ", ")
}

func (p *printer) scenario(s Scenario) {
	p.f("## Scenario `%s`\n\n%s\n\n", s.Name, s.Description)
	c := s.Conditions
	p.f("### Conditions\n\n")
	tls := "off"
	if c.TLS {
		tls = strings.TrimSpace("on " + c.TLSVersion)
	}
	load := fmt.Sprintf("closed, %d workers", c.Concurrency)
	if c.Model != "closed" {
		load = c.Model + ", " + loadShape(c)
	}
	handler := Dur(c.HandlerLatency)
	if c.Latency != "" {
		handler = c.Latency
	}
	p.table([]string{"condition", "value"}, [][]string{
		{"TLS", tls},
		{"HTTP/2", onOff(c.HTTP2)},
		{"emulated RTT", Dur(c.RTT)},
		{"handler latency", handler},
		{"load", load},
		{"duration × repetitions", fmt.Sprintf("%s × %d (warm-up %s before each, not counted)", c.Duration, c.Repetitions, c.Warmup)},
		{"routes", strings.Join(c.Routes, ", ")},
		{"order", strings.Join(c.Order, " ")},
	})

	p.f("### Arms\n\nreq/s is successful responses per second, the median of the repetitions; latency percentiles are from all repetitions' HdrHistograms merged (service time: from send to last body byte).\n\n")
	rows := make([][]string, 0, len(s.Arms))
	for _, a := range s.Arms {
		t := a.Total
		rows = append(rows, []string{
			"`" + a.Name + "`",
			Num(t.SuccessPerSec),
			Dur(t.Latency.P50), Dur(t.Latency.P95), Dur(t.Latency.P99), Dur(t.Latency.P999), Dur(t.Latency.Max),
			Pct(t.SuccessPct),
			Int(t.Client.Dials),
			Pct(t.Client.ReusePct),
			fmt.Sprintf("%s / %s", Int(t.Client.TLSHandshakes), serverCount(t.Server.Known, t.Server.TLSHandshakes)),
			connWait(t.Client),
			orDash(t.Client.Protocol()),
			timeWait(t.Client),
		})
	}
	p.table([]string{"arm", "req/s", "p50", "p95", "p99", "p99.9", "max", "success", "dials", "reuse", "TLS handshakes (client / server)", "conn wait mean / p99", "protocol", "TIME_WAIT"}, rows)
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
			rows = append(rows, []string{"`" + a.Name + "`", Dur(r.P50), Dur(r.P95), Dur(r.P99), Dur(r.P999), Dur(r.Max), Dur(lagP99(l))})
		}
		p.table([]string{"arm", "resp p50", "resp p95", "resp p99", "resp p99.9", "resp max", "send lag p99"}, rows)
	}

	if len(s.Ratios) > 0 {
		p.f("### Ratio\n\nreq/s: higher is better. Latency: arm/baseline, lower is better.\n\n")
		rows = rows[:0]
		for _, q := range s.Ratios {
			rows = append(rows, []string{fmt.Sprintf("`%s` / `%s`", q.Arm, q.Baseline),
				Times(q.ReqPerSec), Times(q.P50), Times(q.P95), Times(q.P99), Times(q.P999)})
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

	p.f("### Repetitions\n\n")
	type rr struct {
		arm string
		rep Rep
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
			Num(x.rep.SuccessPerSec), Dur(x.rep.Latency.P50), Dur(x.rep.Latency.P99),
			Int(x.rep.Requests), Int(x.rep.Client.Dials), serverCount(x.rep.Server.Known, x.rep.Server.Accepted),
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
				rows = append(rows, []string{"`" + a.Name + "`", Int(a.Total.Errors[k]), k})
			}
			if a.Total.OtherErrors > 0 {
				rows = append(rows, []string{"`" + a.Name + "`", Int(a.Total.OtherErrors), "(other error texts)"})
			}
		}
		p.table([]string{"arm", "count", "error"}, rows)
	}
}

// connWait is "mean / p99" of an arm's wait for a connection.
func connWait(c ClientConns) string {
	return Dur(c.ConnWaitMean) + " / " + Dur(c.ConnWaitP99)
}

// timeWait is the TIME_WAIT count, or "not measured".
func timeWait(c ClientConns) string {
	if c.TimeWait == nil {
		return "not measured"
	}
	return Int(*c.TimeWait)
}

func hasResponse(s Scenario) bool {
	for _, a := range s.Arms {
		if a.Total.Response != nil {
			return true
		}
	}
	return false
}

func lagP99(l *Percentiles) time.Duration {
	if l == nil {
		return 0
	}
	return l.P99
}

// connSentence explains an arm's connection behaviour in one sentence, e.g.
// "default dialed 2,448 connections and made 2,448 TLS handshakes for 2,586 requests".
func connSentence(a Arm) string {
	t := a.Total
	s := fmt.Sprintf("`%s` dialed %s connections", a.Name, Int(t.Client.Dials))
	if t.Client.TLSHandshakes > 0 || t.Server.TLSHandshakes > 0 {
		s += fmt.Sprintf(" and made %s TLS handshakes (%s resumed)", Int(t.Client.TLSHandshakes), Int(t.Client.TLSResumed))
	}
	s += fmt.Sprintf(" for %s requests; %s of requests reused a pooled connection", Int(t.Requests), Pct(t.Client.ReusePct))
	if t.Server.Known {
		s += fmt.Sprintf("; the server accepted %s connections and completed %s handshakes", Int(t.Server.Accepted), Int(t.Server.TLSHandshakes))
	}
	return s + "."
}

func serverCount(known bool, n int64) string {
	if !known {
		return "n/a"
	}
	return Int(n)
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// Dur formats a latency for a table, e.g. "12.34 ms", "1.20 s", "85 µs".
func Dur(d time.Duration) string {
	switch {
	case d == 0:
		return "0"
	case d < time.Millisecond:
		return fmt.Sprintf("%d µs", d/time.Microsecond)
	case d < 100*time.Millisecond:
		return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
	case d < time.Second:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
}

// Times formats a ratio, e.g. "3.42x"; 0 (undefined) prints as "n/a".
func Times(x float64) string {
	if x == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.2fx", x)
}

// Pct formats a percentage, e.g. "99.9%".
func Pct(x float64) string {
	if x == 100 {
		return "100%"
	}
	return fmt.Sprintf("%.1f%%", x)
}

// Num formats a rate, e.g. "1,234".
func Num(x float64) string { return Int(int64(x + 0.5)) }

// Int formats a count with thousands separators, e.g. "12,345".
func Int(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// runNotes says how r differs from a whole, complete run: quick, one shard,
// merged from shards, interrupted. REPORT.md and the CI step summary both
// show them.
func runNotes(r *Results) []string {
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
	if r.Interrupted {
		notes = append(notes, "**interrupted, this report is partial**")
	}
	return notes
}

// claimsAndVerdict writes the seed-claims table and one verdict line per
// scenario: the top of REPORT.md and of the CI step summary.
func (p *printer) claimsAndVerdict(r *Results) {
	p.claims(r)
	p.f("## Verdict\n\n")
	for _, s := range r.Scenarios {
		p.f("- %s\n", verdictLine(s))
	}
	p.f("\n")
}
