package scenarios

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"strings"
	"time"

	"github.com/oranbench/oranbench/internal/engine"
	"github.com/oranbench/oranbench/internal/soak"
	"github.com/oranbench/oranbench/reports/analysis"
	"github.com/oranbench/oranbench/reports/results"
	"github.com/oranbench/oranbench/scenarios/scenario"
	"github.com/oranbench/oranbench/targets/transport"
	"github.com/oranbench/oranbench/targets/watcher"
)

// soakUnits maps each sampled series to its unit, the factor from its raw
// value, and its measurement step in that unit: a change smaller than one
// step over the fitted span cannot show.
var soakUnits = map[string]struct {
	unit    string
	scale   float64
	quantum float64
}{
	soak.RSS:        {"MB", 1e-6, 4096e-6}, // one page
	soak.Heap:       {"MB", 1e-6, 8192e-6}, // one heap page
	soak.Goroutines: {"goroutines", 1, 1},
	soak.FDs:        {"fds", 1, 1},
	soak.TimeWait:   {"sockets", 1, 1},
}

// runSoak runs a soak: one phase per arm, then one for the watcher, one
// after another in this process, each for an equal share of the duration,
// sampling the process all along. A cancelled ctx ends the current phase
// early; the slopes then cover what ran and the result is marked partial.
func runSoak(ctx context.Context, sc *Plan, opt Options) (out results.Scenario, err error) {
	duration, warmup, _ := sc.Effective(opt.Quick)
	interval := sc.SoakSampleEvery(opt.Quick)
	be, err := startBackend(sc, opt)
	if err != nil {
		return results.Scenario{}, fmt.Errorf("scenario %s: start backend: %w", sc.Resolved().Name, err)
	}
	defer be.Close()
	done, err := setUpFixtures(ctx, sc, be, opt.Log)
	defer done(&out, &err)
	if err != nil {
		return results.Scenario{}, fmt.Errorf("scenario %s: %w", sc.Resolved().Name, err)
	}
	out = results.Scenario{
		Name:        sc.Resolved().Name,
		Description: strings.TrimSpace(sc.Resolved().Description),
		Conditions:  sc.Conditions(duration, warmup, 1),
		ClaimArms:   sc.ClaimArms(),
	}
	if be.isolation != isolationExternal {
		out.Conditions.Isolation, out.Conditions.CPUs = be.isolation, be.cpus
	}
	phases := sc.SoakPhases()
	per := duration / time.Duration(phases)
	sk := sc.Resolved().Load.Soak
	res := &results.Soak{Duration: duration, PlannedPhases: phases, Interval: interval, Warmup: warmup, Load: sc.SoakLoadText(), Layout: soakLayout(be.isolation)}
	out.Soak = res
	addr, _ := be.addrPort()
	for i, p := range sc.Profiles() {
		if ctx.Err() != nil {
			break
		}
		arm := sc.Arms()[i]
		fmt.Fprintf(opt.Log, "%s: phase %d/%d: arm %s: %s at %s req/s, sampled every %s\n", sc.Resolved().Name, i+1, phases, arm, per, ftoa(sc.Resolved().Load.Rate), interval)
		ph, err := soakArm(ctx, sc, be, p, arm, per, interval, addr, opt)
		var bErr *buildError
		if errors.As(err, &bErr) {
			out.Notes = append(out.Notes, fmt.Sprintf("Failed: arm `%s` did not run: %v.", arm, bErr.err))
			continue
		}
		if err != nil {
			return out, fmt.Errorf("scenario %s: arm %s: %w", sc.Resolved().Name, arm, err)
		}
		res.Phases = append(res.Phases, fitPhase(ph, warmup))
	}
	if w := sk.Watcher; (w == nil || *w) && ctx.Err() == nil {
		i := sc.WatcherArm()
		fmt.Fprintf(opt.Log, "%s: phase %d/%d: watcher (arm %s's transport): %s at %s intents/s, sampled every %s\n", sc.Resolved().Name, phases, phases, sc.Arms()[i], per, ftoa(sk.IntentsPerSec), interval)
		ph, err := soakWatcher(ctx, sc, be, sc.Profiles()[i], sc.Arms()[i], per, interval, addr, opt)
		var bErr *buildError
		switch {
		case errors.As(err, &bErr):
			out.Notes = append(out.Notes, fmt.Sprintf("Failed: the watcher phase did not run: arm `%s`: %v.", sc.Arms()[i], bErr.err))
		case err != nil:
			return out, fmt.Errorf("scenario %s: watcher: %w", sc.Resolved().Name, err)
		default:
			res.Phases = append(res.Phases, fitPhase(ph, warmup))
		}
	}
	if at, died := be.died(); died {
		out.Notes = append(out.Notes, fmt.Sprintf("Failed: the backend process died at %s; the series cover what ran.", at.UTC().Format(time.TimeOnly)))
	}
	if ctx.Err() != nil {
		res.Partial = true
		out.Notes = append(out.Notes, "Interrupted: the soak is partial; the slopes cover what ran.")
		return out, ctx.Err()
	}
	return out, nil
}

