package scenarios

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/oranbench/oranbench/internal/engine"
	"github.com/oranbench/oranbench/mockbackend"
	"github.com/oranbench/oranbench/reports/analysis"
	"github.com/oranbench/oranbench/reports/results"
	"github.com/oranbench/oranbench/scenarios/scenario"
	"github.com/oranbench/oranbench/targets/transport"
)

// Options tune how a scenario runs.
type Options struct {
	// Quick uses the scenario's shorter quick settings.
	Quick bool
	// Log receives one line per step (nil discards).
	Log io.Writer
	// AllowRemote lets backend.target point outside loopback.
	AllowRemote bool
	// BackendBinary is the oranbench executable that serves a
	// process-isolated backend (`oranbench mock --child`); without it,
	// isolation "auto" runs the mock in-process and "process" is an error.
	BackendBinary string
	// OnRun, when set, is called as each arm-repetition starts; the
	// function it returns (nil for none) receives every measured result of
	// that run (not the warm-up's), on the goroutine reading the results.
	OnRun func(RunInfo) ResultFunc
	// SoakCheckpoint, when set, receives a soak's results so far (marked
	// partial) every SoakCheckpointEvery while it runs.
	SoakCheckpoint      func(results.Scenario)
	SoakCheckpointEvery time.Duration
}

// Run executes p: it starts the backend, prepares the objects the mix reads,
// then for each repetition runs every arm in turn (A B A B ...) so drift of
// the machine hits all arms alike. Each arm-repetition gets a fresh
// transport, an uncounted warm-up, a measured attack, and its idle
// connections closed afterwards. A sweep repeats all of that per point. The
// result carries statistics across repetitions and the evaluated
// thresholds. A cancelled ctx stops the run early; the returned result then
// holds what completed and is marked interrupted.
func Run(ctx context.Context, p *Plan, opt Options) (results.Scenario, error) {
	if opt.Log == nil {
		opt.Log = io.Discard
	}
	if err := CheckBackend(p, opt.AllowRemote); err != nil {
		return results.Scenario{}, err
	}
	if err := CheckLimits(p, opt.Quick); err != nil {
		return results.Scenario{}, err
	}
	res, err := runnerFor(p).run(ctx, p, opt)
	res.Origin = p.Origin()
	return res, err
}

// runRepeated runs a model that measures arm by arm, repetition by
// repetition: once, or once per sweep point.
func runRepeated(ctx context.Context, p *Plan, m armRunner, opt Options) (results.Scenario, error) {
	sw := p.SweepFor(opt.Quick)
	if sw == nil {
		return runPoint(ctx, p, m, opt, "")
	}
	return runSweep(ctx, p, m, sw, opt)
}

// runSweep runs one full point per combination of the sweep's values.
func runSweep(ctx context.Context, p *Plan, m armRunner, sw *scenario.SweepPlan, opt Options) (results.Scenario, error) {
	duration, warmup, reps := p.Effective(opt.Quick)
	out := results.Scenario{
		Name:        p.Resolved().Name,
		Description: strings.TrimSpace(p.Resolved().Description),
		Conditions:  p.Conditions(duration, warmup, reps),
		Sweep:       &results.Sweep{Params: append([]string(nil), sw.Params...)},
		ClaimArms:   p.ClaimArms(),
	}
	for _, pt := range sw.Points {
		res, err := runPoint(ctx, pt.Plan, m, opt, pt.Label)
		out.Fixtures = results.AddFixtures(out.Fixtures, res.Fixtures)
		if out.Conditions.Isolation == "" {
			out.Conditions.Isolation, out.Conditions.CPUs = res.Conditions.Isolation, res.Conditions.CPUs
		}
		if out.Conditions.Target == "" && res.Conditions.Target != "" {
			out.Conditions.Target, out.Conditions.TLS = res.Conditions.Target, res.Conditions.TLS // a kubeconfig's server
		}
		if len(res.Arms) > 0 {
			out.Sweep.Points = append(out.Sweep.Points, results.SweepPoint{Values: append([]string(nil), pt.Values...), Result: res})
			for _, t := range res.Thresholds {
				t.Point = pt.Label
				out.Thresholds = append(out.Thresholds, t)
			}
		}
		if err != nil {
			if ctx.Err() != nil {
				out.Notes = append(out.Notes, "Interrupted: not every sweep point ran; the matrix shows what completed.")
			}
			return out, err
		}
	}
	return out, nil
}

