package hgrm

import (
	"bytes"
	"math"
	"regexp"
	"strconv"
	"testing"

	"github.com/oranbench/oranbench/reports/internal/synth"
	"github.com/oranbench/oranbench/reports/results"
)

func TestHgrmParsesBackToTheSamePercentiles(t *testing.T) {
	h := synth.LatencyHist(10_000)
	enc, err := results.EncodeHDR(h)
	if err != nil {
		t.Fatal(err)
	}
	dec, err := results.DecodeHDR(enc)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteHgrm(&buf, dec); err != nil {
		t.Fatal(err)
	}
	got, err := ParseHgrm(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	want := h.CumulativeDistributionWithTicks(results.HgrmTicksPerHalfDistance)
	if len(got.Lines) != len(want) {
		t.Fatalf("parsed %d rows, the histogram has %d", len(got.Lines), len(want))
	}
	for i, w := range want {
		g := got.Lines[i]
		if g.ValueMs != float64(w.ValueAt)/1000 || g.TotalCount != w.Count || math.Abs(g.Percentile-w.Quantile/100) > 5e-7 {
			t.Fatalf("row %d = %+v, want value %d µs, count %d, percentile %v", i, g, w.ValueAt, w.Count, w.Quantile/100)
		}
	}
	// The report's percentiles, read back from the file.
	for _, q := range []float64{50, 75, 90} { // rows fall exactly on these
		if g, w := got.ValueAtMs(q/100), float64(h.ValueAtQuantile(q))/1000; g != w {
			t.Errorf("p%v from .hgrm = %v ms, histogram says %v ms", q, g, w)
		}
	}
	for _, q := range []float64{99, 99.9} { // between rows: bracketed by them
		w := float64(h.ValueAtQuantile(q)) / 1000
		below := 0.0
		for _, l := range got.Lines {
			if l.Percentile < q/100 {
				below = l.ValueMs
			}
		}
		if g := got.ValueAtMs(q / 100); below > w || g < w {
			t.Errorf("p%v = %v ms is not between the rows around it (%v, %v ms)", q, w, below, g)
		}
	}
	if got.Total != h.TotalCount() || got.MaxMs != math.Round(float64(h.Max()))/1000 {
		t.Errorf("footer total %d max %v, want %d and %v", got.Total, got.MaxMs, h.TotalCount(), float64(h.Max())/1000)
	}
	if math.Abs(got.MeanMs-h.Mean()/1000) > 0.001 {
		t.Errorf("footer mean %v, want %v", got.MeanMs, h.Mean()/1000)
	}
}

func TestHgrmUsesTheLayoutOfHdrHistogramsOwnPrinter(t *testing.T) {
	h := synth.LatencyHist(2_000)
	var ours, theirs bytes.Buffer
	if err := WriteHgrm(&ours, h); err != nil {
		t.Fatal(err)
	}
	if _, err := h.PercentilesPrint(&theirs, results.HgrmTicksPerHalfDistance, 1000); err != nil {
		t.Fatal(err)
	}
	// The footer, including the bucket geometry the package keeps private,
	// must match the library's own output exactly.
	footer := regexp.MustCompile(`(?m)^#\[.*\]$`)
	a, b := footer.FindAllString(ours.String(), -1), footer.FindAllString(theirs.String(), -1)
	if len(a) != 3 || len(b) != 3 {
		t.Fatalf("footers: ours %q, library %q", a, b)
	}
	for i := range a {
		if a[i] != b[i] {
			t.Errorf("footer line %d: ours %q, library %q", i, a[i], b[i])
		}
	}
	// Every row: four right-aligned columns, the last one "inf".
	row := regexp.MustCompile(`^ *\d+\.\d{3} +[01]\.\d{6} +\d+ +(\d+\.\d{2}|inf)$`)
	lines := bytes.Split(bytes.TrimSpace(ours.Bytes()), []byte("\n"))
	rows := 0
	for _, l := range lines[2:] {
		if bytes.HasPrefix(l, []byte("#[")) {
			continue
		}
		if !row.Match(l) {
			t.Fatalf("row %q does not have the wrk2 layout", l)
		}
		rows++
	}
	if last := string(lines[len(lines)-4]); !regexp.MustCompile(`1\.000000 +` + strconv.FormatInt(h.TotalCount(), 10) + ` +inf$`).MatchString(last) {
		t.Errorf("last row %q, want percentile 1.000000, the total count and inf", last)
	}
	if rows < 20 {
		t.Errorf("only %d rows", rows)
	}
}
