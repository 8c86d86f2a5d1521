package analysis

import (
	"math"
	"time"

	"github.com/oranbench/oranbench/reports/results"
)

// heapPageMB is one page of memory in MB, the smallest step of the heap
// series: the resolution of a fit is never finer than a page over its span.
const heapPageMB = 4096.0 / (1 << 20)

// HeapFit says how SeriesFit fits the heap, for the report to state once.
const HeapFit = "Go heap in use is fitted through the minimum of each window of points (at least 2 points, at least " +
	"8 windows), not through every point: the heap rises between collections and drops at each, and a slope through " +
	"that sawtooth measures where in a cycle the phase happened to end. The minima trace the heap just after a " +
	"collection, the live heap that a leak grows. results.json holds the heap sampled at a fixed interval, not marked " +
	"at each collection, so a window's minimum is the sample nearest to a collection's end rather than the exact " +
	"heap after it."

// SeriesFit is the slope a report judges a soak series by: for the Go
// heap, a Theil–Sen fit through the per-window minima of the points after
// warmup (see HeapFit); for every other series, and for a heap with too few
// points for windows, the fit the soak stored. nil when there is none.
func SeriesFit(s results.SoakSeries, warmup time.Duration) *results.SlopeResult {
	if s.Name != results.SoakHeap || s.Slope == nil || s.AfterGC {
		return s.Slope
	}
	var xs, ys []float64
	for _, p := range s.Points {
		if p.T >= warmup.Seconds() {
			xs, ys = append(xs, p.T/3600), append(ys, p.V)
		}
	}
	w := len(xs) / MinSlopePoints
	if w < 2 {
		return s.Slope
	}
	var mx, my []float64
	for i := 0; i+w <= len(xs); i += w {
		j := i
		for k := i; k < i+w; k++ {
			if ys[k] < ys[j] {
				j = k
			}
		}
		mx, my = append(mx, xs[j]), append(my, ys[j])
	}
	f, ok := TheilSen(mx, my, Confidence)
	if !ok {
		return s.Slope
	}
	span := time.Duration((mx[len(mx)-1] - mx[0]) * float64(time.Hour))
	return &results.SlopeResult{PerHour: f.Slope, Lo: f.Lo, Hi: f.Hi, Confidence: f.Confidence, N: f.N, Span: span,
		Resolution: math.Max(f.HalfWidth(), heapPageMB/span.Hours())}
}
