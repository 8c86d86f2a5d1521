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
// of, whether the leak control was flagged, each series' slope with its
// interval, resolution and verdict, and each subject's footprint.
func (p *printer) soak(s results.Scenario) {
	sk := s.Soak
	p.h(2, "%s", scenarioHeading(s))
	p.f("%s\n\n", s.Description)
	switch {
	case sk.Checkpoint > 0:
		p.f("> **Checkpoint:** written %s into a soak still running; the next checkpoint or the final report replaces it.\n\n", sk.Checkpoint.Round(time.Second))
	case sk.Partial:
		p.f("> **Partial:** the soak was interrupted; the slopes cover what ran.\n\n")
	}
	if sk.Concurrent {
		p.f("**Duration:** %s, every subject at once, each in a process of its own; the first %s left out of the fits (%s fitted); sampled every %s; TLS %s.\n\n",
			sk.Duration, sk.Warmup, analysis.SoakFitSpan(sk).Round(time.Second), sk.Interval, onOff(s.Conditions.TLS))
	} else {
		p.f("**Duration:** %s planned, in phases of %s each (%d ran), the first %s of each left out of the fits; sampled every %s; TLS %s.\n\n",
			sk.Duration, analysis.SoakPhaseLength(sk), len(sk.Phases), sk.Warmup, sk.Interval, onOff(s.Conditions.TLS))
	}
	p.fixtureNotes(s)
	p.f("**Load:** %s.", sk.Load)
	if b := backendText(s.Conditions); b != "" {
		p.f(" Topology: %s.", b)
	}
	p.f("\n\n**What each series is of:** %s\n\n", sk.Layout)
	if sk.Concurrent {
		p.soakJudgement(sk)
	}
	if analysis.ShortSoak(sk) {
		p.f("**Growth:** %s. Phases of %s cannot tell a leak from a process settling after start-up, so no slope is shown; results.json keeps every sample.\n\n",
			analysis.SoakTooShort, analysis.SoakPhaseLength(sk))
	} else {
		p.soakSlopes(sk)
	}
	if sk.Concurrent {
		p.soakFootprint(sk)
	}
	var rows [][]string
	for _, ph := range sk.Phases {
		if ph.Role == results.SoakRoleHarness {
			continue
		}
		if sk.Checkpoint > 0 && ph.Elapsed == 0 {
			// Counts come when a subject ends.
			rows = append(rows, []string{"`" + ph.Name + "`", ph.Subject, "running", "–", "–", "–"})
			continue
		}
		rows = append(rows, []string{"`" + ph.Name + "`", ph.Subject, ph.Elapsed.Round(100 * time.Millisecond).String(), results.Int(ph.Requests), results.Int(ph.Failures), topErrors(ph.Errors, 3)})
	}
	p.table([]string{"subject", "what ran", "ran (with warm-up and drain)", "requests (intents)", "failed", "most frequent failures"}, rows)
	for _, note := range s.Notes {
		p.f("> %s\n\n", note)
	}
}

// soakJudgement says whether the soak can judge, and whether its leak
// control was flagged.
func (p *printer) soakJudgement(sk *results.Soak) {
	if !analysis.SoakCanJudge(sk) {
		what := "a smoke soak"
		if sk.Checkpoint > 0 {
			what = "not yet: a checkpoint"
		}
		p.f("**Unable to judge:** %s. Its fit spans %s, shorter than the %s needed to resolve +2 goroutines/h (one goroutine in 30 min); its verdicts are \"not measurable\" whatever its slopes. `make soak` runs %s.\n\n",
			what, analysis.SoakFitSpan(sk).Round(time.Second), analysis.SoakJudgeSpan, analysis.DefaultSoak)
	} else {
		p.f("**Resolution:** %s\n\n", analysis.SoakDurationText)
	}
	present, flagged, detail := analysis.LeakControl(sk)
	void, why := analysis.SoakVoid(sk)
	switch {
	case void:
		p.f("> **Void:** %s. A soak that misses a leak of this size cannot say that the subjects have none; the exit code is 1.\n\n", why)
	case present && flagged:
		p.f("**Leak control:** `%s` leaks on purpose (%s) beside the others under the same load, and was **flagged**: %s.\n\n", "leak-control", "1 goroutine and 64 KiB of live heap per minute, 1 fd per 10 minutes", detail)
	case present:
		p.f("**Leak control:** `%s` leaks on purpose (1 goroutine and 64 KiB of live heap per minute, 1 fd per 10 minutes) and was not flagged in this run, too short to judge: %s.\n\n", "leak-control", detail)
	}
}

