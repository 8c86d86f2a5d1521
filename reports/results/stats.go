package results

import (
	"sort"
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
	// Bound says what a throughput ratio is when an arm was generator-bound:
	// BoundLower (the arm was: the ratio is at least this), BoundUpper (the
	// baseline was: at most this) or BoundNone (both were: it says nothing
	// about the transports); empty when neither was.
	Bound string `json:"bound,omitempty"`
}

// Bounds of a throughput ratio with a generator-bound arm.
const (
	BoundLower = "lower"
	BoundUpper = "upper"
	BoundNone  = "none"
)

// BoundOf is the Bound of a throughput ratio arm/baseline.
func BoundOf(arm, baseline Arm) string {
	switch {
	case arm.GeneratorBound && baseline.GeneratorBound:
		return BoundNone
	case arm.GeneratorBound:
		return BoundLower
	case baseline.GeneratorBound:
		return BoundUpper
	}
	return ""
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

// Median returns the median of xs (0 when empty).
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
