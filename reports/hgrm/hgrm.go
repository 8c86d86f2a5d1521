package hgrm

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/oranbench/oranbench/reports/results"
)

// HgrmLine is one row of a percentile distribution: the value (in
// milliseconds) at or below which Percentile (0..1) of TotalCount values lie.
type HgrmLine struct {
	ValueMs    float64
	Percentile float64
	TotalCount int64
}

// Hgrm is a parsed percentile-distribution file: its rows and footer.
type Hgrm struct {
	Lines    []HgrmLine
	MeanMs   float64
	StdDevMs float64
	MaxMs    float64
	Total    int64
}

// WriteHgrm writes h, whose values are microseconds, as HdrHistogram's
// classic percentile distribution with values in milliseconds: the layout
// wrk2 prints and HdrHistogram's plotter reads, e.g.
//
//	       Value   Percentile   TotalCount 1/(1-Percentile)
//
//	      11.927     0.500000         4650         2.00
//	      ...
//	      26.239     1.000000         9300          inf
//	#[Mean    =       12.301, StdDeviation   =        2.112]
//	#[Max     =       26.224, Total count    =         9300]
//	#[Buckets =           22, SubBuckets     =         2048]
func WriteHgrm(w io.Writer, h *hdrhistogram.Histogram) error {
	bw := bufio.NewWriter(w)
	const scale = 1000.0 // µs → ms
	digits := h.SignificantFigures()
	fmt.Fprintf(bw, "%12s %12s %12s %12s\n\n", "Value", "Percentile", "TotalCount", "1/(1-Percentile)")
	for _, b := range h.CumulativeDistributionWithTicks(results.HgrmTicksPerHalfDistance) {
		q := b.Quantile / 100
		inv := fmt.Sprintf("%12.2f", 1/(1-q))
		if q >= 1 {
			inv = fmt.Sprintf("%12s", "inf")
		}
		fmt.Fprintf(bw, "%12.*f %12f %12d %s\n", digits, float64(b.ValueAt)/scale, q, b.Count, inv)
	}
	buckets, subBuckets := hdrGeometry(h)
	fmt.Fprintf(bw, "#[Mean    = %12.3f, StdDeviation   = %12.3f]\n", h.Mean()/scale, h.StdDev()/scale)
	fmt.Fprintf(bw, "#[Max     = %12.3f, Total count    = %12d]\n", float64(h.Max())/scale, h.TotalCount())
	fmt.Fprintf(bw, "#[Buckets = %12d, SubBuckets     = %12d]\n", buckets, subBuckets)
	return bw.Flush()
}

// hdrGeometry returns the bucket and sub-bucket counts of h, which its
// package does not export: the same derivation from the lowest and highest
// trackable values and the significant figures that HdrHistogram uses.
func hdrGeometry(h *hdrhistogram.Histogram) (buckets, subBuckets int) {
	largest := 2 * math.Pow10(int(h.SignificantFigures()))
	subMag := int(math.Ceil(math.Log2(largest)))
	halfMag := max(subMag, 1) - 1
	unitMag := int(math.Floor(math.Log2(float64(max(h.LowestTrackableValue(), 1)))))
	subBuckets = 1 << (halfMag + 1)
	untrackable := int64(subBuckets) << unitMag
	buckets = 1
	for untrackable <= h.HighestTrackableValue() {
		if untrackable > math.MaxInt64/2 {
			return buckets + 1, subBuckets
		}
		untrackable <<= 1
		buckets++
	}
	return buckets, subBuckets
}

// ParseHgrm reads a percentile distribution as WriteHgrm, wrk2 or
// HdrHistogram's own tools print it.
func ParseHgrm(r io.Reader) (*Hgrm, error) {
	out := &Hgrm{}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "", strings.HasPrefix(line, "Value"):
			continue
		case strings.HasPrefix(line, "#["):
			parseHgrmFooter(out, line)
			continue
		}
		f := strings.Fields(line)
		if len(f) < 3 {
			return nil, fmt.Errorf("hgrm line %d: %q: want \"value percentile count [1/(1-percentile)]\"", n, line)
		}
		v, err1 := strconv.ParseFloat(f[0], 64)
		p, err2 := strconv.ParseFloat(f[1], 64)
		c, err3 := strconv.ParseInt(f[2], 10, 64)
		if err1 != nil || err2 != nil || err3 != nil || p < 0 || p > 1 {
			return nil, fmt.Errorf("hgrm line %d: %q: want \"value percentile(0..1) count\"", n, line)
		}
		out.Lines = append(out.Lines, HgrmLine{ValueMs: v, Percentile: p, TotalCount: c})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read hgrm: %w", err)
	}
	return out, nil
}

// parseHgrmFooter reads "#[Mean = 1.0, StdDeviation = 2.0]" style lines.
func parseHgrmFooter(out *Hgrm, line string) {
	body := strings.TrimSuffix(strings.TrimPrefix(line, "#["), "]")
	for _, part := range strings.Split(body, ",") {
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			continue
		}
		x, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil {
			continue
		}
		switch strings.TrimSpace(k) {
		case "Mean":
			out.MeanMs = x
		case "StdDeviation":
			out.StdDevMs = x
		case "Max":
			out.MaxMs = x
		case "Total count":
			out.Total = int64(x)
		}
	}
}

// ValueAtMs returns the value of the first row whose percentile reaches q
// (0..1): the distribution's value at q, to the resolution of its rows.
func (h *Hgrm) ValueAtMs(q float64) float64 {
	for _, l := range h.Lines {
		if l.Percentile >= q {
			return l.ValueMs
		}
	}
	if len(h.Lines) == 0 {
		return 0
	}
	return h.Lines[len(h.Lines)-1].ValueMs
}