// soakLayout says what each series is of.
func soakLayout(isolation string) string {
	s := "The phases ran one after another in the harness's own process, so each series is of that process during one phase: " +
		"the load generator and the arm's transport (or the watcher, its Porch client and the harness's intent writer), plus the sampler."
	if isolation == scenario.IsolationInProcess {
		return s + " The mock ran in the same process (in-process isolation) and is included."
	}
	return s + " The mock ran in a child process and is not included."
}

// soakArm holds the open load on a fresh transport of p for d while the
// process is sampled.
func soakArm(ctx context.Context, p *Plan, be *backend, prof transport.Profile, arm string, d, interval time.Duration, addr netip.AddrPort, opt Options) (phase, error) {
	inst, err := prof.TryInstrument(be.tls)
	if err != nil {
		return phase{}, &buildError{err}
	}
	defer inst.Close()
	run := "soak-" + arm
	m, err := newMixTargeter(be.url, run, p.Resolved().Mix, p.Resolved().Seed)
	if err != nil {
		return phase{}, err
	}
	m.label = be.runID
	c := *inst.Client
	c.Transport = m.wrap(inst.Client.Transport)
	if rt := p.Resolved().Load.Soak.RequestTimeout.Duration; c.Timeout == 0 || c.Timeout > rt {
		c.Timeout = rt
	}
	o := constantOffer(p.Resolved().Load.Rate)
	attack := engine.Attack{Name: run, Model: engine.Open, Pacer: o.pacer, Duration: d, MaxWorkers: p.Resolved().Load.MaxWorkers,
		Targeter: m.targeter(), Client: &c}
	if opt.OnRun != nil {
		attack.OnResult = opt.OnRun(RunInfo{Scenario: p.Resolved().Name, Arm: arm, Reps: 1, Planned: d})
	}
	sampler := startSampler(ctx, d, interval, addr)
	rec, err := engine.Run(ctx, attack)
	samples := sampler.Stop()
	if err != nil {
		return phase{}, err
	}
	ph := phase{SoakPhase: results.SoakPhase{
		Name: arm, Subject: fmt.Sprintf("arm %s (transport profile %s): %s", arm, prof.Name, o.shape),
		Elapsed: rec.Wall, Requests: rec.Hits, Failures: rec.Hits - rec.Successes, Errors: map[string]int64{},
	}, samples: samples}
	for text, n := range rec.Errors {
		// Requests a Ctrl-C cut off did not fail: the phase stopped.
		if rec.Interrupted && isCancellation(ctx, text) {
			ph.Requests -= n
			ph.Failures -= n
			continue
		}
		ph.Errors[text] = n
	}
	if rec.OtherErrors > 0 {
		ph.Errors["other errors"] = rec.OtherErrors
	}
	return ph, nil
}

