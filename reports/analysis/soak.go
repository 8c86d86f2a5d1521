package analysis

import (
	"fmt"
	"math"
	"slices"
	"strings"
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
	// DefaultSoak is how long `make soak` runs (its SOAK default): see
	// SoakDurationText.
	DefaultSoak = 40 * time.Minute
	// SoakJudgeSpan is the shortest fitted window that can resolve the
	// seed's +2 goroutines/h: one goroutine per 30 minutes, a change
	// smaller than one goroutine being no change at all.
	SoakJudgeSpan             = 30 * time.Minute
	soakGrowthDetectedVerdict = "growth detected"
)

// SoakDurationText says why DefaultSoak is long enough, from the noise a
// pilot measured on this 2-CPU machine; the report and the README state it.
const SoakDurationText = "A fit resolves a slope no finer than one step over its span, so +2 goroutines/h needs a fitted window of at least 30 min " +
	"(one goroutine in 30 min). The interval's half-width shrinks as span^-1.5 at a fixed sampling interval (n ∝ span, and the slope's " +
	"standard error ∝ σ/(√n·span)). `make soak` runs 40 min, the first 4 min left out of the fits: 36 min of fit."

// Soak series targets: the slope per hour a soak long enough to judge must
// resolve (resolution below it), per series: the seed's +2 goroutines/h,
// and 1 MB/h of live heap.
var soakTargets = map[string]float64{
	results.SoakHeap:       SoakHeapTargetMBPerHour,
	results.SoakGoroutines: SeedGoroutineLeakPerHour,
}

// SoakTarget is the slope per hour series name must resolve (0: none).
func SoakTarget(name string) float64 { return soakTargets[name] }

// SoakHeapTargetMBPerHour is the live-heap slope a soak must resolve.
const SoakHeapTargetMBPerHour = 1

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

// SoakSubjects are the phases of sk the claims are judged on: not the leak
// control, not the harness.
func SoakSubjects(sk *results.Soak) []results.SoakPhase {
	var out []results.SoakPhase
	for _, p := range sk.Phases {
		if p.Role == "" {
			out = append(out, p)
		}
	}
	return out
}

// SoakFitSpan is the longest window fitted in any subject's series (0 when
// none was fitted).
func SoakFitSpan(sk *results.Soak) time.Duration {
	var d time.Duration
	for _, p := range sk.Phases {
		for _, s := range p.Series {
			if s.Slope != nil {
				d = max(d, s.Slope.Span)
			}
		}
	}
	return d
}

// SoakCanJudge reports whether sk fitted a window long enough to resolve
// the seed's figures (SoakJudgeSpan); a shorter soak (make soak-smoke) is
// unable to judge.
func SoakCanJudge(sk *results.Soak) bool { return SoakFitSpan(sk) >= SoakJudgeSpan }

// IsBaseline reports whether p is the soak's baseline arm: the client the
// tuning replaced, shown but not judged by the seed's claims. Results
// written before the flag existed name its profile in the subject.
func IsBaseline(p results.SoakPhase) bool {
	return p.Role == "" && (p.Baseline || strings.Contains(p.Subject, "(transport profile "+results.ProfileDefault+")"))
}

// controlBase is the phase of the arm the leak control runs (nil when
// unknown): its Base, else the arm its subject names.
func controlBase(sk *results.Soak, ctl results.SoakPhase) *results.SoakPhase {
	name := ctl.Base
	if name == "" {
		if rest, ok := strings.CutPrefix(ctl.Subject, "arm "); ok {
			name = rest
			if i := strings.IndexAny(rest, " ,(:"); i >= 0 {
				name = rest[:i]
			}
		}
	}
	for i, p := range sk.Phases {
		if p.Role == "" && p.Name == name {
			return &sk.Phases[i]
		}
	}
	return nil
}

func seriesFitOf(p *results.SoakPhase, name string, warmup time.Duration) (*results.SlopeResult, string) {
	if p == nil {
		return nil, ""
	}
	for _, s := range p.Series {
		if s.Name == name {
			return SeriesFit(s, warmup), s.Unit
		}
	}
	return nil, ""
}

// LeakControl says whether sk ran a leak control and whether it was
// flagged: on live heap, goroutines and fds, an interval above 0 and above
// the interval of the same client without the leak (the arm it runs), so
// that the flag is the deliberate leak's and not one the client has by
// itself; detail gives the slopes.
func LeakControl(sk *results.Soak) (present, flagged bool, detail string) {
	for _, p := range sk.Phases {
		if p.Role != results.SoakRoleLeakControl {
			continue
		}
		present, flagged = true, true
		base := controlBase(sk, p)
		var parts []string
		for _, name := range []string{results.SoakHeap, results.SoakGoroutines, results.SoakFDs} {
			fit, unit := seriesFitOf(&p, name, sk.Warmup)
			if fit == nil {
				flagged = false
				parts = append(parts, seriesLabel(name)+" not fitted")
				continue
			}
			text := fmt.Sprintf("%s %s [%s, %s]", seriesLabel(name), results.PerHourText(fit.PerHour, unit), results.SignedNum(fit.Lo), results.SignedNum(fit.Hi))
			ok := fit.Lo > 0
			if bf, _ := seriesFitOf(base, name, sk.Warmup); bf != nil {
				text += fmt.Sprintf(" against `%s`'s own %s [%s, %s]", base.Name, results.SignedNum(bf.PerHour), results.SignedNum(bf.Lo), results.SignedNum(bf.Hi))
				ok = ok && fit.Lo > bf.Hi
			}
			if ok {
				parts = append(parts, text+" flagged")
			} else {
				flagged = false
				parts = append(parts, text+" NOT flagged")
			}
		}
		return present, flagged, strings.Join(parts, "; ")
	}
	return false, false, ""
}