// runPoint runs p (a scenario, or a sweep point's copy of it) with all its
// arms and repetitions against one backend. Against an external backend,
// what the run created there is deleted before it returns, whatever ended
// it (see fixtures).
func runPoint(ctx context.Context, p *Plan, m armRunner, opt Options, label string) (res results.Scenario, err error) {
	pr := newPointRun(p, m, opt, label)
	be, err := startBackend(p, opt)
	if err != nil {
		return results.Scenario{}, fmt.Errorf("scenario %s: start backend: %w", pr.name, err)
	}
	defer be.Close()
	pr.be = be
	if note := be.authNote(p); note != "" {
		pr.out.Notes = append(pr.out.Notes, note)
	}
	done, err := setUpFixtures(ctx, p, be, opt.Log)
	defer done(&res, &err)
	// Interrupted while creating them, the run goes on to write a result
	// with no repetition, marked interrupted, rather than none.
	if err != nil && ctx.Err() == nil {
		return results.Scenario{}, fmt.Errorf("scenario %s: %w", pr.name, err)
	}
	pr.probe(ctx)
	if err := pr.runReps(ctx); err != nil {
		return pr.out, err
	}
	pr.finish()
	return pr.out, ctxErr(ctx, pr.interrupted)
}

// setUpFixtures creates the objects p's mix reads, as its fixtures key
// says, and returns what the run defers to clean up: against an external
// backend it deletes everything the run labelled (the fixtures and the
// mix's own creates), records the counts in *res and names what is left
// in *err; on the mock it does nothing, its objects go with it.
func setUpFixtures(ctx context.Context, p *Plan, be *backend, log io.Writer) (done func(res *results.Scenario, err *error), err error) {
	mix := p.Resolved().Mix
	create := p.FixtureMode() == scenario.FixturesCreate
	if !p.External() {
		done = func(*results.Scenario, *error) {}
		if !create {
			return done, nil
		}
		return done, prepare(ctx, be, mix)
	}
	create = create && len(scenario.FixtureSets(mix)) > 0
	if !create && !mixKubeCreates(mix) {
		// Nothing the run can label; what it writes unlabelled is said.
		unlabelled := unlabelledWrites(mix)
		return func(res *results.Scenario, _ *error) {
			if len(unlabelled) > 0 {
				res.Fixtures = &results.Fixtures{Mode: p.FixtureMode(), Unlabelled: unlabelled}
			}
		}, nil
	}
	be.runID = newRunID()
	fx := newFixtures(be, p.FixtureMode())
	fx.rec.Unlabelled = unlabelledWrites(mix)
	done = func(res *results.Scenario, err *error) {
		rec := fx.cleanup()
		fx.close()
		res.Fixtures = &rec
		fmt.Fprintf(log, "%s: clean-up: %s\n", p.Resolved().Name, fixturesLine(rec))
		if rec.Leftover > 0 && *err != nil {
			*err = fmt.Errorf("%w; %d objects labelled %s are left on the backend", *err, rec.Leftover, rec.Label)
		}
	}
	if create {
		return done, fx.create(ctx, mix)
	}
	return done, nil
}

// fixturesLine is the clean-up's outcome for the log.
func fixturesLine(f results.Fixtures) string {
	line := fmt.Sprintf("%d fixtures created, %d objects labelled %s deleted, %d left", f.Created, f.Deleted, f.Label, f.Leftover)
	if f.Error != "" {
		line += "; " + f.Error
	}
	return line
}

// pointRun is the state of one runPoint: the result being filled, each
// arm's merged histograms, and what stopped the run early.
type pointRun struct {
	p     *Plan
	m     armRunner
	opt   Options
	label string
	name  string // the scenario's name with the point's label, for logs
	be    *backend
	out   results.Scenario
	began time.Time
	reps  int
	// service, response and lag merge each arm's histograms across
	// repetitions (response and lag only for an arrival rate).
	service, response, lag []*hdrhistogram.Histogram
	position               int
	interrupted            bool
	backendDied            string
	// broken holds the arms whose transport could not be built: they fail
	// alone, and the other arms still run.
	broken map[int]error
}

