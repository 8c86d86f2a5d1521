package reports

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Statistical settings: 95% intervals, 5% significance, and fewer than
// WeakBelowReps repetitions per arm make a verdict weak.
const (
	Confidence    = 0.95
	Alpha         = 0.05
	WeakBelowReps = 5
)

// Metrics sampled once per repetition, for which Stats gives a median with a
// confidence interval and a between-arm comparison.
const (
	MetricReqPerSec = "req_per_s"
	MetricP50       = "p50"
	MetricP95       = "p95"
	MetricP99       = "p99"
	MetricRespP99   = "resp_p99"
	MetricMaxRate   = "max_rate"
)

// Estimate is a median with a distribution-free confidence interval.
type Estimate struct {
	Center float64 `json:"center"`
	Lo     float64 `json:"lo"`
	Hi     float64 `json:"hi"`
	// Confidence is the interval's actual coverage: order statistics give
	// discrete levels, so it is the smallest level >= 95% that the sample
	// size allows, or, when none does, that of [min, max] (93.75% for 5).
	Confidence float64 `json:"confidence"`
	N          int     `json:"n"`
}

// MetricStat is one metric's estimate for an arm.
type MetricStat struct {
	Metric string `json:"metric"`
	Estimate
}

// ArmStats are an arm's per-metric estimates.
type ArmStats struct {
	Arm     string       `json:"arm"`
	Metrics []MetricStat `json:"metrics"`
}

// Comparison is arm/baseline for one metric: the ratio of medians, a
// distribution-free interval for the ratio (from the pairwise ratios and the
// Mann-Whitney null distribution), and the two-sided Mann-Whitney U p-value.
type Comparison struct {
	Arm        string  `json:"arm"`
	Baseline   string  `json:"baseline"`
	Metric     string  `json:"metric"`
	Ratio      float64 `json:"ratio"`
	Lo         float64 `json:"lo"`
	Hi         float64 `json:"hi"`
	Confidence float64 `json:"confidence"`
	P          float64 `json:"p"`
	N1         int     `json:"n1"`
	N2         int     `json:"n2"`
	// Significant is P < Alpha; otherwise the report prints "~".
	Significant bool `json:"significant"`
}

// Stats summarizes a scenario's repetitions.
type Stats struct {
	Alpha float64 `json:"alpha"`
	// MinReps is the fewest repetitions of any arm; Weak is MinReps < WeakBelowReps.
	MinReps     int          `json:"minReps"`
	Weak        bool         `json:"weak"`
	Arms        []ArmStats   `json:"arms"`
	Comparisons []Comparison `json:"comparisons"`
}

// Arm returns the estimate of metric for arm.
func (s *Stats) Arm(arm, metric string) (Estimate, bool) {
	if s == nil {
		return Estimate{}, false
	}
	for _, a := range s.Arms {
		if a.Arm != arm {
			continue
		}
		for _, m := range a.Metrics {
			if m.Metric == metric {
				return m.Estimate, true
			}
		}
	}
	return Estimate{}, false
}

// Comparison returns arm/baseline for metric.
func (s *Stats) Comparison(arm, baseline, metric string) (Comparison, bool) {
	if s == nil {
		return Comparison{}, false
	}
	for _, c := range s.Comparisons {
		if c.Arm == arm && c.Baseline == baseline && c.Metric == metric {
			return c, true
		}
	}
	return Comparison{}, false
}

// repSample extracts one metric from a repetition; ok is false when the
// repetition did not measure it.
func repSample(r Rep, metric string) (float64, bool) {
	switch metric {
	case MetricReqPerSec:
		return r.SuccessPerSec, true
	case MetricP50:
		return float64(r.Latency.P50), r.Requests > 0
	case MetricP95:
		return float64(r.Latency.P95), r.Requests > 0
	case MetricP99:
		return float64(r.Latency.P99), r.Requests > 0
	case MetricRespP99:
		if r.Response == nil {
			return 0, false
		}
		return float64(r.Response.P99), r.Requests > 0
	case MetricMaxRate:
		if r.Search == nil {
			return 0, false
		}
		return r.Search.MaxRate, true
	}
	return 0, false
}

// Samples returns arm's per-repetition values of metric, in run order.
func Samples(a Arm, metric string) []float64 {
	var out []float64
	for _, r := range a.Reps {
		if v, ok := repSample(r, metric); ok {
			out = append(out, v)
		}
	}
	return out
}

