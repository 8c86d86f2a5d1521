package plots

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/oranbench/oranbench/reports/results"
)

// PlotsDir is the sub-directory of a report that holds its SVG plots.
const PlotsDir = "plots"

// Plot kinds.
const (
	PlotPercentiles = "percentiles" // latency by percentile, log 1/(1-q) axis
	PlotReqPerSec   = "reqps"       // req/s of each repetition, per arm
	PlotTimeline    = "timeline"    // p50 and p99 per interval, runs in order
	PlotRatioMatrix = "ratio"       // a sweep's arm/baseline req/s matrix (two or more swept parameters)
	PlotRatioLines  = "ratio-lines" // a one-parameter sweep's arm/baseline req/s against the swept value
)

// PlotFile is one SVG plot of a scenario.
type PlotFile struct {
	// Path is relative to the report directory, e.g.
	// "plots/seed-20-concurrent.percentiles.svg".
	Path  string
	Title string
	Kind  string
	// Arm is the compared arm's index, for a ratio matrix.
	Arm int
	// Series names the soak series drawn, for a soak plot.
	Series string
}

// Plots lists the plots drawn for s, in the order the report shows them: a
// sweep gets one ratio matrix per compared arm; another scenario gets its
// percentile spectrum, req/s per repetition and timeline, each when the
// results hold what it needs.
func Plots(s results.Scenario) []PlotFile {
	stem := filepath.ToSlash(filepath.Join(PlotsDir, results.FileStem(s.Name)))
	var out []PlotFile
	if s.Failed() {
		return nil
	}
	if s.Soak != nil {
		return soakPlots(s, stem)
	}
	if s.Sweep != nil {
		if len(s.Sweep.Points) == 0 {
			return nil
		}
		arms := s.Sweep.Points[0].Result.Arms
		if len(s.Sweep.Params) == 1 {
			if len(arms) < 2 {
				return nil
			}
			return []PlotFile{{Path: stem + ".ratio.svg", Kind: PlotRatioLines,
				Title: fmt.Sprintf("%s: req/s over %s's by %s (above 1x: more, better)", s.Name, arms[0].Name, s.Sweep.Params[0])}}
		}
		for i := 1; i < len(arms); i++ {
			out = append(out, PlotFile{
				Path:  fmt.Sprintf("%s.ratio-%s.svg", stem, results.FileStem(arms[i].Name)),
				Title: fmt.Sprintf("%s: %s / %s req/s across the sweep", s.Name, arms[i].Name, arms[0].Name),
				Kind:  PlotRatioMatrix, Arm: i,
			})
		}
		return out
	}
	hasHDR, hasReps, hasSeries := false, false, false
	for _, a := range s.Arms {
		hasHDR = hasHDR || a.ServiceHDR != ""
		hasReps = hasReps || len(a.Reps) > 0
		for _, r := range a.Reps {
			hasSeries = hasSeries || len(r.Series) > 0
		}
	}
	if hasHDR {
		out = append(out, PlotFile{Path: stem + ".percentiles.svg", Kind: PlotPercentiles,
			Title: s.Name + ": latency by percentile"})
	}
	if hasReps {
		out = append(out, PlotFile{Path: stem + ".reqps.svg", Kind: PlotReqPerSec,
			Title: s.Name + ": successful req/s per repetition"})
	}
	if hasSeries {
		out = append(out, PlotFile{Path: stem + ".timeline.svg", Kind: PlotTimeline,
			Title: s.Name + ": latency over time"})
	}
	return out
}

// WritePlots draws every plot of every scenario of r into dir/plots.
func WritePlots(dir string, r *results.Results) error {
	for _, s := range r.Scenarios {
		for _, pf := range Plots(s) {
			svg, err := RenderPlot(s, pf)
			if err != nil {
				return fmt.Errorf("plot %s: %w", pf.Path, err)
			}
			path := filepath.Join(dir, filepath.FromSlash(pf.Path))
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				return fmt.Errorf("write %s: %w", pf.Path, err)
			}
			if err := results.WriteFileAtomic(path, svg); err != nil {
				return fmt.Errorf("write %s: %w", pf.Path, err)
			}
		}
	}
	return nil
}

// RenderPlot draws one plot of s as SVG.
func RenderPlot(s results.Scenario, pf PlotFile) ([]byte, error) {
	f, err := figureFor(s, pf)
	if err != nil {
		return nil, err
	}
	f.p.Title.Text = pf.Title
	return f.svg()
}