// soakWatcher streams intent files through a watcher whose Porch client is
// a fresh transport of p, for d, while the process is sampled.
func soakWatcher(ctx context.Context, p *Plan, be *backend, prof transport.Profile, arm string, d, interval time.Duration, addr netip.AddrPort, opt Options) (phase, error) {
	sk := p.Resolved().Load.Soak
	inst, err := prof.TryInstrument(be.tls)
	if err != nil {
		return phase{}, &buildError{err}
	}
	defer inst.Close()
	if opt.OnRun != nil {
		opt.OnRun(RunInfo{Scenario: p.Resolved().Name, Arm: scenario.WatcherPhase, Reps: 1, Planned: d})
	}
	intents := max(1, int(math.Round(sk.IntentsPerSec*d.Seconds())))
	client := *inst.Client
	if rt := sk.RequestTimeout.Duration; client.Timeout == 0 || client.Timeout > rt {
		client.Timeout = rt
	}
	cfg := watcher.StormConfig{
		Watcher: watcher.Config{Client: &client, PorchURL: be.url, Workers: sk.Workers,
			SubmitTimeout: time.Duration(watcher.DefaultSubmitAttempts) * sk.RequestTimeout.Duration},
		Intents:       intents,
		IntentsPerSec: sk.IntentsPerSec,
		// The stream takes d; the last intents need a moment more.
		Timeout: d + max(10*time.Second, d/5),
	}
	sampler := startSampler(ctx, d, interval, addr)
	began := time.Now()
	sr, err := watcher.RunStorm(ctx, cfg)
	elapsed := time.Since(began)
	samples := sampler.Stop()
	if err != nil && ctx.Err() == nil && !errors.Is(err, context.DeadlineExceeded) {
		return phase{}, err
	}
	ph := phase{SoakPhase: results.SoakPhase{
		Name:    scenario.WatcherPhase,
		Subject: fmt.Sprintf("the watcher submitting %s intent files/s to the mock's Porch through arm %s's transport (profile %s)", ftoa(sk.IntentsPerSec), arm, prof.Name),
		Elapsed: elapsed, Requests: int64(sr.Intents), Failures: int64(sr.Failed), Errors: map[string]int64{},
	}, samples: samples}
	if sr.Failed > 0 {
		ph.Errors["intent failed (moved to failed/)"] = int64(sr.Failed)
	}
	if missing := sr.Intents - sr.Processed - sr.Skipped - sr.Failed; missing > 0 {
		ph.Failures += int64(missing)
		ph.Errors["no outcome when the phase ended"] = int64(missing)
	}
	return ph, nil
}

// startSampler samples the process every interval for d (or until ctx
// ends): while the load is offered, not while the last requests drain.
func startSampler(ctx context.Context, d, interval time.Duration, addr netip.AddrPort) *soak.Sampler {
	ctx, cancel := context.WithTimeout(ctx, d)
	sm := soak.Start(ctx, soak.Options{Interval: interval, Sources: soak.ProcessSources(addr)})
	context.AfterFunc(ctx, cancel)
	return sm
}

// phase is a soak phase with its raw samples, before the fits.
type phase struct {
	results.SoakPhase
	samples []soak.Result
}

// fitPhase turns a phase's samples into series with their slopes.
func fitPhase(ph phase, warmup time.Duration) results.SoakPhase {
	out := ph.SoakPhase
	for _, r := range ph.samples {
		out.Series = append(out.Series, SoakSeries(r, warmup))
	}
	return out
}

// SoakSeries converts one sampled resource into the report's series, with
// the Theil–Sen slope per hour of the points after warmup (none when fewer
// than analysis.MinSlopePoints follow it).
func SoakSeries(r soak.Result, warmup time.Duration) results.SoakSeries {
	u := soakUnits[r.Name]
	if u.unit == "" {
		u.unit, u.scale, u.quantum = r.Name, 1, 0
	}
	s := results.SoakSeries{Name: r.Name, Unit: u.unit, Samples: r.Samples, PerPoint: r.PerPoint, Points: []results.SoakPoint{}}
	if r.Unavailable != nil {
		s.NotMeasured = r.Unavailable.Error()
		return s
	}
	var xs, ys []float64
	for _, p := range r.Points {
		v := p.V * u.scale
		s.Points = append(s.Points, results.SoakPoint{T: p.T.Seconds(), V: v})
		if p.T >= warmup {
			xs, ys = append(xs, p.T.Hours()), append(ys, v)
		}
	}
	f, ok := analysis.TheilSen(xs, ys, analysis.Confidence)
	if !ok {
		return s
	}
	span := time.Duration((xs[len(xs)-1] - xs[0]) * float64(time.Hour))
	s.Slope = &results.SlopeResult{PerHour: f.Slope, Lo: f.Lo, Hi: f.Hi, Confidence: f.Confidence, N: f.N, Span: span,
		Resolution: math.Max(f.HalfWidth(), u.quantum/span.Hours())}
	return s
}
