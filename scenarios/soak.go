package scenarios

import (
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"
	"sync"
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
	soak.Threads:    {"threads", 1, 1},
}

// SoakControl names the leak control subject, and SoakHarness the
// harness's own process, in a soak's results.
const (
	SoakControl = "leak-control"
	SoakHarness = "harness"
)

// soakWorkers is each arm's fixed pool of load workers when load.maxWorkers
// is not set: at 40 req/s and a few ms per request, a few are busy; 64
// cover a burst of 2 s hangs.
const soakWorkers = 64

// soakLeakSpeedup divides the leak control's period (a minute); tests
// raise it to see the leak in seconds. The real soak leaks at the stated
// rates.
var soakLeakSpeedup = 1.0

// soakSubject is what one soak child runs: an arm's client under the open
// load (with the deliberate leak when LeakPeriod > 0), or the watcher.
type soakSubject struct {
	Name string
	// Arm is the arm whose transport the subject uses; Watcher runs the
	// watcher through it instead of the open load.
	Arm        string
	Watcher    bool
	LeakPeriod time.Duration
	Spec       scenario.Spec
	URL        string
	CA         []byte
	TLS        bool
	Duration   time.Duration
}

// soakOutcome is what a child reports when its subject is done.
type soakOutcome struct {
	Elapsed            time.Duration
	Requests, Failures int64
	Errors             map[string]int64
	Subject            string
}

// ServeSoakChild is the child's side of a soak subject, run by the hidden
// `oranbench soak-child`: it reads the subject from stdin and runs it while
// sampling itself onto stdout (internal/soak).
func ServeSoakChild(stdin io.Reader, stdout io.Writer) error {
	return soak.ServeChild(stdin, stdout, runSoakSubject)
}

func runSoakSubject(ctx context.Context, b []byte) (any, error) {
	var sj soakSubject
	if err := json.Unmarshal(b, &sj); err != nil {
		return nil, err
	}
	p, err := NewPlan(sj.Spec, transport.NewRegistry())
	if err != nil {
		return nil, err
	}
	i := slices.Index(p.Arms(), sj.Arm)
	if i < 0 {
		return nil, fmt.Errorf("arm %q: not one of %v", sj.Arm, p.Arms())
	}
	be := &backend{url: sj.URL, caPEM: sj.CA}
	if sj.TLS {
		be.tls = &tls.Config{MinVersion: tls.VersionTLS12}
		if len(sj.CA) > 0 {
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(sj.CA) {
				return nil, errors.New("the backend's CA is not PEM")
			}
			be.tls.RootCAs = pool
		}
	}
	var leaked sync.WaitGroup
	if sj.LeakPeriod > 0 {
		lctx, stop := context.WithCancel(ctx)
		defer func() { stop(); leaked.Wait() }()
		leaked.Go(func() { soak.Leak(lctx, sj.LeakPeriod) })
	}
	var ph phase
	if sj.Watcher {
		ph, err = soakWatcher(ctx, p, be, p.Profiles()[i], sj.Arm, sj.Duration)
	} else {
		ph, err = soakArm(ctx, p, be, p.Profiles()[i], sj.Arm, sj.Duration)
	}
	if err != nil {
		return nil, err
	}
	return soakOutcome{Elapsed: ph.Elapsed, Requests: ph.Requests, Failures: ph.Failures, Errors: ph.Errors, Subject: ph.Subject}, nil
}

