package analysis

import (
	"math"
	"sort"

	"github.com/oranbench/oranbench/reports/results"
)

// Statistical settings: 95% intervals, 5% significance, and fewer than
// WeakBelowReps repetitions per arm make a verdict weak.
const (
	Confidence    = 0.95
	Alpha         = 0.05
	WeakBelowReps = 5
)

// repSample extracts one metric from a repetition; ok is false when the
// repetition did not measure it.
func repSample(r results.Rep, metric string) (float64, bool) {
	switch metric {
	case results.MetricReqPerSec:
		return r.SuccessPerSec, true
	case results.MetricP50:
		return float64(r.Latency.P50), r.Requests > 0
	case results.MetricP95:
		return float64(r.Latency.P95), r.Requests > 0
	case results.MetricP99:
		return float64(r.Latency.P99), r.Requests > 0
	case results.MetricRespP99:
		if r.Response == nil {
			return 0, false
		}
		return float64(r.Response.P99), r.Requests > 0
	case results.MetricMaxRate:
		if r.Search == nil {
			return 0, false
		}
		return r.Search.MaxRate, true
	}
	return 0, false
}

// Samples returns arm's per-repetition values of metric, in run order.
func Samples(a results.Arm, metric string) []float64 {
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
func ComputeStats(s results.Scenario) *results.Stats {
	if len(s.Arms) == 0 {
		return nil
	}
	metrics := []string{results.MetricReqPerSec, results.MetricP50, results.MetricP95, results.MetricP99, results.MetricRespP99, results.MetricMaxRate}
	st := &results.Stats{Alpha: Alpha, MinReps: math.MaxInt}
	for _, a := range s.Arms {
		st.MinReps = min(st.MinReps, len(a.Reps))
		as := results.ArmStats{Arm: a.Name}
		for _, m := range metrics {
			xs := Samples(a, m)
			if len(xs) == 0 {
				continue
			}
			as.Metrics = append(as.Metrics, results.MetricStat{Metric: m, Estimate: MedianCI(xs, Confidence)})
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
			if m == results.MetricReqPerSec {
				c.Bound = results.BoundOf(a, base)
			}
			st.Comparisons = append(st.Comparisons, c)
		}
	}
	return st
}

// MedianCI returns the median of xs with the distribution-free interval
// [x(k), x(n+1-k)] for the largest k whose coverage 1-2·P(Bin(n,½) < k) is
// at least conf; when even k=1 falls short, [min, max] with its coverage.
func MedianCI(xs []float64, conf float64) results.Estimate {
	n := len(xs)
	if n == 0 {
		return results.Estimate{}
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	e := results.Estimate{Center: results.Median(s), Lo: s[0], Hi: s[n-1], N: n}
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
func Compare(x, y []float64, conf float64) results.Comparison {
	c := results.Comparison{N1: len(x), N2: len(y), P: MannWhitneyP(x, y)}
	if my := results.Median(y); my != 0 {
		c.Ratio = results.Median(x) / my
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
