package plots

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"image/color"
	"math"
	"strings"
	"testing"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"gonum.org/v1/plot"

	"github.com/oranbench/oranbench/reports/internal/synth"
	"github.com/oranbench/oranbench/reports/results"
)

func TestEveryPlotIsWellFormedSVGWithItsTitle(t *testing.T) {
	r := synth.Results(t, 1, 1, synth.Spread5)
	n := 0
	for _, s := range r.Scenarios {
		for _, pf := range Plots(s) {
			svg, err := RenderPlot(s, pf)
			if err != nil {
				t.Fatalf("%s: %v", pf.Path, err)
			}
			dec := xml.NewDecoder(bytes.NewReader(svg))
			var text strings.Builder
			for {
				tok, err := dec.Token()
				if err != nil {
					if err.Error() != "EOF" {
						t.Fatalf("%s is not well-formed XML: %v", pf.Path, err)
					}
					break
				}
				if cd, ok := tok.(xml.CharData); ok {
					text.Write(cd)
				}
			}
			if !strings.Contains(text.String(), pf.Title) {
				t.Errorf("%s does not show its title %q", pf.Path, pf.Title)
			}
			n++
		}
	}
	if n != 4 {
		t.Fatalf("drew %d plots, want 3 for the seed scenario and 1 ratio matrix for the sweep", n)
	}
}

func TestASoakGetsOnePlotPerMeasuredSeriesWithItsFittedLine(t *testing.T) {
	s := results.Scenario{Name: "soak", Soak: &results.Soak{Warmup: 2 * time.Second, Phases: []results.SoakPhase{{Name: "tuned", Series: []results.SoakSeries{
		{Name: results.SoakRSS, Unit: "MB", Points: []results.SoakPoint{{T: 0, V: 30}, {T: 1, V: 31}, {T: 2, V: 32}, {T: 3, V: 33}, {T: 4, V: 34}},
			Slope: &results.SlopeResult{PerHour: 3600, Lo: 3500, Hi: 3700, Resolution: 100, N: 3}},
		{Name: results.SoakFDs, Unit: "fds", NotMeasured: "no /proc"},
	}}}}}
	pfs := Plots(s)
	if len(pfs) != 1 || pfs[0].Path != "plots/soak.soak-rss.svg" || pfs[0].Series != results.SoakRSS {
		t.Fatalf("plots = %+v; want the RSS plot only", pfs)
	}
	svg, err := RenderPlot(s, pfs[0])
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(svg, []byte("<svg")) || !bytes.Contains(svg, []byte("tuned +3600 MB/h")) {
		t.Fatalf("the SVG lacks the phase's legend with its slope")
	}
	fit := fitLine(s.Soak.Phases[0].Series[0], 2)
	if len(fit) != 2 || fit[0].X != 2 || fit[0].Y != 32 || fit[1].X != 4 || fit[1].Y != 34 {
		t.Fatalf("fitted line %v; want (2, 32) to (4, 34), on the points", fit)
	}
}

func TestPercentileAxisIsHdrHistogramsLogOfOneOverOneMinusP(t *testing.T) {
	for _, c := range []struct{ p, x float64 }{{0, 0}, {0.5, 0.30103}, {0.9, 1}, {0.99, 2}, {0.999, 3}, {0.9999, 4}} {
		if got := percentileX(c.p); math.Abs(got-c.x) > 1e-4 {
			t.Errorf("percentileX(%v) = %v, want %v", c.p, got, c.x)
		}
	}
	var labels []string
	for _, tk := range percentileTicks(4.2) {
		labels = append(labels, fmt.Sprintf("%s@%.3f", tk.Label, tk.Value))
	}
	want := "50%@0.301 90%@1.000 99%@2.000 99.9%@3.000 99.99%@4.000"
	if got := strings.Join(labels, " "); got != want {
		t.Fatalf("ticks %s, want %s", got, want)
	}
}

// percentileScenario is one arm whose latencies are in hist.
func percentileScenario(t *testing.T, hist *hdrhistogram.Histogram) results.Scenario {
	t.Helper()
	enc, err := results.EncodeHDR(hist)
	if err != nil {
		t.Fatal(err)
	}
	return results.Scenario{Name: "wide", Arms: []results.Arm{{Name: "default", ServiceHDR: enc}}}
}

func TestALatencySpanOfDecadesGetsALogAxisSoTheMedianReads(t *testing.T) {
	// 10 µs .. 10 ms and a 1% tail at 250 ms: on a linear axis up to 250 ms
	// the median (5 ms) would be a flat line at the bottom.
	wide, err := percentilePlot(percentileScenario(t, synth.LatencyHist(1000)))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := wide.Y.Scale.(plot.LogScale); !ok {
		t.Fatalf("latency axis over 4 decades is %T, want plot.LogScale", wide.Y.Scale)
	}
	if wide.Y.Min <= 0 || wide.Y.Min > 0.01 || wide.Y.Max < 250 {
		t.Fatalf("log axis spans %v..%v ms, want from below 10 µs to above 250 ms", wide.Y.Min, wide.Y.Max)
	}
	// The seed's synthetic arms span 6 ms .. 36 ms: a linear axis from 0.
	seed := synth.Results(t, 1, 1, synth.Spread5).Scenarios[0]
	narrow, err := percentilePlot(seed)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := narrow.Y.Scale.(plot.LogScale); ok || narrow.Y.Min != 0 {
		t.Fatalf("latency axis over a narrow span is %T from %v, want linear from 0", narrow.Y.Scale, narrow.Y.Min)
	}
}

