package markdown

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/oranbench/oranbench/reports/results"
)

func soakFixture(partial bool) *results.Results {
	pts := func(slope float64) []results.SoakPoint {
		var out []results.SoakPoint
		for i := range 20 {
			out = append(out, results.SoakPoint{T: float64(i), V: 30 + slope*float64(i)})
		}
		return out
	}
	ph := results.SoakPhase{Name: "tuned", Subject: "arm tuned", Elapsed: 20 * time.Second, Requests: 800, Failures: 12,
		Errors: map[string]int64{"503 Service Unavailable": 8, "unexpected EOF": 4},
		Series: []results.SoakSeries{
			{Name: results.SoakRSS, Unit: "MB", Points: pts(0.5), Slope: &results.SlopeResult{PerHour: 1800, Lo: 1700, Hi: 1900, Resolution: 100, N: 18, Span: 17 * time.Second}},
			{Name: results.SoakGoroutines, Unit: "goroutines", Points: pts(0), Slope: &results.SlopeResult{PerHour: 0, Lo: -90, Hi: 90, Resolution: 211, N: 18, Span: 17 * time.Second}},
			{Name: results.SoakFDs, Unit: "fds", NotMeasured: "not available on this system: no /proc"},
		}}
	return &results.Results{Interrupted: partial, Scenarios: []results.Scenario{{Name: "soak", Description: "A soak.",
		Soak: &results.Soak{Duration: 40 * time.Minute, Interval: time.Second, Warmup: 2 * time.Second, Load: "open 40 req/s per arm",
			Layout: "Phases one after another.", Partial: partial, Phases: []results.SoakPhase{ph}}}}}
}

