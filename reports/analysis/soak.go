package analysis

import (
	"fmt"
	"time"

	"github.com/oranbench/oranbench/reports/results"
)

// A soak whose phases are shorter than shortSoakPhase is short: too short
// to tell a leak from a process still settling.
const (
	shortSoakPhase = 10 * time.Minute
	// tooShortPhase is the phase below which a soak reports no slope at
	// all (ShortSoak).
	tooShortPhase = time.Minute
	// DefaultSoak is how long `make soak` runs (its SOAK default).
	DefaultSoak               = 10 * time.Minute
	soakGrowthDetectedVerdict = "growth detected"
)

// SoakVerdict says what one series shows: growth or decline (the interval
// excludes 0), no growth detected at its resolution, too few points, or
// not measured.
func SoakVerdict(s results.SoakSeries) string {
	switch {
	case s.NotMeasured != "":
		return "not measured: " + s.NotMeasured
	case s.Slope == nil:
		return fmt.Sprintf("no slope: fewer than %d points after the warm-up", MinSlopePoints)
	}
	switch s.Slope.Growth() {
	case "growth":
		return soakGrowthDetectedVerdict
	case "decline":
		return "decline detected"
	}
	return "no growth detected at this resolution"
}

// soakRun is one soak of the results with its scenario's name.
type soakRun struct {
	name string
	soak *results.Soak
}

func soakRuns(r *results.Results) []soakRun {
	var out []soakRun
	for _, s := range r.Scenarios {
		if s.Soak != nil && len(s.Soak.Phases) > 0 {
			out = append(out, soakRun{s.Name, s.Soak})
		}
	}
	return out
}

// phaseSpan is the soak's phase length (SoakPhaseLength).
func (u soakRun) phaseSpan() time.Duration { return SoakPhaseLength(u.soak) }

// SoakPhaseLength is the length of each phase of a soak as the report
// states it everywhere: the planned duration shared by the planned phases
// (an interrupted soak ran fewer of them, which does not make each
// longer); the longest phase that ran when nothing was planned.
func SoakPhaseLength(sk *results.Soak) time.Duration {
	n := len(sk.Phases)
	if sk.PlannedPhases > 0 {
		n = sk.PlannedPhases
	}
	if sk.Duration > 0 && n > 0 {
		return (sk.Duration / time.Duration(n)).Round(time.Second)
	}
	var d time.Duration
	for _, p := range sk.Phases {
		d = max(d, p.Elapsed)
	}
	return d.Round(time.Second)
}

// ShortSoak reports whether a soak's phases are too short to measure
// growth: shorter than a minute, a heap has not settled to its
// working size and TIME_WAIT sockets (60 s) have not reached their plateau,
// so any slope mixes start-up with a leak.
func ShortSoak(sk *results.Soak) bool { return SoakPhaseLength(sk) < tooShortPhase }

// SoakTooShort is the one line a short soak reports instead of slopes.
const SoakTooShort = "too short to measure growth: run `make soak`"

// conditions says where a soak's figures come from: its duration, load,
// sampling and whether it was short or partial.
func (u soakRun) conditions() string {
	s := fmt.Sprintf("soak `%s`: %d phases of %s (warm-up %s dropped), %s; sampled every %s",
		u.name, len(u.soak.Phases), u.phaseSpan().Round(time.Second), u.soak.Warmup, u.soak.Load, u.soak.Interval)
	if u.soak.Partial {
		s += "; **partial** (interrupted)"
	}
	return s
}

// shortClaim is the verdict on a growth claim from a short soak: one line,
// no slopes (their figures would only measure start-up).
func (u soakRun) shortClaim() results.Claim {
	return results.Claim{
		Verdict:    VerdictNotMeasurable,
		Measured:   SoakTooShort,
		Conditions: u.conditions(),
		Reason: fmt.Sprintf("%s per phase is shorter than the %s a heap needs to settle and TIME_WAIT sockets (60 s) to plateau: any slope would measure start-up, not a leak. `make soak` runs %s.",
			u.phaseSpan(), tooShortPhase, DefaultSoak),
	}
}

func (u soakRun) short() string {
	if d := u.phaseSpan(); d < shortSoakPhase {
		return fmt.Sprintf(" Short soak (%s per phase): it shows only slopes larger than its resolution, and cannot tell a leak from a process still settling after start-up.", d)
	}
	return ""
}

// seriesOf lists, for the named series, each phase's series.
func (u soakRun) seriesOf(names ...string) []phaseSeries {
	var out []phaseSeries
	for _, p := range u.soak.Phases {
		for _, s := range p.Series {
			for _, n := range names {
				if s.Name == n {
					out = append(out, phaseSeries{p.Name, s})
				}
			}
		}
	}
	return out
}

type phaseSeries struct {
	phase string
	s     results.SoakSeries
}

func (ps phaseSeries) label() string { return ps.phase + " " + seriesLabel(ps.s.Name) }

// seriesLabel names a series in prose.
func seriesLabel(name string) string {
	switch name {
	case results.SoakRSS:
		return "RSS"
	case results.SoakHeap:
		return "heap"
	case results.SoakFDs:
		return "fds"
	case results.SoakTimeWait:
		return "TIME_WAIT"
	}
	return name
}
