package analysis

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/oranbench/oranbench/reports/results"
)

// unit is what a metric's value means and how a threshold writes it.
type unit int

const (
	unitLatency unit = iota // a duration: "250ms"
	unitRate                // requests per second: "200/s" or "200"
	unitPercent             // "99.9%" or "99.9"
	unitCount               // a plain number
)

func (u unit) want() string {
	switch u {
	case unitLatency:
		return "a duration such as 250ms"
	case unitRate:
		return "a rate such as 200/s"
	case unitPercent:
		return "a percentage such as 99.9%"
	}
	return "a number"
}

// metricDef is one metric a threshold can test. of reads it from an arm.
type metricDef struct {
	unit unit
	desc string
	of   func(a results.Arm) (float64, bool)
}

func latencyOf(get func(results.Summary) *results.Percentiles, pick func(results.Percentiles) time.Duration) func(results.Arm) (float64, bool) {
	return func(a results.Arm) (float64, bool) {
		p := get(a.Total)
		if p == nil || a.Total.Requests == 0 {
			return 0, false
		}
		return float64(pick(*p)), true
	}
}

func service(s results.Summary) *results.Percentiles { return &s.Latency }

func response(s results.Summary) *results.Percentiles { return s.Response }

func lag(s results.Summary) *results.Percentiles { return s.Lag }

var metrics = map[string]metricDef{
	"p50":        {unitLatency, "service time p50", latencyOf(service, func(p results.Percentiles) time.Duration { return p.P50 })},
	"p90":        {unitLatency, "service time p90", latencyOf(service, func(p results.Percentiles) time.Duration { return p.P90 })},
	"p95":        {unitLatency, "service time p95", latencyOf(service, func(p results.Percentiles) time.Duration { return p.P95 })},
	"p99":        {unitLatency, "service time p99", latencyOf(service, func(p results.Percentiles) time.Duration { return p.P99 })},
	"p99.9":      {unitLatency, "service time p99.9", latencyOf(service, func(p results.Percentiles) time.Duration { return p.P999 })},
	"max":        {unitLatency, "service time max", latencyOf(service, func(p results.Percentiles) time.Duration { return p.Max })},
	"mean":       {unitLatency, "service time mean", latencyOf(service, func(p results.Percentiles) time.Duration { return p.Mean })},
	"resp_p50":   {unitLatency, "response time p50 from the intended send time (open model)", latencyOf(response, func(p results.Percentiles) time.Duration { return p.P50 })},
	"resp_p95":   {unitLatency, "response time p95 (open model)", latencyOf(response, func(p results.Percentiles) time.Duration { return p.P95 })},
	"resp_p99":   {unitLatency, "response time p99 (open model)", latencyOf(response, func(p results.Percentiles) time.Duration { return p.P99 })},
	"resp_p99.9": {unitLatency, "response time p99.9 (open model)", latencyOf(response, func(p results.Percentiles) time.Duration { return p.P999 })},
	"resp_max":   {unitLatency, "response time max (open model)", latencyOf(response, func(p results.Percentiles) time.Duration { return p.Max })},
	"lag_p99":    {unitLatency, "generator send lag p99 (open model)", latencyOf(lag, func(p results.Percentiles) time.Duration { return p.P99 })},
	"req_per_s":  {unitRate, "successful responses per second, median of repetitions", func(a results.Arm) (float64, bool) { return a.Total.SuccessPerSec, len(a.Reps) > 0 }},
	"success":    {unitPercent, "successful responses in percent", func(a results.Arm) (float64, bool) { return a.Total.SuccessPct, a.Total.Requests > 0 }},
	"errors": {unitPercent, "failed responses in percent", func(a results.Arm) (float64, bool) {
		return 100 - a.Total.SuccessPct, a.Total.Requests > 0
	}},
	"reuse": {unitPercent, "requests on a reused connection in percent", func(a results.Arm) (float64, bool) { return a.Total.Client.ReusePct, a.Total.Requests > 0 }},
	"http2": {unitPercent, "responses that came over HTTP/2 in percent of those whose protocol was counted", func(a results.Arm) (float64, bool) {
		var all int64
		for _, n := range a.Total.Client.Protocols {
			all += n
		}
		if all == 0 {
			return 0, false
		}
		return 100 * float64(a.Total.Client.Protocols[results.ProtoHTTP2]) / float64(all), true
	}},
	"dials":          {unitCount, "connections dialed, all repetitions", func(a results.Arm) (float64, bool) { return float64(a.Total.Client.Dials), len(a.Reps) > 0 }},
	"tls_handshakes": {unitCount, "TLS handshakes, all repetitions", func(a results.Arm) (float64, bool) { return float64(a.Total.Client.TLSHandshakes), len(a.Reps) > 0 }},
	"conn_wait":      {unitLatency, "mean time to get a connection", func(a results.Arm) (float64, bool) { return float64(a.Total.Client.ConnWaitMean), a.Total.Requests > 0 }},
	"max_rate": {unitRate, "highest sustainable rate (search model), median of repetitions", func(a results.Arm) (float64, bool) {
		xs := Samples(a, results.MetricMaxRate)
		return results.Median(xs), len(xs) > 0
	}},
	"achieved": {unitPercent, "sent hits in percent of those asked (open model)", func(a results.Arm) (float64, bool) {
		if a.Total.Open == nil {
			return 0, false
		}
		return a.Total.Open.AchievedPct, true
	}},
}

