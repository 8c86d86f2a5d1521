package analysis

import (
	"fmt"
	"strings"
	"time"

	"github.com/oranbench/oranbench/reports/results"
)

// The seed's figures for the leaks its tuning removed: a soak whose
// resolution is coarser than these could not have told them from 0.
const (
	SeedMemoryLeakMBPerHour  = 10
	SeedGoroutineLeakPerHour = 2
)

const (
	stabilityHorizon       = 24 * time.Hour
	soakNotMeasured        = "not measured in this run (oranbench soak, or make soak)"
	soakExtrapolatedMarker = "extrapolated, not measured"
)

// zeroGrowth judges "X grows 0 per hour" on the named series of every
// soak (see slopeClaim).
func zeroGrowth(names ...string) RuleFunc {
	return func(rs Runs) results.Claim { return slopeClaim(rs.Results, names...) }
}

// slopeClaim judges "X grows 0 per hour" on the named series of every
// soak: it does not hold when an interval lies above 0; it holds when none
// does and every resolution is finer than the seed's own leak figure for
// that series; otherwise the run could not tell.
func slopeClaim(r *results.Results, names ...string) results.Claim {
	var c results.Claim
	runs := soakRuns(r)
	if len(runs) == 0 {
		c.Verdict, c.Reason = VerdictNotMeasurable, soakNotMeasured
		return c
	}
	if ShortSoak(runs[0].soak) {
		return runs[0].shortClaim()
	}
	if c, gated := runs[0].gate(); gated {
		return c
	}
	var measured, grew, coarse, conds []string
	fitted := 0
	for _, u := range runs {
		conds = append(conds, u.conditions())
		for _, ps := range u.seriesOf(names...) {
			fit := SeriesFit(ps.s, u.soak.Warmup)
			if fit == nil {
				measured = append(measured, ps.label()+": "+SoakVerdict(ps.s))
				continue
			}
			fitted++
			sl := *fit
			measured = append(measured, ps.label()+" "+sl.Text(ps.s.Unit))
			if sl.Lo > 0 {
				grew = append(grew, ps.label()+" "+results.PerHourText(sl.PerHour, ps.s.Unit))
			}
			if ref := u.target(ps.s.Name); ref > 0 && sl.Resolution >= ref {
				coarse = append(coarse, fmt.Sprintf("%s (±%s, the seed's figure %s %s/h)", ps.label(),
					strings.TrimPrefix(results.SignedNum(sl.Resolution), "+"), results.SignedNum(ref), ps.s.Unit))
			}
		}
	}
	c.Measured = strings.Join(measured, "; ")
	c.Conditions = strings.Join(conds, "; ")
	short := runs[0].short()
	if runs[0].soak.Concurrent {
		short = " " + runs[0].controlText()
	}
	switch {
	case len(grew) > 0 && short != "" && !runs[0].soak.Concurrent:
		// A few seconds per phase cannot separate a leak from a heap
		// still growing to its working size.
		c.Verdict = VerdictNotMeasurable
		c.Reason = "growth detected (95% interval above 0): " + strings.Join(grew, ", ") + "." + short + " Run longer (make soak) to tell which."
	case len(grew) > 0:
		c.Verdict = VerdictDoesNotHold
		c.Reason = "growth detected (95% interval above 0): " + strings.Join(grew, ", ") + "."
	case fitted == 0:
		c.Verdict, c.Reason = VerdictNotMeasurable, "no series could be fitted"
	case len(coarse) > 0:
		c.Verdict = VerdictNotMeasurable
		c.Reason = "no growth detected, but at a resolution too coarse to have seen the leak the seed describes: " + strings.Join(coarse, ", ") +
			"." + short + " Run longer (make soak, SOAK=2h)."
	default:
		c.Verdict = VerdictHolds
		c.Reason = "no growth detected at this resolution (every interval includes 0)." + short
	}
	return c
}