func newPointRun(p *Plan, m armRunner, opt Options, label string) *pointRun {
	duration, warmup, reps := p.Effective(opt.Quick)
	pr := &pointRun{p: p, m: m, opt: opt, label: label, name: p.Resolved().Name, reps: reps, broken: map[int]error{}}
	if label != "" {
		pr.name += " [" + label + "]"
	}
	pr.out = results.Scenario{
		Name:        p.Resolved().Name,
		Description: strings.TrimSpace(p.Resolved().Description),
		Conditions:  p.Conditions(duration, warmup, reps),
		Arms:        make([]results.Arm, len(p.Profiles())),
		ClaimArms:   p.ClaimArms(),
	}
	for i, prof := range p.Profiles() {
		pr.out.Arms[i] = results.Arm{Name: p.Arms()[i], Profile: prof.Name, Description: prof.Description, Settings: settings(prof)}
		if l := p.Limits()[i]; l.On() {
			pr.out.Arms[i].Description += fmt.Sprintf("; behind client-go's client-side rate limiter, qps %s, burst %d", ftoa(l.QPS), l.Burst)
		}
		pr.service = append(pr.service, engine.NewHistogram())
		var response, lag *hdrhistogram.Histogram
		if p.Model().ResponseTime() {
			response, lag = engine.NewHistogram(), engine.NewHistogram()
		}
		pr.response, pr.lag = append(pr.response, response), append(pr.lag, lag)
	}
	return pr
}

// probe records where the backend ran and measures, before the arms run,
// the set-up cost and the generator's ceiling.
func (pr *pointRun) probe(ctx context.Context) {
	if pr.be.isolation != isolationExternal {
		pr.out.Conditions.Isolation, pr.out.Conditions.CPUs = pr.be.isolation, pr.be.cpus
	} else if pr.out.Conditions.Target == "" {
		pr.out.Conditions.Target = pr.be.url // the kubeconfig's server
		pr.out.Conditions.TLS = pr.be.tls != nil
	}
	if ctx.Err() == nil {
		pr.out.Setup = measureSetup(ctx, pr.p, pr.be)
		if pr.out.GeneratorCeiling = generatorCeiling(ctx, pr.p, pr.be); pr.out.GeneratorCeiling > 0 {
			fmt.Fprintf(pr.opt.Log, "%s: generator ceiling %.0f req/s (the engine against an in-memory transport)\n", pr.name, pr.out.GeneratorCeiling)
		}
	}
	pr.began = time.Now()
}

// runReps runs every arm, repetition by repetition (A B A B ...), until all
// ran, ctx is cancelled or the backend died; an error is an arm that failed
// for another reason than its transport.
func (pr *pointRun) runReps(ctx context.Context) error {
	for rep := 0; rep < pr.reps; rep++ {
		for i := range pr.p.Profiles() {
			if ctx.Err() != nil {
				pr.interrupted = true
				return nil
			}
			if pr.broken[i] != nil {
				continue
			}
			stop, err := pr.runOne(ctx, rep, i)
			if err != nil || stop {
				return err
			}
		}
	}
	return nil
}

// runOne runs arm i's repetition rep; stop says the run must end here.
func (pr *pointRun) runOne(ctx context.Context, rep, i int) (stop bool, err error) {
	p, arm := pr.p, pr.p.Arms()[i]
	duration, warmup, _ := p.Effective(pr.opt.Quick)
	fmt.Fprintf(pr.opt.Log, "%s: rep %d/%d: arm %s: %s warm-up, %s\n", pr.name, rep+1, pr.reps, arm, warmup, pr.m.measuredText(duration))
	a := armRun{be: pr.be, profile: p.Profiles()[i], limit: p.Limits()[i], name: fmt.Sprintf("%s-r%d", arm, rep), who: pr.name + ": " + arm,
		duration: duration, warmup: warmup, quick: pr.opt.Quick, log: pr.opt.Log}
	if pr.opt.OnRun != nil {
		a.onResult = pr.opt.OnRun(RunInfo{Scenario: p.Resolved().Name, Point: pr.label, Arm: arm, Rep: rep, Reps: pr.reps, Planned: p.PlannedRun(pr.opt.Quick)})
	}
	r, rec, err := pr.m.runArm(ctx, p, a)
	var bErr *buildError
	if errors.As(err, &bErr) {
		pr.broken[i] = bErr.err
		fmt.Fprintf(pr.opt.Log, "%s: arm %s: %v; the other arms go on\n", pr.name, arm, bErr.err)
		return false, nil
	}
	if err != nil {
		return true, fmt.Errorf("scenario %s: arm %s: rep %d: %w", pr.name, arm, rep+1, err)
	}
	r = pr.record(i, rep, r, rec)
	fmt.Fprintf(pr.opt.Log, "%s: rep %d/%d: arm %s: %s\n", pr.name, rep+1, pr.reps, arm, repLine(r))
	if r.Interrupted {
		pr.interrupted = true
		return true, nil
	}
	if at, died := pr.be.died(); died {
		pr.backendDied = fmt.Sprintf("the backend process died at %s (%s into the run), during arm %s rep %d", at.UTC().Format(time.TimeOnly), at.Sub(pr.began).Round(time.Millisecond), arm, rep+1)
		fmt.Fprintf(pr.opt.Log, "%s: %s; the figures cover what ran\n", pr.name, pr.backendDied)
		return true, nil
	}
	return false, nil
}

