package markdown

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/oranbench/oranbench/reports/analysis"
	"github.com/oranbench/oranbench/reports/results"
)

// soak renders a soak: what ran and for how long, what the series are
// of, and each series' slope with its interval, resolution and verdict.
func (p *printer) soak(s results.Scenario) {
	sk := s.Soak
	p.h(2, "%s", scenarioHeading(s))
	p.f("%s\n\n", s.Description)
	if sk.Partial {
		p.f("> **Partial:** the soak was interrupted; the slopes cover what ran.\n\n")
	}
	p.f("**Duration:** %s planned, in phases of %s each (%d ran), the first %s of each left out of the fits; sampled every %s; TLS %s.\n\n",
		sk.Duration, analysis.SoakPhaseLength(sk), len(sk.Phases), sk.Warmup, sk.Interval, onOff(s.Conditions.TLS))
	p.fixtureNotes(s)
	p.f("**Load:** %s.", sk.Load)
	if b := backendText(s.Conditions); b != "" {
		p.f(" Topology: %s.", b)
	}
	p.f("\n\n**What each series is of:** %s\n\n", sk.Layout)
	if analysis.ShortSoak(sk) {
		p.f("**Growth:** %s. Phases of %s cannot tell a leak from a process settling after start-up, so no slope is shown; results.json keeps every sample.\n\n",
			analysis.SoakTooShort, analysis.SoakPhaseLength(sk))
	} else {
		p.soakSlopes(sk)
	}
	var rows [][]string
	for _, ph := range sk.Phases {
		rows = append(rows, []string{"`" + ph.Name + "`", ph.Subject, ph.Elapsed.Round(100 * time.Millisecond).String(), results.Int(ph.Requests), results.Int(ph.Failures), topErrors(ph.Errors, 3)})
	}
	p.table([]string{"phase", "subject", "ran (with warm-up and drain)", "requests (intents)", "failed", "most frequent failures"}, rows)
	for _, note := range s.Notes {
		p.f("> %s\n\n", note)
	}
}

// soakSlopes renders each series' slope with its interval, resolution and
// verdict.
func (p *printer) soakSlopes(sk *results.Soak) {
	p.f("Each slope is a Theil–Sen fit (the median of all pairwise slopes) with its %.0f%% distribution-free interval (Sen 1968, from Kendall's tau), per hour. "+
		"An interval that includes 0 means **no growth detected at this resolution**; the resolution is the smallest slope this run could have told from 0: "+
		"the larger of the interval's half-width and one measurement step (a page of memory, one goroutine, fd or socket) over the fitted span. "+
		"Successive samples are correlated, so the intervals are somewhat narrower than for independent data. "+
		"TIME_WAIT sockets expire after 60 s: a phase shorter than that sees their number rise towards a plateau, and the next phase sees them expire. %s\n\n",
		100*analysis.Confidence, analysis.HeapFit)
	var rows [][]string
	for _, ph := range sk.Phases {
		for _, se := range ph.Series {
			row := []string{"`" + ph.Name + "`", soakName(se.Name), "–", "–", "–", "–", analysis.SoakVerdict(se)}
			if len(se.Points) > 0 {
				row[2] = fmt.Sprintf("%s → %s %s", num3(se.Points[0].V), num3(se.Points[len(se.Points)-1].V), se.Unit)
			}
			if sl := analysis.SeriesFit(se, sk.Warmup); sl != nil {
				fitted := se
				fitted.Slope = sl
				row[6] = analysis.SoakVerdict(fitted)
				row[3] = results.PerHourText(sl.PerHour, se.Unit)
				row[4] = fmt.Sprintf("[%s, %s]", results.SignedNum(sl.Lo), results.SignedNum(sl.Hi))
				row[5] = fmt.Sprintf("±%s %s/h, fitted over %s (%d points)", strings.TrimPrefix(results.SignedNum(sl.Resolution), "+"), se.Unit, sl.Span.Round(time.Second), sl.N)
				if v := row[6]; v == "growth detected" || v == "decline detected" {
					row[6] = "**" + v + "**"
				}
			}
			rows = append(rows, row)
		}
	}
	p.table([]string{"phase", "series", "first → last", "slope", fmt.Sprintf("%.0f%% interval", 100*analysis.Confidence), "resolution", "verdict"}, rows)
}

// soakFinding says in a few words what a soak found about growth.
func soakFinding(s results.Scenario) string {
	sk := s.Soak
	if analysis.ShortSoak(sk) {
		return analysis.SoakTooShort
	}
	var grew []string
	fitted := 0
	for _, ph := range sk.Phases {
		for _, se := range ph.Series {
			sl := analysis.SeriesFit(se, sk.Warmup)
			if sl == nil {
				continue
			}
			fitted++
			if sl.Lo > 0 {
				grew = append(grew, fmt.Sprintf("`%s` %s %s", ph.Name, soakName(se.Name), results.PerHourText(sl.PerHour, se.Unit)))
			}
		}
	}
	switch {
	case fitted == 0:
		return "no series could be fitted"
	case len(grew) == 0:
		return fmt.Sprintf("no growth detected in any of %d series at this run's resolution", fitted)
	}
	return fmt.Sprintf("growth detected in %s; none detected in the other %d series", strings.Join(grew, ", "), fitted-len(grew))
}

// soakVerdictLine says in one sentence what a soak found.
func soakVerdictLine(s results.Scenario) string {
	sk := s.Soak
	head := fmt.Sprintf("**%s** (soak, %d phases of %s", s.Name, len(sk.Phases), analysis.SoakPhaseLength(sk))
	if sk.Partial {
		head += ", partial"
	}
	return head + "): " + soakFinding(s) + "."
}

func soakName(name string) string {
	switch name {
	case results.SoakRSS:
		return "RSS"
	case results.SoakHeap:
		return "Go heap in use"
	case results.SoakFDs:
		return "open fds"
	case results.SoakTimeWait:
		return "TIME_WAIT sockets"
	}
	return name
}

// num3 writes v with 3 significant digits.
func num3(v float64) string { return strings.TrimPrefix(results.SignedNum(v), "+") }

// topErrors lists the k most frequent failures, "–" when there were none.
func topErrors(m map[string]int64, k int) string {
	if len(m) == 0 {
		return "–"
	}
	keys := make([]string, 0, len(m))
	for e := range m {
		keys = append(keys, e)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	var out []string
	for _, e := range keys[:min(k, len(keys))] {
		out = append(out, fmt.Sprintf("%s ×%s", strings.ReplaceAll(e, "|", "/"), results.Int(m[e])))
	}
	return strings.Join(out, "; ")
}
