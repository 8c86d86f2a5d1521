package markdown

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/oranbench/oranbench/reports/analysis"
	"github.com/oranbench/oranbench/reports/results"
)

// recommendation renders the "Recommendation" section: per family, which arm
// won and by how much, and the transport settings to ship, all derived from
// the measured runs.
func (p *printer) recommendation(r *results.Results) {
	rec := analysis.Recommend(r)
	var any bool
	for _, f := range rec.Families {
		any = any || len(f.Runs) > 0
	}
	if !any {
		return
	}
	p.f("## Recommendation\n\n")
	p.f("Derived from this run's measurements. In each family of conditions, every run (scenario or sweep point) ranks its arms on the metric that decides it; an arm *wins* a run when it is the best or not significantly different from the best (`~`, see the glossary). The family's choice is the arm that won the largest share of the runs it took part in, and among equals the smallest change to `tuned` (the operator's factory). `%s` (client-go's transport, which every Kubernetes client already uses) is a reference, neither ranked nor chosen: it is not a change to `tuned`; the margins say how the choice did against it.\n\n", results.ProfileClientGo)
	var rows [][]string
	var runs []string
	for _, f := range rec.Families {
		if len(f.Runs) == 0 {
			rows = append(rows, []string{f.Name, "not measured", "–", "–"})
			continue
		}
		var others []string
		for n, w := range f.Wins {
			if n != f.Winner && w > 0 {
				others = append(others, fmt.Sprintf("`%s` %d of %d", n, w, f.Ran[n]))
			}
		}
		sort.Strings(others)
		won := fmt.Sprintf("**`%s`** won %d of %d runs", f.Winner, f.Wins[f.Winner], f.Ran[f.Winner])
		if len(others) > 0 {
			won += "; " + strings.Join(others, ", ")
		}
		runs = append(runs, fmt.Sprintf("%s: %s", f.Name, strings.Join(f.Runs, ", ")))
		rows = append(rows, []string{f.Name, won, margins(f), shipText(f.Ship)})
	}
	p.table([]string{"conditions", "winner", "by how much (median ratio [interval])", "settings to ship"}, rows)
	if len(runs) > 0 {
		p.f("<details><summary>Runs per family</summary>\n\n")
		for _, r := range runs {
			p.f("- %s\n", r)
		}
		p.f("\n</details>\n\n")
	}

	// One transport for all of them: the union of the winners' changes.
	if len(rec.Changes) == 0 {
		p.f("**Ship**: `tuned` as it is: no measured change to it won a family of conditions.\n\n")
		return
	}
	var parts []string
	for _, c := range rec.Changes {
		parts = append(parts, fmt.Sprintf("%s (won: %s)", c.Setting, strings.Join(c.Families, "; ")))
	}
	p.f("**Ship**: `tuned` with %s.", strings.Join(parts, ", "))
	if len(rec.Conflicts) > 0 {
		p.f(" These changes conflict (%s): the families need different values, so the choice depends on which backends the operator calls.", strings.Join(rec.Conflicts, ", "))
	}
	if arm := rec.Combination; arm != "" {
		var won, ran int
		var where []string
		for _, f := range rec.Families {
			if f.Ran[arm] > 0 {
				won, ran = won+f.Wins[arm], ran+f.Ran[arm]
				where = append(where, f.Name)
			}
		}
		p.f(" That combination ran as `%s`: it won %d of the %d runs it took part in (%s).", arm, won, ran, strings.Join(where, "; "))
	} else if len(rec.Changes) > 1 {
		p.f(" No arm of this run had all of them at once; an inline arm `{name: candidate, base: tuned, config: {%s}}` measures the combination.", rec.InlineConfig)
	}
	p.f("\n\n")
	var lost []string
	for _, f := range rec.Families {
		for _, l := range f.Lost {
			lost = append(lost, fmt.Sprintf("`%s` lost %s to `%s` (%s %s)", f.Winner, l.Run, l.Best, l.Metric, results.FormatRatioCI(l.Comparison)))
		}
	}
	if len(lost) > 0 {
		p.f("Where a family's choice lost a run: %s.\n\n", strings.Join(lost, "; "))
	}
}

// margins says by how much the family's winner beat tuned, default and
// client-go (where each ran), per decisive metric, as median ratios with
// intervals (the lowest and highest when there are several runs).
func margins(f analysis.Family) string {
	if len(f.Margins) == 0 {
		return "`" + f.Winner + "` is the only arm measured"
	}
	var parts []string
	for _, m := range f.Margins {
		parts = append(parts, fmt.Sprintf("%s vs `%s` %s", m.Metric, m.Against, spread(m.Comparisons)))
	}
	return strings.Join(parts, "; ")
}

// spread is one comparison with its interval, or the lowest and highest of
// several.
func spread(cs []results.Comparison) string {
	switch len(cs) {
	case 0:
		return ""
	case 1:
		return results.FormatRatioCI(cs[0])
	}
	cs = slices.Clone(cs)
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].Ratio < cs[j].Ratio })
	return fmt.Sprintf("%s to %s over %d runs", results.FormatRatioCI(cs[0]), results.FormatRatioCI(cs[len(cs)-1]), len(cs))
}

// shipText is a family's changes to tuned.
func shipText(changes []string) string {
	if len(changes) == 0 {
		return "`tuned` as it is"
	}
	return "`tuned` with " + strings.Join(changes, ", ")
}
