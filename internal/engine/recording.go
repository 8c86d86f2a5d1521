package engine

import (
	"fmt"
	"sort"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Histogram geometry: values are microseconds from 1 µs to 1 h, 3 significant
// digits (0.1% relative error), about 200 KiB per histogram whatever the count.
const (
	HistMin     int64 = 1
	HistMax     int64 = int64(time.Hour / time.Microsecond)
	HistSigFigs       = 3
	// MaxDistinctErrors bounds the error-text table; further texts are counted
	// under OtherErrors.
	MaxDistinctErrors = 32
)

// NewHistogram returns a latency histogram with the engine's geometry
// (microsecond values).
func NewHistogram() *hdrhistogram.Histogram {
	return hdrhistogram.New(HistMin, HistMax, HistSigFigs)
}

// Recording holds everything measured in one attack, in constant memory.
type Recording struct {
	// Service is vegeta's latency: from a worker picking the hit up to the
	// response body read, in microseconds.
	Service *hdrhistogram.Histogram
	// Response is measured from the hit's intended send time to the end of
	// the response (open model only; nil for the closed model).
	Response *hdrhistogram.Histogram
	// Lag is how late hits were picked up after they were due (open model).
	// A long lag means the generator, not the target, was the bottleneck.
	Lag *hdrhistogram.Histogram

	Hits, Successes int64
	// Cancelled counts requests cut off in flight by the attack's end
	// (Attack.CancelAtEnd) or its interruption. They are not hits: neither
	// successes nor errors, and absent from the histograms and the series.
	Cancelled          int64
	Codes              map[uint16]int64
	Errors             map[string]int64
	OtherErrors        int64
	BytesIn, BytesOut  uint64
	Began, LastEnd     time.Time
	Wall               time.Duration
	Interrupted        bool
	HistogramOverflows int64
	// Steady is the process's CPU time over the attack's steady part
	// (WindowSkip after its start to its last request), set by Run.
	Steady CPUWindow
	// Series is the attack's timeline (requests and latency per interval),
	// set by Run; bounded by MaxIntervals whatever the request count.
	Series []Interval

	series *series
}

// NewRecording returns an empty recording; open adds the response-time and
// lag histograms of the open model.
func NewRecording(open bool) *Recording {
	r := &Recording{
		Service: NewHistogram(),
		Codes:   map[uint16]int64{},
		Errors:  map[string]int64{},
	}
	if open {
		r.Response = NewHistogram()
		r.Lag = NewHistogram()
	}
	return r
}

func micros(d time.Duration) int64 {
	us := int64(d / time.Microsecond)
	if us < HistMin {
		us = HistMin
	}
	return us
}

func (r *Recording) record(h *hdrhistogram.Histogram, d time.Duration) {
	v := micros(d)
	if v > HistMax {
		v = HistMax
		r.HistogramOverflows++
	}
	if err := h.RecordValue(v); err != nil {
		r.HistogramOverflows++
	}
}

// hit is one request's outcome as the engine records it.
type hit struct {
	code              uint16
	err               string // "" when the request succeeded at the HTTP level
	cancelled         bool   // cut off by the attack's end or interruption
	bytesIn, bytesOut uint64
	began             time.Time // when the request was picked up
	latency           time.Duration
}

func (h hit) ok() bool { return h.err == "" && h.code >= 200 && h.code < 400 }

// addHit records one outcome; due is its intended send time (zero when
// unknown).
func (r *Recording) addHit(h hit, due time.Time) {
	r.Hits++
	r.Codes[h.code]++
	ok := h.ok()
	if ok {
		r.Successes++
	} else {
		text := h.err
		if text == "" {
			text = fmt.Sprintf("status %d", h.code)
		}
		if _, ok := r.Errors[text]; ok || len(r.Errors) < MaxDistinctErrors {
			r.Errors[text]++
		} else {
			r.OtherErrors++
		}
	}
	r.BytesIn += h.bytesIn
	r.BytesOut += h.bytesOut
	end := h.began.Add(h.latency)
	if end.After(r.LastEnd) {
		r.LastEnd = end
	}
	r.record(r.Service, h.latency)
	if r.series != nil {
		r.series.add(end.Sub(r.Began), h.latency, !ok)
	}
	if r.Response != nil && !due.IsZero() {
		r.record(r.Response, end.Sub(due))
		lag := h.began.Sub(due)
		if lag < 0 {
			lag = 0
		}
		r.record(r.Lag, lag)
	}
}

// merge adds o's counts and histograms to r (not its series: the closed
// model keeps one shared timeline).
func (r *Recording) merge(o *Recording) {
	r.Hits += o.Hits
	r.Successes += o.Successes
	r.Cancelled += o.Cancelled
	for c, n := range o.Codes {
		r.Codes[c] += n
	}
	for text, n := range o.Errors {
		if _, ok := r.Errors[text]; ok || len(r.Errors) < MaxDistinctErrors {
			r.Errors[text] += n
		} else {
			r.OtherErrors += n
		}
	}
	r.OtherErrors += o.OtherErrors
	r.BytesIn += o.BytesIn
	r.BytesOut += o.BytesOut
	if o.LastEnd.After(r.LastEnd) {
		r.LastEnd = o.LastEnd
	}
	r.HistogramOverflows += o.HistogramOverflows
	r.Service.Merge(o.Service)
	if r.Response != nil && o.Response != nil {
		r.Response.Merge(o.Response)
		r.Lag.Merge(o.Lag)
	}
}

func (r *Recording) finish(interrupted bool) {
	r.Interrupted = interrupted
	if r.series != nil {
		r.Series = r.series.finish()
		r.series = nil
	}
	if r.LastEnd.After(r.Began) {
		r.Wall = r.LastEnd.Sub(r.Began)
	}
}

// ReqPerSec is completed requests (any outcome) per second of wall time.
func (r *Recording) ReqPerSec() float64 {
	if r.Wall <= 0 {
		return 0
	}
	return float64(r.Hits) / r.Wall.Seconds()
}

// SuccessPerSec is successful responses (2xx/3xx, no error) per second.
func (r *Recording) SuccessPerSec() float64 {
	if r.Wall <= 0 {
		return 0
	}
	return float64(r.Successes) / r.Wall.Seconds()
}

// SuccessRatio is Successes/Hits in [0,1]; 0 when there were no hits.
func (r *Recording) SuccessRatio() float64 {
	if r.Hits == 0 {
		return 0
	}
	return float64(r.Successes) / float64(r.Hits)
}

// Quantile returns the service-time value at percentile q (0–100).
func Quantile(h *hdrhistogram.Histogram, q float64) time.Duration {
	if h == nil || h.TotalCount() == 0 {
		return 0
	}
	return time.Duration(h.ValueAtQuantile(q)) * time.Microsecond
}

// ErrorTexts returns the distinct error texts, most frequent first.
func (r *Recording) ErrorTexts() []string {
	out := make([]string, 0, len(r.Errors))
	for k := range r.Errors {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool {
		if r.Errors[out[i]] != r.Errors[out[j]] {
			return r.Errors[out[i]] > r.Errors[out[j]]
		}
		return out[i] < out[j]
	})
	return out
}