// figure is a plot and, for a heat map, its colour scale drawn beside it.
type figure struct {
	p *plot.Plot
	// scale is the colour bar of a heat map, nil for other plots.
	scale *plot.Plot
	// kind names what p draws its data with: "heatmap", "lines" or ""
	// (the other plots), so tests can tell a line from a grid.
	kind string
}

// figureFor builds the plot without rendering it.
func figureFor(s results.Scenario, pf PlotFile) (*figure, error) {
	var p *plot.Plot
	var err error
	switch pf.Kind {
	case PlotPercentiles:
		p, err = percentilePlot(s)
	case PlotReqPerSec:
		p, err = reqPerSecPlot(s)
	case PlotTimeline:
		p, err = timelinePlot(s)
	case PlotRatioMatrix:
		return ratioMatrixPlot(s, pf.Arm)
	case PlotRatioLines:
		return ratioLinesPlot(s)
	case PlotSoak:
		p, err = soakPlot(s, pf.Series)
	default:
		return nil, fmt.Errorf("unknown plot kind %q", pf.Kind)
	}
	if err != nil {
		return nil, err
	}
	return &figure{p: p}, nil
}

// Plot geometry and look: sans-serif text, a colour per arm (the baseline
// first), wide enough for GitHub's column.
var (
	plotW, plotH = 18 * vg.Centimeter, 10 * vg.Centimeter
	plotFont     = font.Font{Typeface: "Liberation", Variant: "Sans"}
	armColors    = []color.Color{
		color.RGBA{R: 0x7f, G: 0x7f, B: 0x7f, A: 0xff}, // baseline: grey
		color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff}, // blue
		color.RGBA{R: 0xff, G: 0x7f, B: 0x0e, A: 0xff}, // orange
		color.RGBA{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff}, // green
		color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff}, // red
		color.RGBA{R: 0x94, G: 0x67, B: 0xbd, A: 0xff}, // purple
	}
)

func armColor(i int) color.Color { return armColors[i%len(armColors)] }

func newPlot() *plot.Plot {
	p := plot.New()
	set := func(size vg.Length) font.Font { f := plotFont; f.Size = size; return f }
	p.Title.TextStyle.Font = set(12)
	p.Title.Padding = vg.Points(6)
	for _, ax := range []*plot.Axis{&p.X, &p.Y} {
		ax.Label.TextStyle.Font = set(10)
		ax.Tick.Label.Font = set(9)
	}
	p.Legend.TextStyle.Font = set(9)
	p.Legend.Top = true
	return p
}

// scaleW is the width of a heat map's colour scale, right of the map.
var scaleW = 3 * vg.Centimeter