// ComputeStats estimates every sampled metric for every arm of s and compares
// each arm with the first (the baseline).
func ComputeStats(s Scenario) *Stats {
	if len(s.Arms) == 0 {
		return nil
	}
	metrics := []string{MetricReqPerSec, MetricP50, MetricP95, MetricP99, MetricRespP99, MetricMaxRate}
	st := &Stats{Alpha: Alpha, MinReps: math.MaxInt}
	for _, a := range s.Arms {
		st.MinReps = min(st.MinReps, len(a.Reps))
		as := ArmStats{Arm: a.Name}
		for _, m := range metrics {
			xs := Samples(a, m)
			if len(xs) == 0 {
				continue
			}
			as.Metrics = append(as.Metrics, MetricStat{Metric: m, Estimate: MedianCI(xs, Confidence)})
		}
		st.Arms = append(st.Arms, as)
	}
	st.Weak = st.MinReps < WeakBelowReps
	base := s.Arms[0]
	for _, a := range s.Arms[1:] {
		for _, m := range metrics {
			x, y := Samples(a, m), Samples(base, m)
			if len(x) == 0 || len(y) == 0 {
				continue
			}
			c := Compare(x, y, Confidence)
			c.Arm, c.Baseline, c.Metric = a.Name, base.Name, m
			st.Comparisons = append(st.Comparisons, c)
		}
	}
	return st
}

// Median returns the median of xs (0 when empty).
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := sorted(xs)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func sorted(xs []float64) []float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return s
}

// MedianCI returns the median of xs with the distribution-free interval
// [x(k), x(n+1-k)] for the largest k whose coverage 1-2·P(Bin(n,½) < k) is
// at least conf; when even k=1 falls short, [min, max] with its coverage.
func MedianCI(xs []float64, conf float64) Estimate {
	n := len(xs)
	if n == 0 {
		return Estimate{}
	}
	s := sorted(xs)
	e := Estimate{Center: Median(s), Lo: s[0], Hi: s[n-1], N: n}
	if n == 1 {
		return e
	}
	tail := (1 - conf) / 2
	k := 1
	for k+1 <= n/2 && binomCDF(n, k) <= tail {
		k++
	}
	e.Lo, e.Hi = s[k-1], s[n-k]
	e.Confidence = 1 - 2*binomCDF(n, k-1)
	return e
}

// binomCDF is P(X <= k) for X ~ Binomial(n, ½).
func binomCDF(n, k int) float64 {
	if k < 0 {
		return 0
	}
	sum, c := 0.0, 1.0 // c = C(n, i)
	for i := 0; i <= k && i <= n; i++ {
		sum += c
		c = c * float64(n-i) / float64(i+1)
	}
	return sum / math.Pow(2, float64(n))
}

// Compare returns x/y as the ratio of medians with a distribution-free
// interval and the two-sided Mann-Whitney U p-value. The interval needs
// positive values; otherwise Lo and Hi are 0.
func Compare(x, y []float64, conf float64) Comparison {
	c := Comparison{N1: len(x), N2: len(y), P: MannWhitneyP(x, y)}
	if my := Median(y); my != 0 {
		c.Ratio = Median(x) / my
	}
	c.Lo, c.Hi, c.Confidence = RatioCI(x, y, conf)
	c.Significant = c.P < Alpha
	return c
}

// RatioCI is the interval for the ratio x/y that inverts the Mann-Whitney
// test on log values: of the n1·n2 pairwise ratios x_i/y_j, sorted, it is
// [D(k), D(n1·n2+1-k)] for the largest k with P(U < k) <= (1-conf)/2 under
// the null distribution, whose coverage 1-2·P(U < k) is returned; when even
// k=1 falls short, [min, max] with its coverage.
func RatioCI(x, y []float64, conf float64) (lo, hi, coverage float64) {
	if len(x) == 0 || len(y) == 0 {
		return 0, 0, 0
	}
	d := make([]float64, 0, len(x)*len(y))
	for _, a := range x {
		for _, b := range y {
			if a <= 0 || b <= 0 {
				return 0, 0, 0
			}
			d = append(d, a/b)
		}
	}
	sort.Float64s(d)
	cdf := uNullCDF(len(x), len(y))
	tail := (1 - conf) / 2
	k := 1
	for k+1 <= len(d)/2 && cdf[k] <= tail { // cdf[k] = P(U <= k) = P(U < k+1)
		k++
	}
	return d[k-1], d[len(d)-k], 1 - 2*cdf[k-1]
}

