package analysis

import (
	"math"
	"slices"
)

// MaxSlopePoints caps the points TheilSen fits: it sorts n(n-1)/2 pairwise
// slopes, so 512 points cost 130 816 slopes (about 1 MiB and a few
// milliseconds), however long the series they were downsampled from.
const MaxSlopePoints = 512

// MinSlopePoints is the fewest points a slope is fitted to: with fewer, the
// 95% interval of the Theil–Sen slope spans every pairwise slope.
const MinSlopePoints = 8

// SlopeFit is a Theil–Sen fit of y against x: Slope is the median of the
// slopes of all pairs of points with different x, and [Lo, Hi] its
// distribution-free confidence interval at Confidence (Sen 1968, eq. 2.6:
// the order statistics of the pairwise slopes that invert Kendall's tau
// test, with the variance corrected for ties). Units are those of y per
// unit of x.
type SlopeFit struct {
	Slope, Lo, Hi float64
	// N is the number of points fitted, Pairs the number of pairwise slopes.
	N, Pairs   int
	Confidence float64
}

// Contains reports whether v lies within the interval.
func (f SlopeFit) Contains(v float64) bool { return f.Lo <= v && v <= f.Hi }

// HalfWidth is half the interval's width.
func (f SlopeFit) HalfWidth() float64 { return (f.Hi - f.Lo) / 2 }

// TheilSen fits a Theil–Sen slope with its confidence interval at
// confidence (0.95 for 95%). ok is false when fewer than MinSlopePoints
// points are given, the slices differ in length, or every x is the same.
// More than MaxSlopePoints points are thinned to MaxSlopePoints evenly
// spaced ones first; the caller should downsample instead (averaging) when
// it has more.
//
// The interval assumes the residuals are independent. Successive samples
// of a process's memory are not quite (a GC cycle spans several), so the
// interval is somewhat narrower than it would be for independent data.
func TheilSen(xs, ys []float64, confidence float64) (SlopeFit, bool) {
	if len(xs) != len(ys) || len(xs) < MinSlopePoints || !(confidence > 0 && confidence < 1) {
		return SlopeFit{}, false
	}
	if n := len(xs); n > MaxSlopePoints {
		tx, ty := make([]float64, MaxSlopePoints), make([]float64, MaxSlopePoints)
		for i := range MaxSlopePoints {
			j := i * (n - 1) / (MaxSlopePoints - 1)
			tx[i], ty[i] = xs[j], ys[j]
		}
		xs, ys = tx, ty
	}
	n := len(xs)
	slopes := make([]float64, 0, n*(n-1)/2)
	for i := range n {
		for j := i + 1; j < n; j++ {
			dx := xs[j] - xs[i]
			if dx == 0 {
				continue
			}
			slopes = append(slopes, (ys[j]-ys[i])/dx)
		}
	}
	if len(slopes) == 0 {
		return SlopeFit{}, false
	}
	slices.Sort(slopes)
	nt := len(slopes)
	fit := SlopeFit{N: n, Pairs: nt, Confidence: confidence, Slope: sortedMedian(slopes)}
	// Variance of Kendall's S under the null, corrected for tied x and y.
	tie := func(vs []float64) float64 {
		s := slices.Clone(vs)
		slices.Sort(s)
		var t float64
		for i := 0; i < len(s); {
			j := i
			for j < len(s) && s[j] == s[i] {
				j++
			}
			k := float64(j - i)
			t += k * (k - 1) * (2*k + 5)
			i = j
		}
		return t
	}
	fn := float64(n)
	sigma := math.Sqrt((fn*(fn-1)*(2*fn+5) - tie(xs) - tie(ys)) / 18)
	z := math.Sqrt2 * math.Erfinv(confidence)
	// 0-based indices of the lower and upper bounds: the slopes of ranks
	// (N - zσ)/2 and (N + zσ)/2 + 1, rounded (as scipy.stats.theilslopes).
	lo := max(int(math.Round((float64(nt)-z*sigma)/2))-1, 0)
	hi := min(int(math.Round((float64(nt)+z*sigma)/2)), nt-1)
	fit.Lo, fit.Hi = slopes[lo], slopes[hi]
	return fit, true
}

// sortedMedian is the median of a sorted, non-empty slice.
func sortedMedian(s []float64) float64 {
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