// record adds arm i's repetition rep to the result and its histograms.
func (pr *pointRun) record(i, rep int, r results.Rep, rec *engine.Recording) results.Rep {
	r = repOutputs(r, rec)
	r.Index, r.Position = rep, pr.position
	pr.position++
	pr.out.Arms[i].Reps = append(pr.out.Arms[i].Reps, r)
	if rec != nil {
		pr.service[i].Merge(rec.Service)
		if pr.response[i] != nil && rec.Response != nil {
			pr.response[i].Merge(rec.Response)
			pr.lag[i].Merge(rec.Lag)
		}
	}
	return r
}

// repLine is a repetition's figures for the log.
func repLine(r results.Rep) string {
	line := fmt.Sprintf("%.0f req/s, p50 %s, p99 %s, %d dials", r.SuccessPerSec, results.Dur(r.Latency.P50), results.Dur(r.Latency.P99), r.Client.Dials)
	if r.Search != nil {
		line = fmt.Sprintf("sustains %.0f req/s; ", r.Search.MaxRate) + line
	}
	return line
}

// finish totals each arm, evaluates the statistics and thresholds, and notes
// what did not run as planned.
func (pr *pointRun) finish() {
	out := &pr.out
	for i := range out.Arms {
		out.Arms[i].Total = total(out.Arms[i].Reps, pr.service[i], pr.response[i], pr.lag[i])
		out.Arms[i].ServiceHDR = encodeHist(pr.service[i])
		out.Arms[i].ResponseHDR = encodeHist(pr.response[i])
		out.Arms[i].Total.Limiter = totalLimiter(out.Arms[i].Reps)
	}
	analysis.Finalize(out, pr.p.ThresholdsAt(pr.label))
	for i := range pr.p.Profiles() {
		if err := pr.broken[i]; err != nil {
			out.Thresholds = append(out.Thresholds, results.ThresholdResult{Expr: "the transport builds", Arm: pr.p.Arms()[i], Point: pr.label,
				Required: true, MeasuredText: "no transport: " + err.Error(), Note: err.Error()})
			out.Notes = append(out.Notes, fmt.Sprintf("Failed: arm `%s` did not run: %v.", pr.p.Arms()[i], err))
		}
	}
	if pr.interrupted {
		out.Notes = append(out.Notes, "Interrupted: fewer repetitions than planned completed; the figures cover what ran.")
	}
	if pr.backendDied != "" {
		out.Thresholds = append(out.Thresholds, results.ThresholdResult{Expr: "the backend stays up", Point: pr.label,
			Required: true, MeasuredText: pr.backendDied, Note: pr.backendDied})
		out.Notes = append(out.Notes, "Failed: "+pr.backendDied+"; its errors are counted and the figures cover what ran.")
	}
	out.Notes = append(out.Notes, saturationNotes(out.Arms)...)
	out.Notes = append(out.Notes, limiterNotes(out.Arms)...)
	if out.Stats != nil && out.Stats.Weak {
		out.Notes = append(out.Notes, fmt.Sprintf("Weak verdict: %d repetitions per arm (fewer than %d); differences are unlikely to be significant.", out.Stats.MinReps, analysis.WeakBelowReps))
	}
}

// saturationNotes name the repetitions whose generator was saturated.
func saturationNotes(arms []results.Arm) []string {
	var notes []string
	for _, a := range arms {
		for _, r := range a.Reps {
			if r.Open != nil && r.Open.Saturated {
				notes = append(notes, fmt.Sprintf("Invalid: the generator was saturated in repetition %d of `%s` (%s); that repetition did not offer the asked load.", r.Index+1, a.Name, r.Open.Reason))
			}
		}
	}
	return notes
}

// isCancellation reports whether an error text is ctx's cancellation.
func isCancellation(ctx context.Context, text string) bool {
	if strings.HasSuffix(text, context.Canceled.Error()) {
		return true
	}
	cause := context.Cause(ctx)
	return cause != nil && strings.HasSuffix(text, cause.Error())
}