// soakFootprint renders each subject's steady state: the median over the
// fitted window of each series.
func (p *printer) soakFootprint(sk *results.Soak) {
	p.f("**Footprint:** each subject's steady state, the median over the fitted window (after the warm-up). Live heap is after a forced collection; RSS includes the Go runtime and the binary's pages. GC cycles are the whole run's, one forced per sample among them.\n\n")
	var rows [][]string
	for _, ph := range sk.Phases {
		fp := analysis.Footprint(ph, sk.Warmup, analysis.SoakFitEnd(sk))
		cell := func(name, unit string) string {
			v, ok := fp[name]
			if !ok || v != v {
				return "–"
			}
			if unit == "MB" {
				return fmt.Sprintf("%.2f MB", v)
			}
			return fmt.Sprintf("%.0f", v)
		}
		name := "`" + ph.Name + "`"
		switch ph.Role {
		case results.SoakRoleHarness:
			name += " (reference)"
		case results.SoakRoleLeakControl:
			name += " (leaks on purpose)"
		}
		gc := "–"
		if ph.GCCycles > 0 {
			gc = results.Int(int64(ph.GCCycles))
		}
		rows = append(rows, []string{name, cell(results.SoakHeap, "MB"), cell(results.SoakRSS, "MB"), cell(results.SoakGoroutines, ""), cell(results.SoakFDs, ""), cell(results.SoakThreads, ""), gc})
	}
	p.table([]string{"subject", "live heap", "RSS", "goroutines", "fds", "threads", "GC cycles"}, rows)
}

// soakSlopes renders each series' slope with its interval, resolution and
// verdict.
func (p *printer) soakSlopes(sk *results.Soak) {
	p.f("Each slope is a Theil–Sen fit (the median of all pairwise slopes) with its %.0f%% distribution-free interval (Sen 1968, from Kendall's tau), per hour. "+
		"An interval that includes 0 means **no growth detected at this resolution**; the resolution is the smallest slope this run could have told from 0: "+
		"the larger of the interval's half-width and one measurement step (a page of memory, one goroutine, fd or socket) over the fitted span. "+
		"Successive samples are correlated, so the intervals are somewhat narrower than for independent data. "+
		"TIME_WAIT sockets expire after 60 s. ",
		100*analysis.Confidence)
	if sk.Concurrent {
		p.f("Memory leaks are judged on the live heap after a collection; RSS is beside it as the footprint. \"Fitted window\" is the fitted line's value at the first and last point of the window it was fitted to. " +
			"\"Fit needed\" estimates, from the noise this series showed, the window that would resolve 1 MB/h of live heap or 2 goroutines/h.\n\n")
	} else {
		p.f("%s\n\n", analysis.HeapFit)
	}
	end := analysis.SoakFitEnd(sk)
	var rows [][]string
	for _, ph := range sk.Phases {
		for _, se := range ph.Series {
			row := []string{"`" + ph.Name + "`", soakName(se.Name), "–", "–", "–", "–", "–", analysis.SoakVerdict(se)}
			if sl := analysis.SeriesFit(se, sk.Warmup); sl != nil {
				fitted := se
				fitted.Slope = sl
				row[7] = analysis.SoakVerdict(fitted)
				if w, ok := analysis.SeriesWindow(se, sl, sk.Warmup, end); ok {
					row[2] = fmt.Sprintf("%s → %s %s (%s–%s)", num3(w.V0), num3(w.V1), se.Unit, secs(w.T0), secs(w.T1))
				}
				row[3] = results.PerHourText(sl.PerHour, se.Unit)
				row[4] = fmt.Sprintf("[%s, %s]", results.SignedNum(sl.Lo), results.SignedNum(sl.Hi))
				row[5] = fmt.Sprintf("±%s %s/h over %s (%d points)", strings.TrimPrefix(results.SignedNum(sl.Resolution), "+"), se.Unit, sl.Span.Round(time.Second), sl.N)
				if t := analysis.SoakTarget(se.Name); t > 0 && sk.Concurrent {
					q := 1.0
					if se.Unit == "MB" {
						q = 0
					}
					row[6] = "≈ " + analysis.SpanNeeded(sl, t, q).String()
				}
				if v := row[7]; v == "growth detected" || v == "decline detected" {
					row[7] = "**" + v + "**"
				}
			}
			rows = append(rows, row)
		}
	}
	p.table([]string{"subject", "series", "fitted window", "slope", fmt.Sprintf("%.0f%% interval", 100*analysis.Confidence), "resolution", "fit needed", "verdict"}, rows)
}

// secs writes seconds since the soak began as a duration, e.g. 4m0s.
func secs(t float64) string {
	return time.Duration(t * float64(time.Second)).Round(time.Second).String()
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
		if ph.Role != "" {
			continue
		}
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
	if sk.Concurrent {
		head = fmt.Sprintf("**%s** (soak, %d subjects at once for %s", s.Name, len(analysis.SoakSubjects(sk)), analysis.SoakPhaseLength(sk))
		if !analysis.SoakCanJudge(sk) {
			head += ", unable to judge"
		}
		if void, _ := analysis.SoakVoid(sk); void {
			head += ", VOID: the leak control was not flagged"
		}
	}
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
		return "live heap"
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