// uNullCDF returns P(U <= u) for u = 0..n1·n2 under the null hypothesis
// without ties, from the exact distribution of the Mann-Whitney U statistic.
func uNullCDF(n1, n2 int) []float64 {
	if n1*n2 > 40000 {
		return uNormalCDF(n1, n2)
	}
	// f[i][j][u]: arrangements of i x's and j y's with statistic u, built
	// one sample size at a time (f(i,j,u) = f(i-1,j,u-j) + f(i,j-1,u)).
	prev := make([][]float64, n2+1) // row i-1
	for j := range prev {
		prev[j] = []float64{1} // i = 0: U = 0 in one way
	}
	for i := 1; i <= n1; i++ {
		cur := make([][]float64, n2+1)
		cur[0] = []float64{1}
		for j := 1; j <= n2; j++ {
			f := make([]float64, i*j+1)
			for u := range f {
				if u-j >= 0 && u-j < len(prev[j]) {
					f[u] += prev[j][u-j]
				}
				if u < len(cur[j-1]) {
					f[u] += cur[j-1][u]
				}
			}
			cur[j] = f
		}
		prev = cur
	}
	f := prev[n2]
	total := 0.0
	for _, v := range f {
		total += v
	}
	cdf := make([]float64, len(f))
	acc := 0.0
	for u, v := range f {
		acc += v
		cdf[u] = acc / total
	}
	return cdf
}

func uNormalCDF(n1, n2 int) []float64 {
	mu := float64(n1*n2) / 2
	sigma := math.Sqrt(float64(n1*n2*(n1+n2+1)) / 12)
	cdf := make([]float64, n1*n2+1)
	for u := range cdf {
		cdf[u] = 0.5 * math.Erfc(-(float64(u)+0.5-mu)/(sigma*math.Sqrt2))
	}
	return cdf
}

// MannWhitneyP is the two-sided p-value of the Mann-Whitney U test of x
// against y: exact when there are no ties and the samples are small, else the
// normal approximation with tie and continuity corrections.
func MannWhitneyP(x, y []float64) float64 {
	n1, n2 := len(x), len(y)
	if n1 == 0 || n2 == 0 {
		return 1
	}
	u := 0.0
	for _, a := range x {
		for _, b := range y {
			switch {
			case a > b:
				u++
			case a == b:
				u += 0.5
			}
		}
	}
	all := append(append([]float64(nil), x...), y...)
	sort.Float64s(all)
	ties := 0.0
	hasTies := false
	for i := 0; i < len(all); {
		j := i
		for j < len(all) && all[j] == all[i] {
			j++
		}
		if t := float64(j - i); t > 1 {
			hasTies = true
			ties += t*t*t - t
		}
		i = j
	}
	if !hasTies && n1*n2 <= 40000 {
		cdf := uNullCDF(n1, n2)
		ui := int(u)
		lower := cdf[ui]
		upper := 1.0
		if ui > 0 {
			upper = 1 - cdf[ui-1]
		}
		return math.Min(1, 2*math.Min(lower, upper))
	}
	n := float64(n1 + n2)
	mu := float64(n1*n2) / 2
	variance := float64(n1*n2) / 12 * ((n + 1) - ties/(n*(n-1)))
	if variance <= 0 {
		return 1
	}
	z := (math.Abs(u-mu) - 0.5) / math.Sqrt(variance)
	if z < 0 {
		return 1
	}
	return math.Min(1, math.Erfc(z/math.Sqrt2))
}

// isLatencyMetric reports whether metric's values are durations in ns.
func isLatencyMetric(metric string) bool {
	switch metric {
	case MetricP50, MetricP95, MetricP99, MetricRespP99:
		return true
	}
	return false
}

// formatEstimate prints "1,234 [1,200 – 1,260]" or "12.3 ms [11.9 ms – 12.8 ms]".
func formatEstimate(metric string, e Estimate) string {
	f := func(v float64) string {
		if isLatencyMetric(metric) {
			return Dur(time.Duration(v))
		}
		return Num(v)
	}
	if e.N < 2 {
		return f(e.Center)
	}
	return f(e.Center) + " [" + f(e.Lo) + " – " + f(e.Hi) + "]"
}

// FormatComparison prints a comparison benchstat-style: "4.31x [3.92x – 4.60x] (p=0.008)",
// or "~ (p=0.42)" when the difference is not significant.
func FormatComparison(c Comparison) string {
	if !c.Significant {
		return "~ " + pString(c.P)
	}
	s := Times(c.Ratio)
	if c.Lo > 0 && c.Hi > 0 {
		s += " [" + Times(c.Lo) + " – " + Times(c.Hi) + "]"
	}
	return s + " " + pString(c.P)
}

func pString(p float64) string {
	if p < 0.001 {
		return "(p<0.001)"
	}
	return "(p=" + trimFloat(p, 3) + ")"
}