// metricAliases are accepted spellings of metric names.
var metricAliases = map[string]string{"rate": "req_per_s", "rps": "req_per_s", "req/s": "req_per_s"}

// MetricNames lists the metrics thresholds accept, sorted.
func MetricNames() []string {
	out := make([]string, 0, len(metrics))
	for n := range metrics {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Threshold is a parsed pass/fail criterion such as "p99 < 250ms" or
// "ratio(tuned/default, req_per_s) >= 4".
type Threshold struct {
	Expr   string
	Metric string
	Op     string
	// Value is in the metric's unit: nanoseconds for latencies, req/s,
	// percent, a count, or a plain ratio.
	Value float64
	// Arm and Baseline are set for a ratio(Arm/Baseline, metric) expression.
	RatioArm, RatioBaseline string
	// Arm restricts a per-arm expression to one arm; empty means every arm.
	Arm      string
	Required bool
}

// IsRatio reports whether t compares two arms.
func (t Threshold) IsRatio() bool { return t.RatioArm != "" }

// Arms returns the arm names t refers to.
func (t Threshold) Arms() []string {
	switch {
	case t.IsRatio():
		return []string{t.RatioArm, t.RatioBaseline}
	case t.Arm != "":
		return []string{t.Arm}
	}
	return nil
}

var thresholdRE = regexp.MustCompile(`^\s*(?:ratio\(\s*([^/\s,)]+)\s*/\s*([^,\s)]+)\s*,\s*([^)\s]+)\s*\)|([^\s<>=!]+))\s*(<=|>=|<|>)\s*(\S+)\s*$`)

// ParseThreshold parses a threshold expression:
//
//	METRIC OP VALUE                       p99 < 250ms · success >= 99.9% · rate >= 200/s
//	ratio(ARM/BASELINE, METRIC) OP NUMBER ratio(tuned/default, req_per_s) >= 4
//
// OP is one of < <= > >=. The error says what is valid.
func ParseThreshold(expr string) (Threshold, error) {
	m := thresholdRE.FindStringSubmatch(expr)
	if m == nil {
		return Threshold{}, fmt.Errorf(`want METRIC OP VALUE (e.g. "p99 < 250ms") or ratio(ARM/BASELINE, METRIC) OP NUMBER, with OP one of < <= > >=`)
	}
	t := Threshold{Expr: strings.TrimSpace(expr), Op: m[5], Required: true}
	name := m[4]
	if m[1] != "" {
		t.RatioArm, t.RatioBaseline, name = m[1], m[2], m[3]
	}
	if a, ok := metricAliases[name]; ok {
		name = a
	}
	def, ok := metrics[name]
	if !ok {
		return t, fmt.Errorf("unknown metric %q; valid metrics are %s (rate is req_per_s)", name, strings.Join(MetricNames(), ", "))
	}
	t.Metric = name
	raw := m[6]
	if t.IsRatio() {
		v, err := strconv.ParseFloat(strings.TrimSuffix(raw, "x"), 64)
		if err != nil || v <= 0 || math.IsInf(v, 0) {
			return t, fmt.Errorf("ratio value %q: want a number > 0 such as 4 or 0.5", raw)
		}
		t.Value = v
		return t, nil
	}
	v, err := parseValue(def.unit, raw)
	if err != nil {
		return t, fmt.Errorf("value %q: %s is %s; want %s", raw, name, def.desc, def.unit.want())
	}
	t.Value = v
	return t, nil
}

func parseValue(u unit, raw string) (float64, error) {
	switch u {
	case unitLatency:
		d, err := time.ParseDuration(raw)
		if err != nil || d < 0 {
			return 0, fmt.Errorf("bad duration")
		}
		return float64(d), nil
	case unitRate:
		raw = strings.TrimSuffix(raw, "/s")
	case unitPercent:
		raw = strings.TrimSuffix(raw, "%")
	}
	v, err := strconv.ParseFloat(raw, 64)
	if err != nil || v < 0 || math.IsInf(v, 0) || math.IsNaN(v) || (u == unitPercent && v > 100) {
		return 0, fmt.Errorf("bad number")
	}
	return v, nil
}

func compare(v float64, op string, limit float64) bool {
	switch op {
	case "<":
		return v < limit
	case "<=":
		return v <= limit
	case ">":
		return v > limit
	case ">=":
		return v >= limit
	}
	return false
}

func formatValue(u unit, v float64) string {
	switch u {
	case unitLatency:
		return results.Dur(time.Duration(v))
	case unitRate:
		return results.Num(v) + "/s"
	case unitPercent:
		return fmt.Sprintf("%.2f%%", v)
	}
	return results.Num(v)
}

// EvaluateThresholds evaluates ts on s (whose Stats, when present, supply
// ratios with intervals). A metric the run did not measure fails, with a note.
func EvaluateThresholds(s results.Scenario, ts []Threshold) []results.ThresholdResult {
	var out []results.ThresholdResult
	arm := func(name string) (results.Arm, bool) {
		for _, a := range s.Arms {
			if a.Name == name {
				return a, true
			}
		}
		return results.Arm{}, false
	}
	for _, t := range ts {
		def := metrics[t.Metric]
		if t.IsRatio() {
			r := results.ThresholdResult{Expr: t.Expr, Arm: t.RatioArm + "/" + t.RatioBaseline, Required: t.Required}
			a, okA := arm(t.RatioArm)
			b, okB := arm(t.RatioBaseline)
			va, okVA := def.of(a)
			vb, okVB := def.of(b)
			switch {
			case !okA || !okB:
				r.Note = "arm not in this run"
			case !okVA || !okVB || vb == 0:
				r.Note = "not measured in this run"
			default:
				r.Measured = va / vb
				r.MeasuredText = results.Times(r.Measured)
				c, ok := s.Stats.Comparison(t.RatioArm, t.RatioBaseline, t.Metric)
				if !ok {
					// Two arms neither of which is the baseline: the same test.
					c, ok = CompareArms(a, b, t.Metric)
				}
				if ok {
					r.Measured = c.Ratio
					r.MeasuredText = results.Times(c.Ratio)
					if c.Lo > 0 {
						r.MeasuredText += " [" + results.Times(c.Lo) + " – " + results.Times(c.Hi) + "]"
					}
					r.MeasuredText += " " + results.FormatP(c.P)
				}
				r.Pass = compare(r.Measured, t.Op, t.Value)
			}
			out = append(out, r)
			continue
		}
		for _, a := range s.Arms {
			if t.Arm != "" && a.Name != t.Arm {
				continue
			}
			r := results.ThresholdResult{Expr: t.Expr, Arm: a.Name, Required: t.Required}
			v, ok := def.of(a)
			if !ok {
				r.Note = "not measured in this run"
				out = append(out, r)
				continue
			}
			r.Measured, r.MeasuredText = v, formatValue(def.unit, v)
			if e, ok := s.Stats.Arm(a.Name, t.Metric); ok && e.N >= 2 {
				r.MeasuredText = formatValue(def.unit, v) + " (median of reps " + results.FormatEstimate(t.Metric, e) + ")"
			}
			r.Pass = compare(v, t.Op, t.Value)
			out = append(out, r)
		}
	}
	return out
}

// FailedThreshold is a failed required threshold with its scenario.
type FailedThreshold struct {
	Scenario string
	results.ThresholdResult
}

func (f FailedThreshold) String() string {
	where := f.Scenario
	if f.Point != "" {
		where += " [" + f.Point + "]"
	}
	m := f.MeasuredText
	if m == "" {
		m = f.Note
	}
	return fmt.Sprintf("%s: `%s` on %s: measured %s", where, f.Expr, f.Arm, m)
}

// FailedRequired lists every required threshold that failed in r.
func FailedRequired(r *results.Results) []FailedThreshold {
	var out []FailedThreshold
	for _, s := range r.Scenarios {
		for _, t := range s.Thresholds {
			if t.Required && !t.Pass {
				out = append(out, FailedThreshold{Scenario: s.Name, ThresholdResult: t})
			}
		}
	}
	return out
}
