package plots

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/palette/moreland"
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
	PlotRatioMatrix = "ratio"       // a sweep's arm/baseline req/s matrix
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
	p, err := plotFor(s, pf)
	if err != nil {
		return nil, err
	}
	p.Title.Text = pf.Title
	return svgBytes(p)
}

// plotFor builds the plot without rendering it.
func plotFor(s results.Scenario, pf PlotFile) (*plot.Plot, error) {
	switch pf.Kind {
	case PlotPercentiles:
		return percentilePlot(s)
	case PlotReqPerSec:
		return reqPerSecPlot(s)
	case PlotTimeline:
		return timelinePlot(s)
	case PlotRatioMatrix:
		return ratioMatrixPlot(s, pf.Arm)
	case PlotSoak:
		return soakPlot(s, pf.Series)
	}
	return nil, fmt.Errorf("unknown plot kind %q", pf.Kind)
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

func svgBytes(p *plot.Plot) ([]byte, error) {
	c := vgsvg.New(plotW, plotH)
	p.Draw(draw.New(c))
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

// percentileTicks label the 1/(1-q) axis with the percentiles it stands for.
func percentileTicks(maxX float64) plot.ConstantTicks {
	var ticks []plot.Tick
	labels := []string{"0%", "90%", "99%", "99.9%", "99.99%", "99.999%", "99.9999%"}
	for i, l := range labels {
		x := math.Pow(10, float64(i))
		if x > maxX*1.0001 && i > 1 {
			break
		}
		ticks = append(ticks, plot.Tick{Value: x, Label: l})
	}
	return ticks
}

// percentilePlot draws each arm's latency against 1/(1-q) on a log axis,
// the way HdrHistogram plots a percentile distribution: the tail gets as
// much room as the median. The open model adds response time (from the
// intended send time) dashed.
func percentilePlot(s results.Scenario) (*plot.Plot, error) {
	p := newPlot()
	p.X.Label.Text = "percentile"
	p.Y.Label.Text = "latency (ms)"
	p.X.Scale = plot.LogScale{}
	maxX := 10.0
	anyResponse := false
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
				x := 1 / (1 - q)
				maxX = math.Max(maxX, x)
				xys = append(xys, plotter.XY{X: x, Y: float64(b.ValueAt) / 1000})
			}
			if len(xys) == 0 {
				continue
			}
			l, err := line(xys, armColor(i), vg.Points(1.5), kind.dashed)
			if err != nil {
				return nil, err
			}
			p.Add(l)
			p.Legend.Add(a.Name+kind.label, l)
			anyResponse = anyResponse || kind.dashed
		}
	}
	p.X.Min, p.X.Max = 1, maxX*1.2
	p.Y.Min = 0
	headroom(p)
	p.X.Tick.Marker = percentileTicks(maxX)
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

// ratioGrid is a sweep's ratio matrix for plotter.HeatMap: rows are the
// first parameter's values, columns the combinations of the others.
type ratioGrid struct {
	rows, cols []string
	z          [][]float64 // log2 ratio; NaN where not measured
}

func (g ratioGrid) Dims() (c, r int) { return len(g.cols), len(g.rows) }

func (g ratioGrid) Z(c, r int) float64 { return g.z[r][c] }

func (g ratioGrid) X(c int) float64 { return float64(c) }

func (g ratioGrid) Y(r int) float64 { return float64(len(g.rows) - 1 - r) }

func (g ratioGrid) Min() float64 { return g.bound(-1) }

func (g ratioGrid) Max() float64 { return g.bound(1) }

func (g ratioGrid) bound(sign float64) float64 {
	m := 1.0 // at least 0.5x .. 2x, so small differences stay pale
	for _, row := range g.z {
		for _, v := range row {
			if !math.IsNaN(v) {
				m = math.Max(m, math.Abs(v))
			}
		}
	}
	return sign * m
}

// ratioMatrixPlot draws arm ai's req/s over the baseline's at every sweep
// point as a coloured grid (red: faster than the baseline, blue: slower),
// each cell labelled with the ratio and "~" when not significant.
func ratioMatrixPlot(s results.Scenario, ai int) (*plot.Plot, error) {
	sw := s.Sweep
	g := ratioGrid{}
	rowOf, colOf := map[string]int{}, map[string]int{}
	type cell struct {
		r, c  int
		ratio float64
		sig   bool
	}
	var cells []cell
	for _, pt := range sw.Points {
		rowKey, colKey := "", ""
		var rest []string
		for i, v := range pt.Values {
			if i == 0 {
				rowKey = sw.Params[0] + "=" + v
				continue
			}
			if i < len(sw.Params) {
				rest = append(rest, sw.Params[i]+"="+v)
			}
		}
		colKey = strings.Join(rest, " ")
		if _, ok := rowOf[rowKey]; !ok {
			rowOf[rowKey] = len(g.rows)
			g.rows = append(g.rows, rowKey)
		}
		if _, ok := colOf[colKey]; !ok {
			colOf[colKey] = len(g.cols)
			g.cols = append(g.cols, colKey)
		}
		r := pt.Result
		if ai >= len(r.Arms) {
			continue
		}
		c := cell{r: rowOf[rowKey], c: colOf[colKey]}
		if cmp, ok := r.Stats.Comparison(r.Arms[ai].Name, r.Arms[0].Name, results.MetricReqPerSec); ok {
			c.ratio, c.sig = cmp.Ratio, cmp.Significant
		} else if ai-1 < len(r.Ratios) {
			c.ratio, c.sig = r.Ratios[ai-1].ReqPerSec, true
		}
		cells = append(cells, c)
	}
	g.z = make([][]float64, len(g.rows))
	for r := range g.z {
		g.z[r] = make([]float64, len(g.cols))
		for c := range g.z[r] {
			g.z[r][c] = math.NaN()
		}
	}
	var labels plotter.XYLabels
	for _, c := range cells {
		txt := "n/a"
		if c.ratio > 0 {
			g.z[c.r][c.c] = math.Log2(c.ratio)
			txt = results.Times(c.ratio)
			if !c.sig {
				txt += " ~"
			}
		}
		labels.XYs = append(labels.XYs, plotter.XY{X: g.X(c.c), Y: g.Y(c.r)})
		labels.Labels = append(labels.Labels, txt)
	}
	p := newPlot()
	hm := plotter.NewHeatMap(g, moreland.SmoothBlueRed().Palette(101))
	hm.NaN = color.RGBA{R: 0xee, G: 0xee, B: 0xee, A: 0xff}
	p.Add(hm)
	lb, err := plotter.NewLabels(labels)
	if err != nil {
		return nil, err
	}
	for i := range lb.TextStyle {
		lb.TextStyle[i].Font = plotFont
		lb.TextStyle[i].Font.Size = 10
		lb.TextStyle[i].XAlign, lb.TextStyle[i].YAlign = draw.XCenter, draw.YCenter
	}
	p.Add(lb)
	ticks := func(names []string, at func(int) float64) plot.ConstantTicks {
		out := make(plot.ConstantTicks, len(names))
		for i, n := range names {
			if n == "" {
				n = " "
			}
			out[i] = plot.Tick{Value: at(i), Label: n}
		}
		return out
	}
	p.X.Tick.Marker, p.Y.Tick.Marker = ticks(g.cols, g.X), ticks(g.rows, g.Y)
	p.X.Min, p.X.Max = -0.5, float64(len(g.cols))-0.5
	p.Y.Min, p.Y.Max = -0.5, float64(len(g.rows))-0.5
	p.X.Label.Text = "red: faster than the baseline, blue: slower; ~ not significant"
	return p, nil
}