func (f *figure) svg() ([]byte, error) {
	c := vgsvg.New(plotW, plotH)
	dc := draw.New(c)
	if f.scale == nil {
		f.p.Draw(dc)
	} else {
		main := draw.Crop(dc, 0, -scaleW, 0, 0)
		f.p.Draw(main)
		// The scale spans the map's height: its own padding is small, so
		// its canvas is the map's data area, widened to the right edge.
		data := f.p.DataCanvas(main)
		side := draw.Crop(dc, plotW-scaleW+vg.Points(6), 0, data.Min.Y-dc.Min.Y-vg.Points(4), data.Max.Y-dc.Max.Y+vg.Points(4))
		f.scale.Draw(side)
	}
	var b bytes.Buffer
	if _, err := c.WriteTo(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func line(xys plotter.XYs, c color.Color, width vg.Length, dashed bool) (*plotter.Line, error) {
	l, err := plotter.NewLine(xys)
	if err != nil {
		return nil, err
	}
	l.LineStyle.Color, l.LineStyle.Width = c, width
	if dashed {
		l.LineStyle.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	}
	return l, nil
}

// percentileX places percentile q (0 ≤ q < 1) on the x axis of a percentile
// plot, log10(1/(1-q)), as HdrHistogram's plotter does: p50 at 0.301, p90 at
// 1, p99 at 2, p99.9 at 3, so each further nine gets as much room as the
// whole body of the distribution below p90.
func percentileX(q float64) float64 { return math.Log10(1 / (1 - q)) }

// percentileTicks label the percentile axis up to maxX with the
// percentiles they stand for: 50%, 90%, 99%, 99.9%, ...
func percentileTicks(maxX float64) plot.ConstantTicks {
	ticks := plot.ConstantTicks{{Value: percentileX(0.5), Label: "50%"}}
	for i, l := range []string{"90%", "99%", "99.9%", "99.99%", "99.999%", "99.9999%"} {
		x := float64(i + 1)
		if x > maxX+1e-9 && i > 0 {
			break
		}
		ticks = append(ticks, plot.Tick{Value: x, Label: l})
	}
	return ticks
}

// latencyTicks mark a log latency axis at 1, 2 and 5 times each power of
// ten, labelled, with unlabelled minor ticks at the other integers, so a
// reader can read a value off a log axis as off a ruler.
type latencyTicks struct{}

func (latencyTicks) Ticks(lo, hi float64) []plot.Tick {
	var ticks []plot.Tick
	for e := int(math.Floor(math.Log10(lo))); float64(e) <= math.Log10(hi); e++ {
		for m := 1; m <= 9; m++ {
			v := float64(m) * math.Pow10(e)
			if e < 0 {
				v = float64(m) / math.Pow10(-e)
			}
			if v < lo || v > hi {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 || m == 2 || m == 5 {
				t.Label = strconv.FormatFloat(v, 'f', -1, 64)
			}
			ticks = append(ticks, t)
		}
	}
	return ticks
}

// trimmedTicks are gonum's default ticks without trailing zeros: "250",
// not "250.00".
type trimmedTicks struct{}

func (trimmedTicks) Ticks(lo, hi float64) []plot.Tick {
	ts := plot.DefaultTicks{}.Ticks(lo, hi)
	for i, t := range ts {
		if strings.Contains(t.Label, ".") && !strings.ContainsAny(t.Label, "eE") {
			ts[i].Label = strings.TrimSuffix(strings.TrimRight(t.Label, "0"), ".")
		}
	}
	return ts
}

// logLatencySpan is the ratio of the slowest to the fastest latency drawn
// beyond which the percentile plot uses a log latency axis: over a
// narrower span a linear axis from 0 reads better, over a wider one it
// squeezes the median into a flat line at the bottom.
const logLatencySpan = 8

// percentilePlot draws each arm's latency against the percentile on
// HdrHistogram's axis (see percentileX): the tail gets as much room as the
// median. The latency axis is logarithmic when the latencies span more than
// logLatencySpan, so p50 and p99.9 both read. The open model adds response
// time (from the intended send time) dashed.
func percentilePlot(s results.Scenario) (*plot.Plot, error) {
	p := newPlot()
	p.X.Label.Text = "percentile"
	p.Y.Label.Text = "latency (ms)"
	maxX := 1.0
	minY, maxY := math.Inf(1), 0.0
	anyResponse := false
	var lines []*plotter.Line
	for i, a := range s.Arms {
		for _, kind := range []struct {
			enc    string
			label  string
			dashed bool
		}{{a.ServiceHDR, "", false}, {a.ResponseHDR, " response", true}} {
			if kind.enc == "" {
				continue
			}
			h, err := results.DecodeHDR(kind.enc)
			if err != nil {
				return nil, fmt.Errorf("arm %s: %w", a.Name, err)
			}
			var xys plotter.XYs
			for _, b := range h.CumulativeDistributionWithTicks(results.HgrmTicksPerHalfDistance) {
				q := b.Quantile / 100
				if q >= 1 {
					continue
				}
				x := percentileX(q)
				maxX = math.Max(maxX, x)
				y := float64(b.ValueAt) / 1000
				xys = append(xys, plotter.XY{X: x, Y: y})
				if y > 0 {
					minY = math.Min(minY, y)
				}
				maxY = math.Max(maxY, y)
			}
			if len(xys) == 0 {
				continue
			}
			l, err := line(xys, armColor(i), vg.Points(1.5), kind.dashed)
			if err != nil {
				return nil, err
			}
			lines = append(lines, l)
			p.Add(l)
			p.Legend.Add(a.Name+kind.label, l)
			anyResponse = anyResponse || kind.dashed
		}
	}
	p.X.Min, p.X.Max = 0, maxX+0.15
	p.X.Tick.Marker = percentileTicks(maxX)
	p.Legend.Left = true
	if maxY > 0 && maxY/minY > logLatencySpan {
		// A log axis cannot show 0: a bucket at 0 µs draws at the floor.
		floor := minY / 1.3
		for _, l := range lines {
			for k := range l.XYs {
				l.XYs[k].Y = math.Max(l.XYs[k].Y, floor)
			}
		}
		p.Y.Scale, p.Y.Tick.Marker = plot.LogScale{}, latencyTicks{}
		p.Y.Min, p.Y.Max = floor, maxY*math.Pow(maxY/floor, 0.25) // headroom for the legend
		p.Y.Label.Text = "latency (ms, log scale)"
	} else {
		p.Y.Min = 0
		p.Y.Tick.Marker = trimmedTicks{}
		headroom(p)
	}
	p.Add(plotter.NewGrid())
	if anyResponse {
		p.X.Label.Text = "percentile (solid: service time; dashed: response time from the intended send)"
	}
	return p, nil
}

// reqPerSecPlot draws one bar per arm and repetition, grouped by
// repetition, so drift across the run and the spread between repetitions
// show at a glance.
func reqPerSecPlot(s results.Scenario) (*plot.Plot, error) {
	p := newPlot()
	p.Y.Label.Text = "successful req/s"
	p.X.Label.Text = "repetition (arms ran interleaved, in this order, within each)"
	reps := 0
	for _, a := range s.Arms {
		reps = max(reps, len(a.Reps))
	}
	width := vg.Points(math.Min(40, 360/float64(max(1, reps*len(s.Arms)))))
	for i, a := range s.Arms {
		vals := make(plotter.Values, reps)
		for k, r := range a.Reps {
			vals[k] = r.SuccessPerSec
		}
		bars, err := plotter.NewBarChart(vals, width)
		if err != nil {
			return nil, err
		}
		bars.Color = armColor(i)
		bars.LineStyle.Width = 0
		bars.Offset = vg.Length(float64(i)-float64(len(s.Arms)-1)/2) * width
		p.Add(bars)
		p.Legend.Add(a.Name, bars)
	}
	names := make([]string, reps)
	for k := range names {
		names[k] = fmt.Sprintf("rep %d", k+1)
	}
	p.NominalX(names...)
	p.X.Min, p.X.Max = -0.6, float64(reps)-0.4
	p.Y.Min = 0
	headroom(p)
	p.Add(plotter.NewGrid())
	return p, nil
}

// timelinePlot draws p99 (solid) and p50 (dashed) per interval of every
// measured run, laid end to end in the order the runs happened (warm-ups
// left out); an interval without any completed request breaks the line.
func timelinePlot(s results.Scenario) (*plot.Plot, error) {
	p := newPlot()
	p.X.Label.Text = "seconds of measured load, runs in the order they ran (solid p99, dashed p50)"
	p.Y.Label.Text = "latency (ms)"
	type run struct {
		arm int
		rep results.Rep
	}
	var runs []run
	for i, a := range s.Arms {
		for _, r := range a.Reps {
			runs = append(runs, run{i, r})
		}
	}
	sort.SliceStable(runs, func(i, j int) bool { return runs[i].rep.Position < runs[j].rep.Position })
	offset := 0.0
	legend := map[int]bool{}
	for _, rn := range runs {
		var p50, p99 plotter.XYs
		flush := func() error {
			for _, seg := range []struct {
				xys    plotter.XYs
				dashed bool
			}{{p99, false}, {p50, true}} {
				if len(seg.xys) == 0 {
					continue
				}
				l, err := line(seg.xys, armColor(rn.arm), vg.Points(1.2), seg.dashed)
				if err != nil {
					return err
				}
				p.Add(l)
				if !seg.dashed && !legend[rn.arm] {
					p.Legend.Add(s.Arms[rn.arm].Name, l)
					legend[rn.arm] = true
				}
			}
			p50, p99 = nil, nil
			return nil
		}
		end := 0.0
		for _, iv := range rn.rep.Series {
			mid := offset + (iv.Start + iv.Step/2).Seconds()
			end = (iv.Start + iv.Step).Seconds()
			if iv.Requests == 0 {
				if err := flush(); err != nil {
					return nil, err
				}
				continue
			}
			p99 = append(p99, plotter.XY{X: mid, Y: ms(iv.P99)})
			p50 = append(p50, plotter.XY{X: mid, Y: ms(iv.P50)})
		}
		if err := flush(); err != nil {
			return nil, err
		}
		offset += end
	}
	p.X.Min, p.Y.Min = 0, 0
	headroom(p)
	p.Add(plotter.NewGrid())
	return p, nil
}

// headroom raises the y axis so the legend, top right, sits above the data.
func headroom(p *plot.Plot) {
	p.Y.Max *= 1.18
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
