package plots

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/oranbench/oranbench/reports/internal/synth"
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