// SoakVoid reports whether sk's verdicts are void: it is long enough to
// judge but its leak control was not flagged (or, having run its subjects
// in processes of their own, it had none), so it could not have caught a
// leak that size.
func SoakVoid(sk *results.Soak) (bool, string) {
	if !SoakCanJudge(sk) || sk.Checkpoint > 0 {
		return false, ""
	}
	present, flagged, detail := LeakControl(sk)
	switch {
	case !present && sk.Concurrent:
		return true, "no leak control ran, so the soak's verdicts are void"
	case present && !flagged:
		return true, "the leak control (" + soakLeakRates + ") was not flagged (" + detail + "), so the soak's verdicts are void"
	}
	return false, ""
}

// soakLeakRates is the control's leak, as the report states it.
const soakLeakRates = "1 goroutine and 64 KiB of live heap per minute, 1 fd per 10 minutes"

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
	if sk.Concurrent {
		if sk.Checkpoint > 0 {
			return sk.Checkpoint.Round(time.Second)
		}
		return sk.Duration.Round(time.Second)
	}
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
	if u.soak.Concurrent {
		s = fmt.Sprintf("soak `%s`: %d subjects at once, each in a process of its own, for %s (warm-up %s dropped, %s fitted), %s; sampled every %s",
			u.name, len(SoakSubjects(u.soak)), u.phaseSpan(), u.soak.Warmup, SoakFitSpan(u.soak).Round(time.Second), u.soak.Load, u.soak.Interval)
	}
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
	for _, p := range SoakSubjects(u.soak) {
		if u.soak.Concurrent && IsBaseline(p) {
			continue // the client the tuning replaced: shown, not judged
		}
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
		return "live heap"
	case results.SoakFDs:
		return "fds"
	case results.SoakTimeWait:
		return "TIME_WAIT"
	}
	return name
}

// FitWindow is the fitted line of a series over the window it was fitted
// to: its value at the window's first and last point (seconds since the
// soak began), the slope through the median of y - slope·x (Theil–Sen's
// intercept). ok is false without a fit.
type FitWindow struct {
	T0, T1, V0, V1 float64
}

// SeriesWindow is s's fitted line over [warmup, end] (end 0: no end) with
// the slope fit (SeriesFit's).
func SeriesWindow(s results.SoakSeries, fit *results.SlopeResult, warmup, end time.Duration) (FitWindow, bool) {
	if fit == nil {
		return FitWindow{}, false
	}
	b := fit.PerHour / 3600
	var rs []float64
	w := FitWindow{T0: -1}
	for _, p := range s.Points {
		if p.T < warmup.Seconds() || (end > 0 && p.T > end.Seconds()) {
			continue
		}
		rs = append(rs, p.V-b*p.T)
		if w.T0 < 0 {
			w.T0 = p.T
		}
		w.T1 = p.T
	}
	if len(rs) < 2 {
		return FitWindow{}, false
	}
	slices.Sort(rs)
	a := sortedMedian(rs)
	w.V0, w.V1 = a+b*w.T0, a+b*w.T1
	return w, true
}

// SoakFitEnd is where a soak's fits end: its duration for subjects that
// ran all of it at once, else no end.
func SoakFitEnd(sk *results.Soak) time.Duration {
	if sk.Concurrent {
		return sk.Duration
	}
	return 0
}

// Footprint is a subject's steady state: the median of each series over
// the fitted window, in its unit; NaN when not measured.
func Footprint(ph results.SoakPhase, warmup, end time.Duration) map[string]float64 {
	out := map[string]float64{}
	for _, s := range ph.Series {
		var vs []float64
		for _, p := range s.Points {
			if p.T >= warmup.Seconds() && (end <= 0 || p.T <= end.Seconds()) {
				vs = append(vs, p.V)
			}
		}
		if len(vs) == 0 {
			out[s.Name] = math.NaN()
			continue
		}
		slices.Sort(vs)
		out[s.Name] = sortedMedian(vs)
	}
	return out
}

// SpanNeeded estimates the fitted window this series would need for its
// resolution to reach target per hour, from the noise it showed: the
// half-width scales as span^-1.5 at a fixed sampling interval, and no fit
// resolves less than one step (quantum) over its span.
func SpanNeeded(fit *results.SlopeResult, target, quantum float64) time.Duration {
	if fit == nil || target <= 0 || fit.Span <= 0 {
		return 0
	}
	hw := (fit.Hi - fit.Lo) / 2
	need := fit.Span.Hours() * math.Pow(hw/target, 2.0/3)
	need = max(need, quantum/target)
	return time.Duration(need * float64(time.Hour)).Round(time.Minute)
}