func TestTheSoakSectionGivesEachSeriesItsSlopeIntervalAndResolution(t *testing.T) {
	var md bytes.Buffer
	if err := Report(&md, soakFixture(true)); err != nil {
		t.Fatal(err)
	}
	out := md.String()
	for _, want := range []string{
		"## Soak `soak`",
		"**Partial:** the soak was interrupted",
		"interrupted, this report is partial",
		"**Duration:** 40m0s planned, in phases of 40m0s each (1 ran), the first 2s of each left out of the fits; sampled every 1s; TLS off.",
		"**Load:** open 40 req/s per arm.",
		"**What each series is of:** Phases one after another.",
		"| `tuned` | RSS | 31 → 39.5 MB (2s–19s)",
		"+1800 MB/h", "[+1700, +1900]", "±100 MB/h over 17s (18 points)", "**growth detected**",
		"no growth detected at this resolution",
		"not measured: not available on this system: no /proc",
		"503 Service Unavailable ×8; unexpected EOF ×4",
		"**soak** (soak, 1 phases of 40m0s, partial): growth detected in `tuned` RSS +1800 MB/h; none detected in the other 1 series.",
		"![soak: resident set size over each phase (MB)](plots/soak.soak-rss.svg)",
		"| memory growth 0 MB/hour",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if strings.Contains(out, "soak.soak-fds.svg") {
		t.Errorf("the report links a plot of a series that was not measured")
	}
	if t.Failed() {
		t.Log(out)
	}
}

// F15: an interrupted soak said "phases of 40s" for phases planned (and
// run) at 20 s: the phase length is the planned duration over the planned
// phases, not over the phases that ran.
func TestAPartialSoakGivesThePlannedPhaseLength(t *testing.T) {
	r := soakFixture(true)
	r.Scenarios[0].Soak.PlannedPhases = 2
	var md bytes.Buffer
	if err := Report(&md, r); err != nil {
		t.Fatal(err)
	}
	if want := "**Duration:** 40m0s planned, in phases of 20m0s each (1 ran)"; !strings.Contains(md.String(), want) {
		t.Errorf("report lacks %q:\n%s", want, md.String())
	}
}

// A soak of a few seconds per phase (the one inside make bench) shows one
// line instead of slopes: fitted through the garbage collector's sawtooth
// over seconds, they read as "+1041 MB/h, growth detected".
func TestAShortSoakSaysItIsTooShortInsteadOfPrintingSlopes(t *testing.T) {
	r := soakFixture(false)
	r.Scenarios[0].Soak.Duration = 39 * time.Second
	r.Scenarios[0].Soak.PlannedPhases = 3
	var md bytes.Buffer
	if err := Report(&md, r); err != nil {
		t.Fatal(err)
	}
	out := md.String()
	for _, want := range []string{
		"**soak** (soak, 1 phases of 13s): too short to measure growth: run `make soak`.",
		"| memory growth 0 MB/hour | **not measurable here** | too short to measure growth: run `make soak` |",
		"**Growth:** too short to measure growth: run `make soak`.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	for _, slope := range []string{"+1800", "MB/h [", "**growth detected**", "growth detected in", "over 24 h"} {
		if strings.Contains(out, slope) {
			t.Errorf("a short soak's report prints %q:\n%s", slope, out)
		}
	}
}

// Issue 25: a soak of subjects in processes of their own shows whether
// its leak control was flagged, whether it can judge, each subject's
// footprint, and the fitted window's ends.
func TestAConcurrentSoakShowsItsControlItsJudgementAndTheFootprint(t *testing.T) {
	pts := func(base, slope float64) []results.SoakPoint {
		var out []results.SoakPoint
		for i := range 40 {
			out = append(out, results.SoakPoint{T: float64(i * 60), V: base + slope*float64(i*60)})
		}
		return out
	}
	series := func(heapSlope, gSlope, fdSlope float64) []results.SoakSeries {
		fit := func(v float64) *results.SlopeResult {
			return &results.SlopeResult{PerHour: v * 3600, Lo: v*3600 - 0.5, Hi: v*3600 + 0.5, Resolution: 0.5, N: 36, Span: 35 * time.Minute}
		}
		return []results.SoakSeries{
			{Name: results.SoakRSS, Unit: "MB", Points: pts(30, 0), Slope: fit(0)},
			{Name: results.SoakHeap, Unit: "MB", AfterGC: true, Points: pts(5, heapSlope), Slope: fit(heapSlope)},
			{Name: results.SoakGoroutines, Unit: "goroutines", Points: pts(40, gSlope), Slope: fit(gSlope)},
			{Name: results.SoakFDs, Unit: "fds", Points: pts(11, fdSlope), Slope: fit(fdSlope)},
		}
	}
	r := &results.Results{Scenarios: []results.Scenario{{Name: "soak", Description: "A soak.", Soak: &results.Soak{
		Duration: 40 * time.Minute, Warmup: 4 * time.Minute, Interval: time.Second, Concurrent: true, Load: "open 40 req/s per arm", Layout: "Each in its own process.",
		Phases: []results.SoakPhase{
			{Name: "tuned", Subject: "arm tuned", Series: series(0, 0, 0)},
			{Name: "leak-control", Role: results.SoakRoleLeakControl, Subject: "arm default, plus a leak", Series: series(0.064/60, 1.0/60, 0.1/60)},
			{Name: "harness", Role: results.SoakRoleHarness, Series: series(0, 0, 0)},
		}}}}}
	var md bytes.Buffer
	if err := Report(&md, r); err != nil {
		t.Fatal(err)
	}
	out := md.String()
	for _, want := range []string{
		"**Duration:** 40m0s, every subject at once, each in a process of its own; the first 4m0s left out of the fits (35m0s fitted)",
		"**Resolution:** A fit resolves",
		"**Leak control:** `leak-control` leaks on purpose", "was **flagged**: live heap +3.84 MB/h",
		"| `tuned` | live heap | 5 → 5 MB (4m0s–39m0s) | 0 MB/h |",
		"| `leak-control` | goroutines | 44 → 79 goroutines (4m0s–39m0s) | +60 goroutines/h |",
		"| subject | live heap | RSS | goroutines | fds | threads | GC cycles |",
		"| `tuned` | 5.00 MB | 30.00 MB | 40 | 11 | – | – |",
		"| `harness` (reference) |",
		"**soak** (soak, 1 subjects at once for 40m0s): no growth detected in any of 4 series",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(out)
	}
}

// A checkpoint of a long soak is not a smoke soak: it says it cannot judge
// yet, and why; a short soak says it is one.
func TestACheckpointIsNotCalledASmokeSoak(t *testing.T) {
	for _, cp := range []time.Duration{0, 10 * time.Minute} {
		r := &results.Results{Scenarios: []results.Scenario{{Name: "soak", Soak: &results.Soak{
			Duration: 40 * time.Minute, Warmup: 4 * time.Minute, Interval: time.Second, Concurrent: true, Checkpoint: cp, Partial: cp > 0,
			Phases: []results.SoakPhase{{Name: "tuned", Subject: "arm tuned", Series: []results.SoakSeries{{Name: results.SoakHeap, Unit: "MB", AfterGC: true,
				Points: []results.SoakPoint{{T: 0, V: 5}, {T: 300, V: 5}, {T: 600, V: 5}}}}}}}}}}
		if cp == 0 {
			r.Scenarios[0].Soak.Duration = 2 * time.Minute
			r.Scenarios[0].Soak.Warmup = 12 * time.Second
		}
		var md bytes.Buffer
		if err := Report(&md, r); err != nil {
			t.Fatal(err)
		}
		want, unwanted := "**Unable to judge:** a smoke soak.", "**Unable to judge:** not yet: a checkpoint."
		if cp > 0 {
			want, unwanted = unwanted, want
		}
		if out := md.String(); !strings.Contains(out, want) || strings.Contains(out, unwanted) {
			t.Errorf("checkpoint %s: report lacks %q or has %q", cp, want, unwanted)
		}
	}
}
