package plots

import (
	"fmt"
	"image/color"
	"math"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/oranbench/oranbench/reports/results"
)

// ratioAt is arm ai's req/s over the baseline's (arm 0) at one sweep point,
// with its interval and significance as the statistics computed them; a
// run without statistics falls back to the plain ratio, its interval
// unknown (Lo = Hi = 0).
func ratioAt(r results.Scenario, ai int) (results.Comparison, bool) {
	if ai <= 0 || ai >= len(r.Arms) {
		return results.Comparison{}, false
	}
	if cmp, ok := r.Stats.Comparison(r.Arms[ai].Name, r.Arms[0].Name, results.MetricReqPerSec); ok {
		return cmp, cmp.Ratio > 0
	}
	if ai-1 < len(r.Ratios) && r.Ratios[ai-1].ReqPerSec > 0 {
		return results.Comparison{Ratio: r.Ratios[ai-1].ReqPerSec, Significant: true}, true
	}
	return results.Comparison{}, false
}

// ratioTicks label a ratio axis (log scale) at the round ratios within
// [lo, hi], 4x and 10x among them since claims are stated in those.
func ratioTicks(lo, hi float64) plot.ConstantTicks {
	var out plot.ConstantTicks
	for _, v := range []float64{0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 10, 20, 50, 100} {
		if v >= lo*0.999 && v <= hi*1.001 {
			out = append(out, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', -1, 64) + "x"})
		}
	}
	return out
}

// sweptAxis places a one-parameter sweep's values on the x axis: numbers
// (or durations) at their value, on a log scale when they span a decade or
// more and are all positive; anything else (on/off) evenly, in sweep order.
// pos is in axis units, already log10 for a log axis, so that arms can be
// offset from each other by a fixed distance.
func sweptAxis(values []string) (pos []float64, log bool) {
	nums := make([]float64, len(values))
	numeric := len(values) > 0
	for i, v := range values {
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			nums[i] = f
		} else if d, err := time.ParseDuration(v); err == nil {
			nums[i] = d.Seconds()
		} else {
			numeric = false
			break
		}
	}
	pos = make([]float64, len(values))
	if !numeric {
		for i := range pos {
			pos[i] = float64(i)
		}
		return pos, false
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, f := range nums {
		lo, hi = math.Min(lo, f), math.Max(hi, f)
	}
	log = lo > 0 && hi/lo >= 10
	for i, f := range nums {
		pos[i] = f
		if log {
			pos[i] = math.Log10(f)
		}
	}
	return pos, log
}

// armGlyphs are the marker shapes of the compared arms, filled where the
// ratio is significant and hollow where it is not; the shape tells the arms
// apart without their colour.
var armGlyphs = [][2]draw.GlyphDrawer{
	{draw.CircleGlyph{}, draw.RingGlyph{}},
	{draw.SquareGlyph{}, draw.BoxGlyph{}},
	{draw.TriangleGlyph{}, draw.PyramidGlyph{}},
}

// ratioLinesPlot draws a one-parameter sweep: for each compared arm, its
// req/s over the baseline's against the swept value, a line through the
// points with the ratio's interval as an error bar, on a log ratio axis
// with a reference line at 1x (no difference).
func ratioLinesPlot(s results.Scenario) (*figure, error) {
	sw := s.Sweep
	values := make([]string, len(sw.Points))
	for i, pt := range sw.Points {
		if len(pt.Values) > 0 {
			values[i] = pt.Values[0]
		}
	}
	pos, logX := sweptAxis(values)
	arms := sw.Points[0].Result.Arms
	base := arms[0].Name
	p := newPlot()
	span := 1.0
	if len(pos) > 1 {
		span = pos[len(pos)-1] - pos[0]
		for _, x := range pos {
			span = math.Max(span, math.Abs(x-pos[0]))
		}
	}
	dodge := span * 0.012 // arms side by side, so their error bars do not hide each other
	lo, hi := 1.0, 1.0
	conf := 0.0
	for ai := 1; ai < len(arms); ai++ {
		var xys plotter.XYs
		var errs plotter.YErrors
		var sig []bool
		for k, pt := range sw.Points {
			cmp, ok := ratioAt(pt.Result, ai)
			if !ok {
				continue
			}
			x := pos[k] + dodge*(float64(ai)-float64(len(arms))/2)
			xys = append(xys, plotter.XY{X: x, Y: cmp.Ratio})
			el, eh := 0.0, 0.0
			if cmp.Lo > 0 && cmp.Hi >= cmp.Lo {
				el, eh = cmp.Ratio-cmp.Lo, cmp.Hi-cmp.Ratio
				lo, hi = math.Min(lo, cmp.Lo), math.Max(hi, cmp.Hi)
				conf = math.Max(conf, cmp.Confidence)
			}
			errs = append(errs, struct{ Low, High float64 }{el, eh})
			sig = append(sig, cmp.Significant)
			lo, hi = math.Min(lo, cmp.Ratio), math.Max(hi, cmp.Ratio)
		}
		if len(xys) == 0 {
			continue
		}
		c := armColor(ai)
		l, err := line(xys, c, vg.Points(1.5), false)
		if err != nil {
			return nil, err
		}
		eb, err := plotter.NewYErrorBars(struct {
			plotter.XYs
			plotter.YErrors
		}{xys, errs})
		if err != nil {
			return nil, err
		}
		eb.LineStyle.Color, eb.LineStyle.Width, eb.CapWidth = c, vg.Points(1), vg.Points(6)
		sc, err := plotter.NewScatter(xys)
		if err != nil {
			return nil, err
		}
		shape := armGlyphs[(ai-1)%len(armGlyphs)]
		sc.GlyphStyleFunc = func(k int) draw.GlyphStyle {
			g := draw.GlyphStyle{Color: c, Radius: vg.Points(3.5), Shape: shape[0]}
			if !sig[k] {
				g.Shape = shape[1]
			}
			return g
		}
		p.Add(l, eb, sc)
		p.Legend.Add(arms[ai].Name, l, &plotter.Scatter{GlyphStyle: draw.GlyphStyle{Color: c, Radius: vg.Points(3.5), Shape: shape[0]}})
	}
	lo, hi = lo/1.25, hi*1.25
	hi *= math.Pow(hi/lo, 0.3) // headroom for the legend, top right
	one, err := line(plotter.XYs{{X: pos[0] - span, Y: 1}, {X: pos[len(pos)-1] + span, Y: 1}}, color.Black, vg.Points(0.8), true)
	if err != nil {
		return nil, err
	}
	p.Add(one)
	p.Add(plotter.NewGrid())
	p.Y.Scale, p.Y.Min, p.Y.Max = plot.LogScale{}, lo, hi
	p.Y.Tick.Marker = ratioTicks(lo, hi)
	p.Y.Label.Text = "× " + base + "'s req/s (log scale)"
	ticks := make(plot.ConstantTicks, len(pos))
	for k, x := range pos {
		ticks[k] = plot.Tick{Value: x, Label: values[k]}
	}
	pad := math.Max(span*0.08, 0.4*span/float64(max(1, len(pos)-1)))
	if len(pos) == 1 {
		pad = 0.5
	}
	p.X.Tick.Marker = ticks
	p.X.Min, p.X.Max = pos[0]-pad, pos[len(pos)-1]+pad
	for _, x := range pos {
		p.X.Min, p.X.Max = math.Min(p.X.Min, x-pad), math.Max(p.X.Max, x+pad)
	}
	p.X.Label.Text = sw.Params[0]
	if logX {
		p.X.Label.Text += " (log scale)"
	}
	bars := "interval"
	if conf > 0 {
		bars = fmt.Sprintf("%s interval", strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.1f", conf*100), "0"), ".")+"%")
	}
	p.X.Label.Text += fmt.Sprintf("; bars: the ratio's %s; hollow: not significant", bars)
	return &figure{p: p, kind: "lines"}, nil
}

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

// bound is the largest |log2 ratio| in the grid, at least 1 (0.5x .. 2x)
// so that small differences stay pale.
func (g ratioGrid) bound() float64 {
	m := 1.0
	for _, row := range g.z {
		for _, v := range row {
			if !math.IsNaN(v) {
				m = math.Max(m, math.Abs(v))
			}
		}
	}
	return m
}

// heatColours is the number of colours of the heat map's palette: odd, so
// that 1x is the white in the middle.
const heatColours = 101

// ratioMatrixPlot draws arm ai's req/s over the baseline's at every sweep
// point as a coloured grid on a blue–white–orange scale (orange: more req/s
// than the baseline, better; blue: fewer), symmetric around 1x in log2, with
// the scale beside it. Each cell is labelled with the ratio, and "~" when
// not significant, in black or white, whichever reads on its colour.
func ratioMatrixPlot(s results.Scenario, ai int) (*figure, error) {
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
		rowKey := ""
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
		colKey := strings.Join(rest, " ")
		if _, ok := rowOf[rowKey]; !ok {
			rowOf[rowKey] = len(g.rows)
			g.rows = append(g.rows, rowKey)
		}
		if _, ok := colOf[colKey]; !ok {
			colOf[colKey] = len(g.cols)
			g.cols = append(g.cols, colKey)
		}
		c := cell{r: rowOf[rowKey], c: colOf[colKey]}
		if cmp, ok := ratioAt(pt.Result, ai); ok {
			c.ratio, c.sig = cmp.Ratio, cmp.Significant
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
	for _, c := range cells {
		if c.ratio > 0 {
			g.z[c.r][c.c] = math.Log2(c.ratio)
		}
	}
	m := g.bound()
	cm := &paletteMap{pal: divergingPalette(heatColours).Colors(), min: -m, max: m}
	hm := plotter.NewHeatMap(g, colours(cm.pal))
	hm.Min, hm.Max = -m, m
	hm.NaN = color.RGBA{R: 0xdd, G: 0xdd, B: 0xdd, A: 0xff}
	p := newPlot()
	p.Add(hm)
	var labels plotter.XYLabels
	var textColours []color.Color
	for _, c := range cells {
		txt, bg := "not run", hm.NaN
		if c.ratio > 0 {
			txt, bg = results.Times(c.ratio), cm.colour(g.z[c.r][c.c])
			if !c.sig {
				txt += " ~"
			}
		}
		labels.XYs = append(labels.XYs, plotter.XY{X: g.X(c.c), Y: g.Y(c.r)})
		labels.Labels = append(labels.Labels, txt)
		textColours = append(textColours, textOn(bg))
	}
	lb, err := plotter.NewLabels(labels)
	if err != nil {
		return nil, err
	}
	for i := range lb.TextStyle {
		lb.TextStyle[i].Font = plotFont
		lb.TextStyle[i].Font.Size = 10
		lb.TextStyle[i].Color = textColours[i]
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
	p.X.Tick.Length, p.Y.Tick.Length = 0, 0
	p.X.Min, p.X.Max = -0.5, float64(len(g.cols))-0.5
	p.Y.Min, p.Y.Max = -0.5, float64(len(g.rows))-0.5
	p.X.Label.Text = "orange: more req/s than the baseline (better), blue: fewer; ~ not significant"

	// The scale is a one-column heat map of the same palette and range
	// (drawn as rectangles, as the map is, rather than as an embedded
	// image), labelled with ratios at their log2 positions.
	scale := newPlot()
	scale.Add(plotter.NewHeatMap(scaleGrid{m: m, n: heatColours}, colours(cm.pal)))
	scale.HideX()
	scale.X.Min, scale.X.Max = -0.5, 0.5
	scale.Y.Min, scale.Y.Max = -m, m
	var st plot.ConstantTicks
	for _, t := range ratioTicks(math.Exp2(-m), math.Exp2(m)) {
		t.Value = math.Log2(t.Value)
		st = append(st, t)
	}
	scale.Y.Tick.Marker = st
	scale.Y.Label.Text = "req/s ratio (log scale)"
	return &figure{p: p, scale: scale, kind: "heatmap"}, nil
}

// scaleGrid is a heat map's colour scale as a grid of one column: n cells
// from -m to m, each valued at its own position.
type scaleGrid struct {
	m float64
	n int
}

func (g scaleGrid) Dims() (c, r int)   { return 1, g.n }
func (g scaleGrid) Z(_, r int) float64 { return g.Y(r) }
func (g scaleGrid) X(int) float64      { return 0 }
func (g scaleGrid) Y(r int) float64    { return -g.m + 2*g.m*float64(r)/float64(g.n-1) }
