package analysis

import (
	"testing"
	"time"

	"github.com/oranbench/oranbench/reports/results"
)

// Issue 23: a heap slope fitted through every sample measures the garbage
// collector's sawtooth, not the live heap. A heap that climbs 20 MB between
// collections and drops back to the same floor at each has not grown: the
// fit through the per-window minima says so, where the fit the soak stored
// (through every point, ending high in a cycle) shows growth.
func TestTheHeapIsFittedThroughItsMinimaNotItsSawtooth(t *testing.T) {
	var pts []results.SoakPoint
	for i := range 200 {
		pts = append(pts, results.SoakPoint{T: float64(i), V: 40 + 2*float64(i%10)}) // a 10 s cycle from 40 to 58 MB
	}
	raw := &results.SlopeResult{PerHour: 900, Lo: 400, Hi: 1400, Resolution: 500, N: 197, Span: 196 * time.Second}
	heap := results.SoakSeries{Name: results.SoakHeap, Unit: "MB", Points: pts, Slope: raw}
	fit := SeriesFit(heap, 3*time.Second)
	if fit == nil || fit == raw {
		t.Fatalf("the heap was not fitted again: %+v", fit)
	}
	if fit.Lo > 0 || fit.Hi < 0 {
		t.Errorf("a heap back at the same floor after every collection: slope %+.1f MB/h [%+.1f, %+.1f], want an interval including 0", fit.PerHour, fit.Lo, fit.Hi)
	}

	// A floor that rises 1 MB per cycle is growth the minima show.
	for i := range pts {
		pts[i].V += float64(i / 10)
	}
	fit = SeriesFit(results.SoakSeries{Name: results.SoakHeap, Unit: "MB", Points: pts, Slope: raw}, 3*time.Second)
	if want := 360.0; fit == nil || fit.Lo <= 0 || fit.PerHour < want*0.8 || fit.PerHour > want*1.2 {
		t.Errorf("a floor rising 1 MB per 10 s: %+v, want about +%.0f MB/h", fit, want)
	}

	// Other series keep the soak's own fit.
	rss := results.SoakSeries{Name: results.SoakRSS, Unit: "MB", Points: pts, Slope: raw}
	if got := SeriesFit(rss, 3*time.Second); got != raw {
		t.Errorf("RSS was fitted again: %+v", got)
	}
}