// buildError is an arm whose profile could not build its transport.
type buildError struct{ err error }

func (e *buildError) Error() string { return e.err.Error() }

func ctxErr(ctx context.Context, interrupted bool) error {
	if interrupted {
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}

// attack runs one arm-repetition on a fresh transport through the engine
// and returns its summary and recording: at the closed model's concurrency
// when o is nil, else at the arrival rate o offers (the open model's load,
// or a search's probe).
func attack(ctx context.Context, p *Plan, a armRun, o *offer) (results.Rep, *engine.Recording, error) {
	be := a.be
	c0, s0 := transport.TraceStats{}, be.stats()
	inst, err := a.profile.TryInstrument(be.tls, be.buildOptions()...)
	if err != nil {
		return results.Rep{}, nil, &buildError{err}
	}
	// vegeta never closes idle connections: the arm owns its transport and
	// closes it whatever happens, so no connection goroutine outlives the run.
	defer inst.Close()

	attack := engine.Attack{
		Name:        a.name,
		Model:       engine.Closed,
		Concurrency: p.Resolved().Load.Concurrency,
		MaxWorkers:  p.Resolved().Load.MaxWorkers,
		// Each closed-model worker carries its own trace state.
		WorkerContext: inst.Tracer.Bind,
		// Requests still waiting for a client-side limiter's token when
		// the duration ends are not sent: they count as cancelled, and the
		// arm ends on time rather than when its bucket drains.
		CancelAtEnd: a.limit.On(),
	}
	if o != nil {
		late := o.withLate()
		o = &late
		attack.Model, attack.Pacer = engine.Open, o.pacer
	}
	// Every client gets the backend's credentials and headers and, with a
	// qps, a limiter of its own (the measured window starts with a full
	// bucket, as a new Clientset does); the limiter's wait is part of each
	// request's time, as in client-go's Request.Do.
	var limited *transport.Limited
	client := func(m *mixTargeter) *http.Client {
		c := *inst.Client
		c.Transport = m.wrap(be.wrapArm(a.profile, inst.Client.Transport))
		if a.limit.On() {
			limited = transport.NewLimited(c.Transport, a.limit.QPS, a.limit.Burst)
			c.Transport = limited
		}
		return &c
	}
	if a.warmup > 0 {
		m, err := newMixTargeter(be.url, a.name+"w", p.Resolved().Mix, p.Resolved().Seed)
		if err != nil {
			return results.Rep{}, nil, err
		}
		m.label = be.runID
		w := attack
		w.Name, w.Duration, w.Targeter, w.Client = a.name+"-warmup", a.warmup, m.targeter(), client(m)
		if o != nil {
			// The warm-up's offered load starts over: a ramp warms up at its start.
			w.Pacer = o.pacer
		}
		if _, err := engine.Run(ctx, w); err != nil {
			return results.Rep{}, nil, fmt.Errorf("warm-up: %w", err)
		}
	}
	settle(inst.Tracer, be, c0, s0)
	inst.Tracer.ResetConnWaits()
	be.resetPeak()
	tw := be.startTimeWait()
	clientBefore, serverBefore := inst.Tracer.Stats(), be.stats()
	m, err := newMixTargeter(be.url, a.name, p.Resolved().Mix, p.Resolved().Seed)
	if err != nil {
		return results.Rep{}, nil, err
	}
	m.label = be.runID
	attack.Duration, attack.Targeter, attack.Client = a.duration, m.targeter(), client(m)
	attack.OnResult = a.onResult
	cpu0 := cpuTime()
	rec, err := engine.Run(ctx, attack)
	if err != nil {
		return results.Rep{}, nil, err
	}
	cpu := cpuTime() - cpu0
	settle(inst.Tracer, be, c0, s0)
	c, srv := inst.Tracer.Stats().Sub(clientBefore), be.stats().Sub(serverBefore)
	sum := summarize(rec, c, srv, be.counted())
	if rec.Interrupted {
		uncountCancelled(ctx, &sum)
	}
	sum.Client.TimeWait = tw.count()
	waits := inst.Tracer.ConnWaits()
	if waits.TotalCount() > 0 {
		sum.Client.ConnWaitP99 = time.Duration(waits.ValueAtQuantile(99)) * time.Microsecond
		sum.Client.ConnWaitHDR = encodeHist(waits)
	}
	if rec.Wall > 0 {
		sum.CPUPct = 100 * cpu.Seconds() / rec.Wall.Seconds() / float64(be.generatorCPUs())
	}
	if o != nil {
		sum.Open = openLoad(*o, rec, a.duration, sum.CPUPct)
	}
	if limited != nil {
		sum.Limiter = limiterLoad(limited.Waits(), sum)
	}
	return results.Rep{Summary: sum}, rec, nil
}

// openLoad compares what the pacer asked for with what was sent.
func openLoad(o offer, rec *engine.Recording, duration time.Duration, cpuPct float64) *results.OpenLoad {
	ol := &results.OpenLoad{
		Shape:         o.shape,
		RequestedRate: o.mean,
		RequestedHits: int64(o.expected(duration)),
		SentHits:      rec.Hits,
		AchievedRate:  float64(rec.Hits) / duration.Seconds(),
		LateAfter:     o.lateAfter,
		LagP99:        engine.Quantile(rec.Lag, 99),
	}
	if ol.RequestedHits > 0 {
		ol.AchievedPct = min(100, 100*float64(ol.SentHits)/float64(ol.RequestedHits))
	}
	late := int64(ol.LateAfter / time.Microsecond)
	for _, b := range rec.Lag.Distribution() {
		if b.From > late {
			ol.LateHits += b.Count
		}
	}
	var why []string
	if ol.RequestedHits > 0 && ol.AchievedPct < MinAchievedPct && !rec.Interrupted {
		why = append(why, fmt.Sprintf("sent %s of the asked hits", results.Pct(ol.AchievedPct)))
	}
	if p90 := engine.Quantile(rec.Lag, 90); p90 > ol.LateAfter {
		why = append(why, "send lag p90 "+results.Dur(p90))
	}
	if cpuPct >= SaturatedCPUPct {
		why = append(why, fmt.Sprintf("CPU at %s of the generator's cores", results.Pct(cpuPct)))
	}
	if len(why) > 0 {
		ol.Saturated, ol.Reason = true, strings.Join(why, ", ")
	}
	return ol
}

// settle waits, briefly and boundedly, until the dials and handshakes the
// client made since c0/s0 were taken are also counted by the server and every
// finished dial has finished its handshake, so that work started before an
// attack ended is counted in the window that caused it and client and server
// agree. Without a mock there is no server count to wait for.
func settle(tr *transport.Tracer, be *backend, c0 transport.TraceStats, s0 mockbackend.Stats) {
	if !be.counted() {
		return
	}
	useTLS := be.tls != nil
	const step, limit = 5 * time.Millisecond, 100 * time.Millisecond
	for waited := time.Duration(0); waited < limit; waited += step {
		c, s := tr.Stats().Sub(c0), be.stats().Sub(s0)
		agreed := c.Dials == s.ConnsAccepted
		if useTLS {
			agreed = agreed && c.Dials == c.TLSHandshakes+c.TLSErrors && c.TLSHandshakes == s.TLSHandshakes
		}
		if agreed {
			return
		}
		time.Sleep(step)
	}
}

// prepare creates on the mock the objects that the mix's read routes and
// flows expect, stage by stage, a few requests at a time so a slow handler
// does not stretch the set-up.
func prepare(ctx context.Context, be *backend, mix []scenario.MixEntry) error {
	keys := scenario.FixtureSets(mix)
	if len(keys) == 0 {
		return nil
	}
	tr := transport.DefaultTransport(be.tls)
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: be.wrap(tr), Timeout: 30 * time.Second}
	for _, k := range keys {
		for _, stage := range fixtureRequests(k, false, "") {
			if err := prepareStage(ctx, client, be.url, stage, nil); err != nil {
				return err
			}
		}
	}
	return nil
}

