package engine

import (
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/oranbench/oranbench/reports/results"
)

// Timeline bounds: one interval per second for runs of MinIntervals seconds
// or more, narrower for shorter runs (so a short run still has
// MinIntervals points, in multiples of SeriesQuantum) and wider for long
// ones, so that an attack never has more than MaxIntervals of them.
const (
	SeriesStep    = time.Second
	SeriesQuantum = 50 * time.Millisecond
	MinIntervals  = 20
	MaxIntervals  = 600
)

// Interval is one slice of an attack's timeline: the results that ended in
// [Start, Start+Step) after the attack began. It is the type the results
// record (one concept, one definition), so a Recording's Series goes into a
// results.Rep as it is.
type Interval = results.Interval

// series builds the timeline in constant memory: one small histogram for the
// interval being filled, a few numbers for each finished one.
type series struct {
	step  time.Duration
	limit int
	cur   int
	open  Interval
	hist  *hdrhistogram.Histogram
	done  []Interval
}

// stepFor returns the interval width for an attack of duration d.
func stepFor(d time.Duration) time.Duration {
	roundUp := func(x, q time.Duration) time.Duration { return (x + q - 1) / q * q }
	switch {
	case d < MinIntervals*SeriesStep:
		return max(SeriesQuantum, roundUp(d/MinIntervals, SeriesQuantum))
	case d > MaxIntervals*SeriesStep:
		return roundUp((d+MaxIntervals-1)/MaxIntervals, time.Second)
	}
	return SeriesStep
}

func newSeries(d time.Duration) *series {
	step := stepFor(d)
	return &series{
		step: step,
		// Requests in flight when the duration ran out end after it; they
		// are counted in the last interval, so the timeline spans exactly
		// the duration.
		limit: max(1, int((d+step-1)/step)),
		// Two significant digits suffice for a plot and keep the reset cheap.
		hist: hdrhistogram.New(HistMin, HistMax, 2),
		open: Interval{Step: step},
	}
}

// add counts one result that ended at offset end with latency lat. Results
// arrive roughly in end order; one that arrives after a later interval was
// opened is counted in the open interval.
func (s *series) add(end, lat time.Duration, failed bool) {
	idx := int(end / s.step)
	idx = min(max(idx, s.cur), s.limit-1)
	for s.cur < idx {
		s.flush()
	}
	s.open.Requests++
	if failed {
		s.open.Errors++
	}
	_ = s.hist.RecordValue(min(micros(lat), HistMax))
}

// flush closes the open interval (even an empty one: a stall must show as
// a gap of zero requests) and opens the next.
func (s *series) flush() {
	if s.hist.TotalCount() > 0 {
		s.open.P50 = time.Duration(s.hist.ValueAtQuantile(50)) * time.Microsecond
		s.open.P99 = time.Duration(s.hist.ValueAtQuantile(99)) * time.Microsecond
		s.open.Max = time.Duration(s.hist.Max()) * time.Microsecond
	}
	s.done = append(s.done, s.open)
	s.hist.Reset()
	s.cur++
	s.open = Interval{Start: time.Duration(s.cur) * s.step, Step: s.step}
}

// finish closes the last interval and returns the timeline.
func (s *series) finish() []Interval {
	if s.open.Requests > 0 {
		s.flush()
	}
	return s.done
}