// stabilityClaim states what was measured and what the slopes' upper
// bounds would add over 24 hours, marked as an extrapolation.
func stabilityClaim(rs Runs) results.Claim {
	var c results.Claim
	r := rs.Results
	runs := soakRuns(r)
	if len(runs) == 0 {
		c.Verdict, c.Reason = VerdictNotMeasurable, soakNotMeasured
		return c
	}
	if ShortSoak(runs[0].soak) {
		return runs[0].shortClaim()
	}
	if c, gated := runs[0].gate(); gated {
		return c
	}
	var extra, grew, coarse, conds []string
	var longest time.Duration
	for _, u := range runs {
		conds = append(conds, u.conditions())
		longest = max(longest, u.phaseSpan())
		names := []string{results.SoakRSS, results.SoakHeap, results.SoakGoroutines, results.SoakFDs}
		if u.soak.Concurrent {
			// RSS is the footprint, not the leak: a leak grows the live heap.
			names = names[1:]
		}
		for _, ps := range u.seriesOf(names...) {
			fit := SeriesFit(ps.s, u.soak.Warmup)
			if fit == nil {
				continue
			}
			sl := *fit
			// The interval's upper end over the horizon: the most growth
			// the data allow, if the slope held for 24 hours.
			extra = append(extra, fmt.Sprintf("%s ≤ %s %s", ps.label(), results.SignedNum(max(0, sl.Hi)*stabilityHorizon.Hours()), ps.s.Unit))
			if sl.Lo > 0 {
				grew = append(grew, fmt.Sprintf("%s %s (%s %s over 24 h)", ps.label(), results.PerHourText(sl.PerHour, ps.s.Unit),
					results.SignedNum(sl.PerHour*stabilityHorizon.Hours()), ps.s.Unit))
			}
			if ref := u.target(ps.s.Name); ref > 0 && sl.Resolution >= ref {
				coarse = append(coarse, fmt.Sprintf("%s (±%s %s/h, the target %s)", ps.label(),
					strings.TrimPrefix(results.SignedNum(sl.Resolution), "+"), ps.s.Unit, results.PerHourText(ref, ps.s.Unit)))
			}
		}
	}
	c.Conditions = strings.Join(conds, "; ")
	if len(extra) == 0 {
		c.Verdict, c.Reason = VerdictNotMeasurable, "no series could be fitted"
		return c
	}
	c.Measured = fmt.Sprintf("%s per phase measured; %s over 24 h: %s", longest.Round(time.Second), soakExtrapolatedMarker, strings.Join(extra, "; "))
	short := runs[0].short()
	switch {
	case len(grew) > 0 && short != "":
		c.Verdict = VerdictNotMeasurable
		c.Reason = "growth detected; " + soakExtrapolatedMarker + ": " + strings.Join(grew, ", ") + "." + short
	case len(grew) > 0:
		c.Verdict = VerdictDoesNotHold
		c.Reason = "growth detected; " + soakExtrapolatedMarker + ": " + strings.Join(grew, ", ") + "."
	case longest >= stabilityHorizon:
		c.Verdict, c.Reason = VerdictHolds, "no growth detected over a 24-hour phase"
	case runs[0].soak.Concurrent && len(coarse) > 0:
		c.Verdict = VerdictNotMeasurable
		c.Reason = "no growth detected, but at a resolution too coarse to bound 24 hours: " + strings.Join(coarse, ", ") + "."
	case runs[0].soak.Concurrent:
		c.Verdict = VerdictHolds
		c.Reason = fmt.Sprintf("no growth detected in %s, at resolutions finer than 1 MB/h of live heap and 2 goroutines/h; the 24-hour figures are %s (upper ends of the intervals × 24 h), not a 24-hour run. %s",
			longest.Round(time.Second), soakExtrapolatedMarker, runs[0].controlText())
	default:
		c.Verdict = VerdictNotMeasurable
		c.Reason = fmt.Sprintf("no 24-hour run: %s per phase, no growth detected; the 24-hour figures are %s (upper ends of the intervals × 24 h).",
			longest.Round(time.Second), soakExtrapolatedMarker)
	}
	return c
}

// target is the slope per hour series name must resolve for a verdict: in
// a soak of subjects in processes of their own, SoakTarget (1 MB/h of live
// heap, 2 goroutines/h); in the older soaks of phases, the seed's figures.
func (u soakRun) target(name string) float64 {
	if u.soak.Concurrent {
		return SoakTarget(name)
	}
	return seedLeaks[name]
}

// gate is the verdict of a soak that cannot judge (too short a fit) or
// whose leak control was not flagged (void); gated is false otherwise.
func (u soakRun) gate() (c results.Claim, gated bool) {
	if !u.soak.Concurrent {
		return c, false
	}
	c.Conditions = u.conditions()
	if !SoakCanJudge(u.soak) {
		c.Verdict = VerdictNotMeasurable
		c.Measured = fmt.Sprintf("a smoke soak: %s fitted", SoakFitSpan(u.soak).Round(time.Second))
		if u.soak.Checkpoint > 0 {
			c.Measured = fmt.Sprintf("a checkpoint: %s fitted so far", SoakFitSpan(u.soak).Round(time.Second))
		}
		c.Reason = fmt.Sprintf("unable to judge: its fit spans %s, shorter than the %s needed to resolve +2 goroutines/h (one goroutine in 30 min). `make soak` runs %s.",
			SoakFitSpan(u.soak).Round(time.Second), SoakJudgeSpan, DefaultSoak)
		return c, true
	}
	if void, why := SoakVoid(u.soak); void {
		c.Verdict = VerdictNotMeasurable
		c.Measured = "void"
		c.Reason = "void: " + why + "."
		return c, true
	}
	return c, false
}

// controlText says the leak control was flagged, with its slopes, and
// what the baseline arm (not judged) showed.
func (u soakRun) controlText() string {
	var out []string
	if present, flagged, detail := LeakControl(u.soak); present && flagged {
		out = append(out, "The leak control ("+soakLeakRates+") was flagged: "+detail+".")
	}
	for _, p := range u.soak.Phases {
		if !IsBaseline(p) {
			continue
		}
		var grew []string
		for _, s := range p.Series {
			if s.Name == results.SoakRSS || s.Name == results.SoakThreads {
				continue
			}
			if f := SeriesFit(s, u.soak.Warmup); f != nil && f.Lo > 0 {
				grew = append(grew, fmt.Sprintf("%s %s [%s, %s]", seriesLabel(s.Name), results.PerHourText(f.PerHour, s.Unit), results.SignedNum(f.Lo), results.SignedNum(f.Hi)))
			}
		}
		what := "no growth detected"
		if len(grew) > 0 {
			what = "growth detected in " + strings.Join(grew, ", ")
		}
		out = append(out, fmt.Sprintf("Not judged: the baseline arm `%s`, the client the tuning replaced: %s.", p.Name, what))
	}
	return strings.Join(out, " ")
}
