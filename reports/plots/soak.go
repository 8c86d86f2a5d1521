package plots

import (
	"fmt"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/oranbench/oranbench/reports/analysis"
	"github.com/oranbench/oranbench/reports/results"
)

// PlotSoak is one soak series over time, a line per phase.
const PlotSoak = "soak"

// soakPlots lists one plot per series a soak sampled (measured in at least
// one phase), in the order the phases list them.
func soakPlots(s results.Scenario, stem string) []PlotFile {
	var out []PlotFile
	seen := map[string]bool{}
	for _, ph := range s.Soak.Phases {
		for _, se := range ph.Series {
			if seen[se.Name] || len(se.Points) == 0 {
				continue
			}
			seen[se.Name] = true
			out = append(out, PlotFile{Path: fmt.Sprintf("%s.soak-%s.svg", stem, se.Name), Kind: PlotSoak, Series: se.Name,
				Title: fmt.Sprintf("%s: %s over each phase (%s)", s.Name, soakTitle(se.Name), se.Unit)})
		}
	}
	return out
}

func soakTitle(name string) string {
	switch name {
	case results.SoakRSS:
		return "resident set size"
	case results.SoakHeap:
		return "live heap after a collection"
	case results.SoakGoroutines:
		return "goroutines"
	case results.SoakFDs:
		return "open file descriptors"
	case results.SoakTimeWait:
		return "sockets in TIME_WAIT towards the mock"
	}
	return name
}

// soakPlot draws one series of every phase against seconds since the
// phase began, with the fitted Theil–Sen line dashed over the points it
// was fitted to (after the warm-up, marked by a dotted vertical line).
func soakPlot(s results.Scenario, name string) (*plot.Plot, error) {
	p := newPlot()
	p.X.Label.Text = "seconds since the phase began (dashed: fitted slope; dotted: end of warm-up)"
	if s.Soak.Concurrent {
		p.X.Label.Text = "seconds since the soak began (dashed: fitted line over its window; dotted: end of warm-up)"
	}
	unit := ""
	minY, maxY := 0.0, 0.0
	first := true
	for i, ph := range s.Soak.Phases {
		for _, se := range ph.Series {
			if se.Name != name || len(se.Points) == 0 {
				continue
			}
			unit = se.Unit
			xys := make(plotter.XYs, len(se.Points))
			for k, pt := range se.Points {
				xys[k] = plotter.XY{X: pt.T, Y: pt.V}
				if first || pt.V < minY {
					minY = pt.V
				}
				if first || pt.V > maxY {
					maxY = pt.V
				}
				first = false
			}
			l, err := line(xys, armColor(i), vg.Points(1.2), false)
			if err != nil {
				return nil, err
			}
			p.Add(l)
			label := ph.Name
			if sl := analysis.SeriesFit(se, s.Soak.Warmup); sl != nil {
				label += " " + results.PerHourText(sl.PerHour, se.Unit)
				fit := fitLine(se, s.Soak.Warmup.Seconds())
				if w, ok := analysis.SeriesWindow(se, sl, s.Soak.Warmup, analysis.SoakFitEnd(s.Soak)); ok && s.Soak.Concurrent {
					fit = plotter.XYs{{X: w.T0, Y: w.V0}, {X: w.T1, Y: w.V1}}
				}
				if fit != nil {
					fl, err := line(fit, armColor(i), vg.Points(0.8), true)
					if err != nil {
						return nil, err
					}
					p.Add(fl)
				}
			}
			p.Legend.Add(label, l)
		}
	}
	p.Y.Label.Text = unit
	if w := s.Soak.Warmup.Seconds(); w > 0 && !first {
		pad := max(1e-9, (maxY-minY)*0.05)
		wl, err := line(plotter.XYs{{X: w, Y: minY - pad}, {X: w, Y: maxY + pad}}, armColor(0), vg.Points(0.6), true)
		if err != nil {
			return nil, err
		}
		wl.LineStyle.Dashes = []vg.Length{vg.Points(1), vg.Points(2)}
		p.Add(wl)
	}
	// The y axis fits the data rather than starting at 0: a slope of a few
	// MB on a base of tens would otherwise be flat.
	p.X.Min = 0
	p.Y.Max += (p.Y.Max - p.Y.Min) * 0.25
	p.Add(plotter.NewGrid())
	return p, nil
}

// fitLine is the fitted line over the points after the warm-up: the slope,
// through the median of y - slope·x (Theil–Sen's intercept).
func fitLine(se results.SoakSeries, warmup float64) plotter.XYs {
	b := se.Slope.PerHour / 3600 // per second, as the x axis
	var rs []float64
	x0, x1 := -1.0, -1.0
	for _, pt := range se.Points {
		if pt.T < warmup {
			continue
		}
		rs = append(rs, pt.V-b*pt.T)
		if x0 < 0 {
			x0 = pt.T
		}
		x1 = pt.T
	}
	if len(rs) < 2 {
		return nil
	}
	slices.Sort(rs)
	a := rs[len(rs)/2]
	if len(rs)%2 == 0 {
		a = (rs[len(rs)/2-1] + rs[len(rs)/2]) / 2
	}
	return plotter.XYs{{X: x0, Y: a + b*x0}, {X: x1, Y: a + b*x1}}
}