// prepareStage sends one stage's requests on a few workers; created, when
// not nil, counts the objects created (not those that existed).
func prepareStage(ctx context.Context, client *http.Client, backendURL string, todo []vegeta.Target, created *atomic.Int64) error {
	const workers = 8
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(todo) && errs[w] == nil; i += workers {
				var made bool
				made, errs[w] = prepareOne(ctx, client, backendURL, todo[i])
				if made && created != nil {
					created.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	// One line: the first failure, and how many other workers failed too
	// (against an unreachable target every one of them does).
	var first error
	others := 0
	for _, err := range errs {
		switch {
		case err == nil:
		case first == nil:
			first = err
		default:
			others++
		}
	}
	if first != nil && others > 0 {
		return fmt.Errorf("%w (and %d more fixture requests failed)", first, others)
	}
	return first
}

// Fixture requests are retried against a mock that injects faults: at most
// prepareAttempts tries, each bounded by prepareAttemptTimeout (an injected
// hang never answers).
const (
	prepareAttempts       = 5
	prepareAttemptTimeout = 10 * time.Second
)

// prepareOne sends one fixture request, retried while the failure may be
// transient; created says the backend made the object (not a 409: it was
// there).
func prepareOne(ctx context.Context, client *http.Client, backendURL string, fixture vegeta.Target) (created bool, err error) {
	fixture.URL = backendURL + fixture.URL
	for attempt := 1; attempt <= prepareAttempts; attempt++ {
		var retry bool
		if created, retry, err = prepareAttempt(ctx, client, fixture); err == nil || !retry || ctx.Err() != nil {
			return created, err
		}
		select {
		case <-ctx.Done():
			return false, err
		case <-time.After(time.Duration(attempt) * 50 * time.Millisecond):
		}
	}
	return false, err
}

// prepareAttempt sends one fixture request; retry says whether a failure
// may be transient (a transport error, 429 or 5xx).
func prepareAttempt(ctx context.Context, client *http.Client, fixture vegeta.Target) (created, retry bool, err error) {
	req, err := fixture.Request()
	if err != nil {
		return false, false, fmt.Errorf("prepare: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, prepareAttemptTimeout)
	defer cancel()
	resp, err := client.Do(req.WithContext(ctx))
	if err != nil {
		// *url.Error repeats the method and URL this message already names.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return false, true, fmt.Errorf("prepare: %s %s: %w", fixture.Method, fixture.URL, err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	// 409: the object is there already (an external backend keeps it, or
	// an attempt that failed after the mock stored it).
	if resp.StatusCode >= 300 && resp.StatusCode != http.StatusConflict {
		return false, resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500,
			fmt.Errorf("prepare: %s %s: status %d", fixture.Method, fixture.URL, resp.StatusCode)
	}
	return resp.StatusCode < 300, false, nil
}

func settings(p transport.Profile) map[string]string {
	if p.Custom() {
		// A FromFunc factory: its fields are its own; never build it just to
		// describe it (a builder may have side effects, or panic).
		return map[string]string{"Transport": "custom", "ClientTimeout": p.ClientTimeout().String()}
	}
	rt, err := p.Build(nil)
	if err != nil {
		return map[string]string{"Transport": "not built: " + err.Error()}
	}
	defer transport.CloseIdle(rt)
	// Under wrappers (client-go's bearer token) the pool is the base's.
	tr, ok := transport.Base(rt).(*http.Transport)
	if !ok {
		return map[string]string{"Transport": "custom", "ClientTimeout": p.ClientTimeout().String()}
	}
	m := map[string]string{
		"MaxIdleConns":        strconv.Itoa(tr.MaxIdleConns),
		"MaxIdleConnsPerHost": strconv.Itoa(tr.MaxIdleConnsPerHost),
		"MaxConnsPerHost":     strconv.Itoa(tr.MaxConnsPerHost),
		"IdleConnTimeout":     tr.IdleConnTimeout.String(),
		"ForceAttemptHTTP2":   strconv.FormatBool(tr.ForceAttemptHTTP2),
		"DisableKeepAlives":   strconv.FormatBool(tr.DisableKeepAlives),
		"TLSSessionCache":     strconv.FormatBool(tr.TLSClientConfig != nil && tr.TLSClientConfig.ClientSessionCache != nil),
		"ClientTimeout":       p.ClientTimeout().String(),
	}
	if p.Config != nil {
		m["TLSSessionCache"] = strconv.FormatBool(p.Config.TLSSessionCacheSize > 0)
	}
	if _, ok := tr.TLSNextProto["h2"]; ok && !tr.ForceAttemptHTTP2 {
		// HTTP/2 set up before the first request, by x/net's
		// http2.ConfigureTransports (client-go does): ForceAttemptHTTP2 false
		// would read as HTTP/1.1 only.
		m["HTTP2"] = "golang.org/x/net/http2.ConfigureTransports"
	}
	return m
}

// ClientConns is a tracer's counters as results.json records them.
func ClientConns(c transport.TraceStats) results.ClientConns {
	return results.ClientConns{
		Dials: c.Dials, DialErrors: c.DialErrors, Reused: c.ConnsReused, New: c.ConnsNew, WasIdle: c.ConnsWasIdle,
		ReusePct: c.ReusePercent(), TLSHandshakes: c.TLSHandshakes, TLSResumed: c.TLSResumed, TLSErrors: c.TLSErrors,
		ConnWaitMean: c.MeanConnWait(), ConnWaitMax: c.ConnWaitMax, TTFBMean: c.MeanTTFB(),
		IdleReturned: c.IdleReturned, IdleRejected: c.IdleRejected, Protocols: c.Protocols,
		TLS: tlsSeen(c.TLS),
	}
}

// tlsSeen is what a tracer saw of TLS as results.json records it; nil
// without a handshake.
func tlsSeen(t transport.TLSSeen) *results.TLSSeen {
	if t == (transport.TLSSeen{}) {
		return nil
	}
	return &results.TLSSeen{Version: t.Version, ServerName: t.ServerName, Certificate: t.Certificate, ALPN: t.ALPN}
}

func serverConns(srv mockbackend.Stats, known bool) results.ServerConns {
	if !known {
		return results.ServerConns{}
	}
	return results.ServerConns{Known: true, Accepted: srv.ConnsAccepted, TLSHandshakes: srv.TLSHandshakes,
		TLSResumed: srv.TLSResumed, Requests: srv.Requests, Protocols: srv.Protocols, ConnsPeak: srv.ConnsPeak,
		InflightRejectedReadOnly: srv.InflightRejectedReadOnly, InflightRejectedMutating: srv.InflightRejectedMutating}
}

func summarize(rec *engine.Recording, c transport.TraceStats, srv mockbackend.Stats, known bool) results.Summary {
	s := results.Summary{
		Requests:      rec.Hits,
		Successes:     rec.Successes,
		SuccessPct:    100 * rec.SuccessRatio(),
		ReqPerSec:     rec.ReqPerSec(),
		SuccessPerSec: rec.SuccessPerSec(),
		Wall:          rec.Wall,
		Latency:       results.HDRPercentiles(rec.Service),
		Codes:         map[string]int64{},
		Errors:        map[string]int64{},
		OtherErrors:   rec.OtherErrors,
		BytesIn:       rec.BytesIn,
		BytesOut:      rec.BytesOut,
		Interrupted:   rec.Interrupted,
		Cancelled:     rec.Cancelled,
		Client:        ClientConns(c),
		Server:        serverConns(srv, known),
	}
	for code, n := range rec.Codes {
		s.Codes[strconv.Itoa(int(code))] = n
	}
	for text, n := range rec.Errors {
		s.Errors[text] = n
	}
	if rec.Response != nil {
		r, l := results.HDRPercentiles(rec.Response), results.HDRPercentiles(rec.Lag)
		s.Response, s.Lag = &r, &l
	}
	return s
}

// uncountCancelled moves the requests an interruption cut off in flight
// (their error is ctx's cancellation, or its cause, such as "interrupt
// signal received") out of the requests and errors of an interrupted run
// into Cancelled: they did not fail, the run stopped.
func uncountCancelled(ctx context.Context, s *results.Summary) {
	// The engine already keeps what it cut off out of the requests and
	// errors (Recording.Cancelled); this catches the ones it saw fail with
	// the cancellation as an ordinary error.
	var moved int64
	for text, n := range s.Errors {
		if isCancellation(ctx, text) {
			moved += n
			delete(s.Errors, text)
		}
	}
	if moved == 0 {
		return
	}
	s.Cancelled += moved
	s.Requests -= moved
	// A request cut off got no status: vegeta records code 0.
	if n := min(s.Codes["0"], moved); n > 0 {
		if s.Codes["0"] -= n; s.Codes["0"] == 0 {
			delete(s.Codes, "0")
		}
	}
	s.SuccessPct = 0
	if s.Requests > 0 {
		s.SuccessPct = 100 * float64(s.Successes) / float64(s.Requests)
	}
	if sec := s.Wall.Seconds(); sec > 0 {
		s.ReqPerSec = float64(s.Requests) / sec
	}
}

// total merges an arm's repetitions (results.ArmTotal); the lag comes from
// the arm's merged lag histogram rather than the worst repetition.
func total(reps []results.Rep, service, response, lag *hdrhistogram.Histogram) results.Summary {
	t := results.ArmTotal(reps, service, response)
	if t.Response != nil {
		l := results.HDRPercentiles(lag)
		t.Lag = &l
		if t.Open != nil {
			t.Open.LagP99 = l.P99
		}
	}
	return t
}

// encodeHist is results.EncodeHDR for the report model: "" when h is empty or
// cannot be encoded.
func encodeHist(h *hdrhistogram.Histogram) string {
	s, _ := results.EncodeHDR(h)
	return s
}

func itoa(n int) string { return strconv.Itoa(n) }

func ftoa(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }
