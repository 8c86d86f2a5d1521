package markdown

import (
	"fmt"
	"strings"

	"github.com/oranbench/oranbench/reports/hgrm"
	"github.com/oranbench/oranbench/reports/plots"
	"github.com/oranbench/oranbench/reports/results"
)

// plotLinks links the scenario's SVG plots and its .hgrm files in the report.
func (p *printer) plotLinks(s results.Scenario) {
	files := plots.Plots(s)
	hgrms := hgrm.HgrmFiles(&results.Results{Scenarios: []results.Scenario{s}})
	if len(files) == 0 && len(hgrms) == 0 {
		return
	}
	p.h(3, "Plots")
	up := strings.Repeat("../", p.depth)
	for _, f := range files {
		p.f("![%s](%s)\n\n", f.Title, up+f.Path)
	}
	switch {
	case len(hgrms) == 0:
	case s.Sweep != nil:
		p.f("Percentile distributions of every point and arm (HdrHistogram `.hgrm`, as wrk2 prints them) are under [`%s/`](%s%s/).\n\n", hgrm.HgrmDir, up, hgrm.HgrmDir)
	default:
		links := make([]string, len(hgrms))
		for i, h := range hgrms {
			links[i] = fmt.Sprintf("[%s %s](%s)", h.Arm, h.Kind, up+h.Path)
		}
		p.f("Percentile distributions (HdrHistogram `.hgrm`, as wrk2 prints them): %s.\n\n", strings.Join(links, " · "))
	}
}