func trimFloat(v float64, prec int) string {
	s := strconv.FormatFloat(v, 'f', prec, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// stats renders the per-arm medians with intervals and the comparisons.
func (p *printer) stats(s Scenario) {
	st := s.Stats
	if st == nil || len(st.Arms) == 0 {
		return
	}
	metrics := []string{MetricReqPerSec, MetricP50, MetricP95, MetricP99, MetricRespP99, MetricMaxRate}
	var used []string
	for _, m := range metrics {
		for _, a := range st.Arms {
			if _, ok := st.Arm(a.Arm, m); ok {
				used = append(used, m)
				break
			}
		}
	}
	conf := 0.0
	for _, a := range st.Arms {
		for _, m := range a.Metrics {
			if m.N >= 2 {
				conf = m.Confidence
			}
		}
	}
	p.f("### Statistics\n\nMedian of the repetitions [confidence interval, %s]: order statistics give discrete levels; with %d repetitions [min – max] is the narrowest distribution-free interval.",
		Pct(100*conf), st.MinReps)
	if st.Weak {
		p.f(" **Weak verdict: fewer than %d repetitions per arm.**", WeakBelowReps)
	}
	p.f("\n\n")
	header := []string{"arm"}
	for _, m := range used {
		header = append(header, metricHeader(m))
	}
	var rows [][]string
	for _, a := range st.Arms {
		row := []string{"`" + a.Arm + "`"}
		for _, m := range used {
			e, ok := st.Arm(a.Arm, m)
			if !ok {
				row = append(row, "–")
				continue
			}
			row = append(row, formatEstimate(m, e))
		}
		rows = append(rows, row)
	}
	p.table(header, rows)
	if len(st.Comparisons) == 0 {
		return
	}
	p.f("Between arms (benchstat-style): ratio of medians [distribution-free interval], Mann-Whitney U p-value; `~` when p ≥ %.2f.\n\n", st.Alpha)
	header = []string{"comparison"}
	for _, m := range used {
		header = append(header, metricHeader(m))
	}
	rows = rows[:0]
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
				row = append(row, FormatComparison(cm))
			} else {
				row = append(row, "–")
			}
		}
		rows = append(rows, row)
	}
	p.table(header, rows)
}

func metricHeader(m string) string {
	switch m {
	case MetricReqPerSec:
		return "req/s"
	case MetricRespP99:
		return "resp p99"
	case MetricMaxRate:
		return "sustainable req/s"
	}
	return m
}

// openLoad renders the open model's offered versus achieved load.
func (p *printer) openLoad(s Scenario) {
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
		rows = append(rows, []string{"`" + a.Name + "`", o.Shape, Num(o.RequestedRate), Num(o.AchievedRate), Pct(o.AchievedPct),
			Int(o.LateHits), Dur(o.LagP99), Pct(a.Total.CPUPct), flag})
	}
	if len(rows) == 0 {
		return
	}
	p.f("### Offered load\n\nOpen model: the rate asked for versus what the generator sent; late hits were sent more than %s after they were due. CPU is the whole process (generator and in-process mock) in percent of all cores.\n\n", Dur(lateAfter(s)))
	p.table([]string{"arm", "shape", "asked req/s", "sent req/s", "sent/asked", "late hits", "send lag p99", "CPU", "generator saturated"}, rows)
	if saturated {
		p.f("> **Invalid run**: the generator could not offer the asked load in at least one repetition, so the target was never tested at that rate. Lower the rate, raise maxWorkers, or run the mock elsewhere.\n\n")
	}
}

func lateAfter(s Scenario) time.Duration {
	for _, a := range s.Arms {
		if a.Total.Open != nil {
			return a.Total.Open.LateAfter
		}
	}
	return 0
}

// search renders each arm's sustainable-rate search.
func (p *printer) search(s Scenario) {
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
				probes = append(probes, fmt.Sprintf("%s %s", Num(pr.Rate), mark))
			}
			limit := ""
			if r.Search.Capped {
				limit = " (capped: maxRate passed)"
			}
			if r.Search.Floor {
				limit = " (even minRate failed)"
			}
			rows = append(rows, []string{"`" + a.Name + "`", fmt.Sprint(r.Index + 1), Num(r.Search.MaxRate) + limit, strings.Join(probes, " → ")})
		}
	}
	if len(rows) == 0 {
		return
	}
	p.f("### Sustainable rate\n\nHighest constant rate with p%s of response time (from the intended send time) ≤ %s, achieved ≥ 99%% of asked and successes as configured; bisection per arm and repetition.\n\n", trimFloat(pct, 2), Dur(slo))
	p.table([]string{"arm", "rep", "sustainable req/s", "probes (req/s, ✓ pass / ✗ fail)"}, rows)
}