// runSoak runs a soak: every subject (each arm's client under the open
// load, the watcher, and the leak control) at once, each in a child process
// of its own, against one mock, for the whole duration. The parent samples
// each child from outside (/proc/PID) and inside (runtime/metrics, over
// the child's stdout), and itself as the harness row. A cancelled ctx stops
// every child; the slopes then cover what ran and the result is marked
// partial.
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
	sk := sc.Resolved().Load.Soak
	res := &results.Soak{Duration: duration, PlannedPhases: 1, Concurrent: true, Interval: interval, Warmup: warmup,
		Load: sc.SoakLoadText(), Layout: soakLayout(be.isolation)}
	out.Soak = res
	spec := sc.Spec()
	base := soakSubject{Spec: spec, URL: be.url, CA: be.caPEM, TLS: be.tls != nil, Duration: duration}
	var subjects []soakSubject
	for _, arm := range sc.Arms() {
		sj := base
		sj.Name, sj.Arm = arm, arm
		subjects = append(subjects, sj)
	}
	if w := sk.Watcher; w == nil || *w {
		sj := base
		sj.Name, sj.Arm, sj.Watcher = scenario.WatcherPhase, sc.Arms()[sc.WatcherArm()], true
		subjects = append(subjects, sj)
	}
	baseline := soakBaseline(sc)
	ctl := base
	ctl.Name, ctl.Arm = SoakControl, cmp.Or(baseline, sc.Arms()[0])
	ctl.LeakPeriod = time.Duration(float64(soak.LeakEvery) / soakLeakSpeedup)
	subjects = append(subjects, ctl)

	// The children end by themselves after duration (the watcher's last
	// intents a little later); past this bound they are stopped.
	bound, cancel := context.WithTimeout(ctx, duration+max(30*time.Second, duration/5))
	defer cancel()
	addr, _ := be.addrPort()
	harness := soak.Start(bound, soak.Options{Interval: interval, Sources: soak.ProcessSources(addr)})
	defer harness.Stop()
	kids := make([]*soak.Child, len(subjects))
	defer func() {
		for _, k := range kids {
			if k != nil {
				k.Close()
			}
		}
	}()
	for i, sj := range subjects {
		k, err := soak.StartChild(soak.ChildOptions{Name: sj.Name, Binary: opt.BackendBinary, Config: sj, Interval: interval, Stderr: opt.Log})
		if err != nil {
			return out, fmt.Errorf("scenario %s: %w", sc.Resolved().Name, err)
		}
		kids[i] = k
		fmt.Fprintf(opt.Log, "%s: subject %d/%d: %s in child process %d\n", sc.Resolved().Name, i+1, len(subjects), sj.Name, k.Pid())
		if opt.OnRun != nil {
			opt.OnRun(RunInfo{Scenario: sc.Resolved().Name, Arm: sj.Name, Reps: 1, Planned: duration})
		}
	}
	fmt.Fprintf(opt.Log, "%s: %d subjects at once for %s (%s), sampled every %s; the first %s is left out of the fits\n",
		sc.Resolved().Name, len(subjects), duration, sc.SoakLoadText(), interval, warmup)
	collect := func() []results.SoakPhase {
		var phases []results.SoakPhase
		for i, k := range kids {
			ph := soakPhaseOf(subjects[i], k, warmup, duration)
			ph.Baseline = !subjects[i].Watcher && subjects[i].LeakPeriod == 0 && subjects[i].Arm == baseline
			phases = append(phases, ph)
		}
		return append(phases, harnessPhase(harness.Results(), warmup, duration))
	}
	began := time.Now()
	// Checkpoints end before the final figures are collected: they read
	// out and res, which the end of the soak writes.
	stopCheckpoints := func() {}
	if every := opt.SoakCheckpointEvery; every > 0 && opt.SoakCheckpoint != nil {
		tick := time.NewTicker(every)
		defer tick.Stop()
		done := make(chan struct{})
		var cwg sync.WaitGroup
		cwg.Go(func() {
			for {
				select {
				case <-done:
					return
				case <-tick.C:
					cp := out
					cpSoak := *res
					cpSoak.Partial, cpSoak.Phases, cpSoak.Checkpoint = true, collect(), max(time.Since(began), time.Millisecond)
					cp.Soak = &cpSoak
					opt.SoakCheckpoint(cp)
				}
			}
		})
		var once sync.Once
		stopCheckpoints = func() { once.Do(func() { close(done); cwg.Wait() }) }
		defer stopCheckpoints()
	}
	var wg sync.WaitGroup
	for _, k := range kids {
		wg.Go(func() { k.Wait(bound) })
	}
	wg.Wait()
	stopCheckpoints()
	harness.Stop()
	res.Phases = collect()
	for i, k := range kids {
		var o soakOutcome
		if err := k.Outcome(&o); err != nil && ctx.Err() == nil {
			out.Notes = append(out.Notes, fmt.Sprintf("Failed: subject `%s`: %v.", subjects[i].Name, err))
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

// soakBaseline names the soak's baseline arm: claims.baseline, else the
// arm of the default profile; "" when none. The leak control runs its
// client (the quietest: no pool kept beyond 2 idle connections), and must
// show its leak above that client's own slope.
func soakBaseline(sc *Plan) string {
	if ca := sc.ClaimArms(); ca != nil {
		return ca.Baseline
	}
	for i, p := range sc.Profiles() {
		if p.Name == results.ProfileDefault {
			return sc.Arms()[i]
		}
	}
	return ""
}

// soakPhaseOf is one child's row: its outcome (so far) and its series
// fitted over [warmup, end].
func soakPhaseOf(sj soakSubject, k *soak.Child, warmup, end time.Duration) results.SoakPhase {
	var o soakOutcome
	_ = k.Outcome(&o) // none yet at a checkpoint
	ph := results.SoakPhase{Name: sj.Name, Subject: o.Subject, Elapsed: o.Elapsed, Requests: o.Requests, Failures: o.Failures,
		Errors: o.Errors, PID: k.Pid(), GCCycles: k.GCCycles()}
	if ph.Subject == "" {
		ph.Subject = "arm " + sj.Arm
		if sj.Watcher {
			ph.Subject = "the watcher through arm " + sj.Arm + "'s transport"
		}
	}
	if sj.LeakPeriod > 0 {
		ph.Role, ph.Base = results.SoakRoleLeakControl, sj.Arm
		ph.Subject = fmt.Sprintf("%s, plus a deliberate leak of %s", ph.Subject, soakLeakText(sj.LeakPeriod))
	}
	for _, r := range k.Results() {
		se := SoakSeries(r, warmup, end)
		se.AfterGC = r.Name == soak.Heap
		ph.Series = append(ph.Series, se)
	}
	return ph
}

func soakLeakText(period time.Duration) string {
	if period == soak.LeakEvery {
		return soak.LeakText
	}
	return fmt.Sprintf("1 goroutine and 64 KiB of live heap every %s, and 1 fd every %s (accelerated)", period, period*soak.LeakFDEvery)
}

// harnessPhase is the harness's own process, sampled beside the children.
func harnessPhase(rs []soak.Result, warmup, end time.Duration) results.SoakPhase {
	ph := results.SoakPhase{Name: SoakHarness, Role: results.SoakRoleHarness, PID: os.Getpid(),
		Subject: "the harness's own process, which starts and samples the subjects (a reference, not a subject): its goroutines and heap are the samplers' and the children's pipes'"}
	for _, r := range rs {
		se := SoakSeries(r, warmup, end)
		se.AfterGC = r.Name == soak.Heap // the live heap of the last collection: no sawtooth
		ph.Series = append(ph.Series, se)
	}
	return ph
}

// soakLayout says what each series is of.
func soakLayout(isolation string) string {
	s := "Every subject ran at once for the whole duration, each in a child process of its own (the same binary, re-executed), so each series is of that subject alone: " +
		"RSS and threads read from /proc/PID by the parent; live heap (after a collection the child forces at each sample), goroutines and GC cycles " +
		"read by the child through runtime/metrics, goroutines from a goroutine profile, and open fds from its /proc/self/fd, reported over its stdout. Goroutines and fds are the fewest seen over each interval (20 readings): " +
		"the count in the quietest moment, without the requests and connections that come and go within it. Goroutines leave out those running an open client connection's loops " +
		"(two per HTTP/1.1 connection, one per HTTP/2): the pool's size is the transport's to bound and each connection is an fd, where a leaked one shows; any other goroutine counts. TIME_WAIT sockets have no owning process once closed, so they are counted once, towards the mock, in the harness row."
	if isolation == scenario.IsolationInProcess {
		return s + " The mock ran in the harness's process (in-process isolation), so the harness row includes it."
	}
	return s + " The mock ran in a child process of its own and is in no row."
}

// soakArm holds the open load on a fresh transport of p for d while the
// process is sampled.
func soakArm(ctx context.Context, p *Plan, be *backend, prof transport.Profile, arm string, d time.Duration) (phase, error) {
	inst, err := prof.TryInstrument(be.tls, transport.WithCAPEM(be.caPEM))
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
	// A fixed pool of workers, all started up front: the open model
	// otherwise starts one whenever none is free and keeps it, so the
	// load generator's goroutines would climb after each hang and pass
	// for a leak of the client's.
	workers := p.Resolved().Load.MaxWorkers
	if workers == 0 {
		workers = soakWorkers
	}
	attack := engine.Attack{Name: run, Model: engine.Open, Pacer: o.pacer, Duration: d, Workers: workers, MaxWorkers: workers,
		Targeter: m.targeter(), Client: &c}
	rec, err := engine.Run(ctx, attack)
	if err != nil {
		return phase{}, err
	}
	ph := phase{SoakPhase: results.SoakPhase{
		Name: arm, Subject: fmt.Sprintf("arm %s (transport profile %s): %s", arm, prof.Name, o.shape),
		Elapsed: rec.Wall, Requests: rec.Hits, Failures: rec.Hits - rec.Successes, Errors: map[string]int64{},
	}}
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
func soakWatcher(ctx context.Context, p *Plan, be *backend, prof transport.Profile, arm string, d time.Duration) (phase, error) {
	sk := p.Resolved().Load.Soak
	inst, err := prof.TryInstrument(be.tls, transport.WithCAPEM(be.caPEM))
	if err != nil {
		return phase{}, &buildError{err}
	}
	defer inst.Close()
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
	began := time.Now()
	sr, err := watcher.RunStorm(ctx, cfg)
	elapsed := time.Since(began)
	if err != nil && ctx.Err() == nil && !errors.Is(err, context.DeadlineExceeded) {
		return phase{}, err
	}
	ph := phase{SoakPhase: results.SoakPhase{
		Name:    scenario.WatcherPhase,
		Subject: fmt.Sprintf("the watcher submitting %s intent files/s to the mock's Porch through arm %s's transport (profile %s)", ftoa(sk.IntentsPerSec), arm, prof.Name),
		Elapsed: elapsed, Requests: int64(sr.Intents), Failures: int64(sr.Failed), Errors: map[string]int64{},
	}}
	if sr.Failed > 0 {
		ph.Errors["intent failed (moved to failed/)"] = int64(sr.Failed)
	}
	if missing := sr.Intents - sr.Processed - sr.Skipped - sr.Failed; missing > 0 {
		ph.Failures += int64(missing)
		ph.Errors["no outcome when the phase ended"] = int64(missing)
	}
	return ph, nil
}

// phase is a subject's outcome.
type phase struct {
	results.SoakPhase
}

// SoakSeries converts one sampled resource into the report's series, with
// the Theil–Sen slope per hour of the points from warmup to end (none when
// fewer than analysis.MinSlopePoints lie there; end 0 means no end).
func SoakSeries(r soak.Result, warmup, end time.Duration) results.SoakSeries {
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
		if p.T >= warmup && (end <= 0 || p.T <= end) {
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
