package plots

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
	"time"

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