func TestLatencyTicksLabelOneTwoFivePerDecade(t *testing.T) {
	var labels []string
	for _, tk := range (latencyTicks{}).Ticks(0.3, 30) {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	if got := strings.Join(labels, " "); got != "0.5 1 2 5 10 20" {
		t.Fatalf("labelled ticks %q, want 0.5 1 2 5 10 20", got)
	}
}

func TestAOneParameterSweepIsDrawnAsLinesOfTheRatioWithIntervals(t *testing.T) {
	s := synth.Cliff(3) // concurrency 20, 100, 1000; tuned and tuned-capped over default
	pfs := Plots(s)
	if len(pfs) != 1 || pfs[0].Kind != PlotRatioLines || pfs[0].Path != "plots/pool-cliff.ratio.svg" {
		t.Fatalf("plots = %+v; want one ratio line plot for all compared arms", pfs)
	}
	f, err := figureFor(s, pfs[0])
	if err != nil {
		t.Fatal(err)
	}
	if f.kind != "lines" || f.scale != nil {
		t.Fatalf("a one-parameter sweep is drawn as %q (colour scale %v), want lines without a scale", f.kind, f.scale != nil)
	}
	if _, ok := f.p.Y.Scale.(plot.LogScale); !ok {
		t.Errorf("ratio axis is %T, want log", f.p.Y.Scale)
	}
	if !strings.Contains(f.p.X.Label.Text, "log scale") {
		t.Errorf("concurrency 20..1000 spans decades, x label %q does not say log scale", f.p.X.Label.Text)
	}
	svg, err := RenderPlot(s, pfs[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{">tuned<", ">tuned-capped<", ">1x<", ">4x<", ">10x<", ">1000<", "interval"} {
		if !bytes.Contains(svg, []byte(want)) {
			t.Errorf("the line plot lacks %q", want)
		}
	}
	if pos, logX := sweptAxis([]string{"on", "off"}); logX || pos[0] != 0 || pos[1] != 1 {
		t.Errorf("on/off placed at %v (log %v), want 0 and 1 in sweep order", pos, logX)
	}
	if pos, logX := sweptAxis([]string{"20", "50"}); logX || pos[0] != 20 || pos[1] != 50 {
		t.Errorf("20, 50 placed at %v (log %v), want linear at their values", pos, logX)
	}
}

func TestATwoParameterSweepIsAHeatMapWithARatioColourScale(t *testing.T) {
	s := synth.Results(t, 1, 1, synth.Spread5).Scenarios[1] // concurrency × tls
	pfs := Plots(s)
	if len(pfs) != 1 || pfs[0].Kind != PlotRatioMatrix {
		t.Fatalf("plots = %+v; want one ratio matrix", pfs)
	}
	f, err := figureFor(s, pfs[0])
	if err != nil {
		t.Fatal(err)
	}
	if f.kind != "heatmap" || f.scale == nil {
		t.Fatalf("a two-parameter sweep is drawn as %q (colour scale %v), want a heat map with its scale", f.kind, f.scale != nil)
	}
	var labels []string
	for _, tk := range f.scale.Y.Tick.Marker.Ticks(f.scale.Y.Min, f.scale.Y.Max) {
		labels = append(labels, tk.Label)
	}
	if got := strings.Join(labels, " "); got != "0.25x 0.5x 1x 2x 4x" {
		t.Errorf("colour scale labelled %q; want the ratios 0.25x .. 4x around 1x", got)
	}
	if !strings.Contains(f.p.X.Label.Text, "orange: more req/s than the baseline (better)") {
		t.Errorf("the heat map does not say which colour is better: %q", f.p.X.Label.Text)
	}
}

func TestCellLabelsAreBlackOrWhiteByTheCellsLuminance(t *testing.T) {
	if l := luminance(color.White); math.Abs(l-1) > 1e-9 {
		t.Errorf("luminance(white) = %v", l)
	}
	if l := luminance(color.Black); l != 0 {
		t.Errorf("luminance(black) = %v", l)
	}
	pal := divergingPalette(heatColours).Colors()
	for _, c := range []struct {
		name string
		bg   color.Color
		want color.Color
	}{
		{"darkest blue (much slower)", pal[0], color.White},
		{"darkest orange (much faster)", pal[len(pal)-1], color.White},
		{"white (1x)", pal[len(pal)/2], color.Black},
		{"pale orange", pal[len(pal)*3/4], color.Black},
		{"pale blue", pal[len(pal)/4], color.Black},
		{"grey of a point not run", color.RGBA{R: 0xdd, G: 0xdd, B: 0xdd, A: 0xff}, color.Black},
	} {
		if got := textOn(c.bg); got != c.want {
			t.Errorf("text on %s %v is %v, want %v", c.name, c.bg, got, c.want)
		}
	}
	if mid := pal[len(pal)/2].(color.RGBA); mid != divergingAnchors[2] {
		t.Errorf("the palette's middle (1x) is %v, want the white anchor %v", mid, divergingAnchors[2])
	}
}

func TestPlotsRenderByteForByteTheSameTwice(t *testing.T) {
	r := synth.Results(t, 1, 1, synth.Spread5)
	scenarios := append(r.Scenarios, synth.Cliff(3))
	for _, s := range scenarios {
		for _, pf := range Plots(s) {
			a, err := RenderPlot(s, pf)
			if err != nil {
				t.Fatal(err)
			}
			b, err := RenderPlot(s, pf)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a, b) {
				t.Errorf("%s renders differently the second time", pf.Path)
			}
		}
	}
}

func TestLinearLatencyTicksDropTrailingZeros(t *testing.T) {
	var labels []string
	for _, tk := range (trimmedTicks{}).Ticks(0, 500) {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	if got := strings.Join(labels, " "); got != "0 250 500" {
		t.Fatalf("labelled ticks %q, want 0 250 500", got)
	}
}
