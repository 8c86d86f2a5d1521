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
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/oranbench/oranbench/internal/engine"
	"github.com/oranbench/oranbench/mockbackend"
	"github.com/oranbench/oranbench/reports/analysis"
	"github.com/oranbench/oranbench/reports/results"
	"github.com/oranbench/oranbench/targets/transport"
)

// Options tune how a scenario runs.
type Options struct {
	// Quick uses the scenario's shorter quick settings.
	Quick bool
	// Registry is not used: a Plan resolves its arms when Parse or NewPlan
	// builds it, from the registry given there.
	//
	// Deprecated: pass the registry to Parse or NewPlan.
	Registry *transport.Registry
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
}

// Generator health limits of the open model: a hit picked up more than
// LateAfter (for bursts, a quarter of the burst interval if that is longer)
// after it was due is late. A run in which more than a tenth of the hits were
// late (lag p90 beyond the limit: behind systematically, not a scheduling
// hiccup), that sent less than MinAchievedPct of the asked hits, or during
// which the process used more than SaturatedCPUPct of the generator's cores, had a
// saturated generator and is invalid.
const (
	LateAfter       = 10 * time.Millisecond
	MinAchievedPct  = 99
	SaturatedCPUPct = 95
)

// Run executes s: it starts the backend, prepares the objects the mix reads,
// then for each repetition runs every arm in turn (A B A B ...) so drift of
// the machine hits all arms alike. Each arm-repetition gets a fresh
// transport, an uncounted warm-up, a measured attack, and its idle
// connections closed afterwards. A sweep repeats all of that per point. The
// result carries statistics across repetitions and the evaluated
// thresholds. A cancelled ctx stops the run early; the returned result then
// holds what completed and is marked interrupted.
func Run(ctx context.Context, s *Plan, opt Options) (results.Scenario, error) {
	if opt.Log == nil {
		opt.Log = io.Discard
	}
	for _, line := range s.deprecations {
		fmt.Fprintln(opt.Log, line)
	}
	if err := s.CheckBackend(opt.AllowRemote); err != nil {
		return results.Scenario{}, err
	}
	if err := s.CheckLimits(opt.Quick); err != nil {
		return results.Scenario{}, err
	}
	if s.spec.Load.Model == ModelSoak {
		return runSoak(ctx, s, opt)
	}
	sw := s.sweepFor(opt.Quick)
	if sw == nil {
		return runPoint(ctx, s, opt, "")
	}
	return runSweep(ctx, s, sw, opt)
}

// runSweep runs one full point per combination of the sweep's values.
func runSweep(ctx context.Context, s *Plan, sw *sweepPlan, opt Options) (results.Scenario, error) {
	duration, warmup, reps := s.Effective(opt.Quick)
	out := results.Scenario{
		Name:        s.spec.Name,
		Description: strings.TrimSpace(s.spec.Description),
		Conditions:  s.conditions(duration, warmup, reps),
		Sweep:       &results.Sweep{Params: append([]string(nil), sw.params...)},
		ClaimArms:   s.claimArms(),
	}
	for _, pt := range sw.points {
		res, err := runPoint(ctx, pt.plan, opt, pt.label)
		if out.Conditions.Isolation == "" {
			out.Conditions.Isolation, out.Conditions.CPUs = res.Conditions.Isolation, res.Conditions.CPUs
		}
		if len(res.Arms) > 0 {
			out.Sweep.Points = append(out.Sweep.Points, results.SweepPoint{Values: append([]string(nil), pt.values...), Result: res})
			for _, t := range res.Thresholds {
				t.Point = pt.label
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

// runPoint runs sc (a scenario, or a sweep point's copy of it) with all its
// arms and repetitions against one backend.
func runPoint(ctx context.Context, sc *Plan, opt Options, label string) (results.Scenario, error) {
	duration, warmup, reps := sc.Effective(opt.Quick)
	name := sc.spec.Name
	if label != "" {
		name += " [" + label + "]"
	}
	be, err := sc.startBackend(opt)
	if err != nil {
		return results.Scenario{}, fmt.Errorf("scenario %s: start backend: %w", name, err)
	}
	defer be.Close()
	out := results.Scenario{
		Name:        sc.spec.Name,
		Description: strings.TrimSpace(sc.spec.Description),
		Conditions:  sc.conditions(duration, warmup, reps),
		Arms:        make([]results.Arm, len(sc.profiles)),
		ClaimArms:   sc.claimArms(),
	}
	for i, p := range sc.profiles {
		out.Arms[i] = results.Arm{Name: sc.arms[i], Profile: p.Name, Description: p.Description, Settings: settings(p)}
	}
	// Interrupted while seeding the backend, the run goes on to write a
	// result with no repetition, marked interrupted, rather than none.
	if err := prepare(ctx, be, sc.spec.Mix); err != nil && ctx.Err() == nil {
		return results.Scenario{}, fmt.Errorf("scenario %s: %w", name, err)
	}
	if be.isolation != isolationExternal {
		out.Conditions.Isolation, out.Conditions.CPUs = be.isolation, be.cpus
	}
	if ctx.Err() == nil {
		out.Setup = sc.measureSetup(ctx, be)
		if out.GeneratorCeiling = sc.generatorCeiling(ctx, be); out.GeneratorCeiling > 0 {
			fmt.Fprintf(opt.Log, "%s: generator ceiling %.0f req/s (the engine against an in-memory transport)\n", name, out.GeneratorCeiling)
		}
	}
	began := time.Now()
	service := make([]*hdrhistogram.Histogram, len(sc.profiles))
	response := make([]*hdrhistogram.Histogram, len(sc.profiles))
	lag := make([]*hdrhistogram.Histogram, len(sc.profiles))
	open := sc.spec.Load.Model == ModelOpen || sc.spec.Load.Model == ModelSearch
	for i := range sc.profiles {
		service[i] = engine.NewHistogram()
		if open {
			response[i], lag[i] = engine.NewHistogram(), engine.NewHistogram()
		}
	}

	position := 0
	interrupted := false
	backendDied := ""
	steps := sc.searchSteps(opt.Quick)
	// broken holds the arms whose transport could not be built: they fail
	// alone, and the other arms still run.
	broken := map[int]error{}
runs:
	for rep := 0; rep < reps; rep++ {
		for i, p := range sc.profiles {
			if ctx.Err() != nil {
				interrupted = true
				break runs
			}
			if broken[i] != nil {
				continue
			}
			arm := sc.arms[i]
			measured := duration.String() + " measured"
			if sc.spec.Load.Model == ModelStorm {
				measured = "measured until the storm is processed"
			}
			fmt.Fprintf(opt.Log, "%s: rep %d/%d: arm %s: %s warm-up, %s\n", name, rep+1, reps, arm, warmup, measured)
			run := fmt.Sprintf("%s-r%d", arm, rep)
			var (
				r   results.Rep
				rec *engine.Recording
			)
			var onResult ResultFunc
			if opt.OnRun != nil {
				onResult = opt.OnRun(RunInfo{Scenario: sc.spec.Name, Point: label, Arm: arm, Rep: rep, Reps: reps, Planned: sc.plannedRun(opt.Quick)})
			}
			switch sc.spec.Load.Model {
			case ModelSearch:
				r, rec, err = sc.runSearch(ctx, be, p, run, duration, warmup, steps, opt.Log, name+": "+arm, onResult)
			case ModelStorm:
				r, rec, err = sc.runStorm(ctx, be, p, run, warmup > 0, opt.Quick)
			default:
				r, rec, err = sc.runArm(ctx, be, p, run, duration, warmup, nil, onResult)
			}
			var bErr *buildError
			if errors.As(err, &bErr) {
				broken[i] = bErr.err
				fmt.Fprintf(opt.Log, "%s: arm %s: %v; the other arms go on\n", name, arm, bErr.err)
				continue
			}
			if err != nil {
				return out, fmt.Errorf("scenario %s: arm %s: rep %d: %w", name, arm, rep+1, err)
			}
			r = repOutputs(r, rec)
			r.Index, r.Position = rep, position
			position++
			out.Arms[i].Reps = append(out.Arms[i].Reps, r)
			if rec != nil {
				service[i].Merge(rec.Service)
				if response[i] != nil && rec.Response != nil {
					response[i].Merge(rec.Response)
					lag[i].Merge(rec.Lag)
				}
			}
			line := fmt.Sprintf("%.0f req/s, p50 %s, p99 %s, %d dials", r.SuccessPerSec, results.Dur(r.Latency.P50), results.Dur(r.Latency.P99), r.Client.Dials)
			if r.Search != nil {
				line = fmt.Sprintf("sustains %.0f req/s; ", r.Search.MaxRate) + line
			}
			fmt.Fprintf(opt.Log, "%s: rep %d/%d: arm %s: %s\n", name, rep+1, reps, arm, line)
			if r.Interrupted {
				interrupted = true
				break runs
			}
			if at, died := be.died(); died {
				backendDied = fmt.Sprintf("the backend process died at %s (%s into the run), during arm %s rep %d", at.UTC().Format(time.TimeOnly), at.Sub(began).Round(time.Millisecond), arm, rep+1)
				fmt.Fprintf(opt.Log, "%s: %s; the figures cover what ran\n", name, backendDied)
				break runs
			}
		}
	}

	for i := range out.Arms {
		out.Arms[i].Total = total(out.Arms[i].Reps, service[i], response[i], lag[i])
		out.Arms[i].ServiceHDR = encodeHist(service[i])
		out.Arms[i].ResponseHDR = encodeHist(response[i])
	}
	analysis.Finalize(&out, sc.thresholdsAt(label))
	for i := range sc.profiles {
		if err := broken[i]; err != nil {
			out.Thresholds = append(out.Thresholds, results.ThresholdResult{Expr: "the transport builds", Arm: sc.arms[i], Point: label,
				Required: true, MeasuredText: "no transport: " + err.Error(), Note: err.Error()})
			out.Notes = append(out.Notes, fmt.Sprintf("Failed: arm `%s` did not run: %v.", sc.arms[i], err))
		}
	}
	if interrupted {
		out.Notes = append(out.Notes, "Interrupted: fewer repetitions than planned completed; the figures cover what ran.")
	}
	if backendDied != "" {
		out.Thresholds = append(out.Thresholds, results.ThresholdResult{Expr: "the backend stays up", Point: label,
			Required: true, MeasuredText: backendDied, Note: backendDied})
		out.Notes = append(out.Notes, "Failed: "+backendDied+"; its errors are counted and the figures cover what ran.")
	}
	for _, a := range out.Arms {
		for _, r := range a.Reps {
			if r.Open != nil && r.Open.Saturated {
				out.Notes = append(out.Notes, fmt.Sprintf("Invalid: the generator was saturated in repetition %d of `%s` (%s); that repetition did not offer the asked load.", r.Index+1, a.Name, r.Open.Reason))
			}
		}
	}
	if out.Stats != nil && out.Stats.Weak {
		out.Notes = append(out.Notes, fmt.Sprintf("Weak verdict: %d repetitions per arm (fewer than %d); differences are unlikely to be significant.", out.Stats.MinReps, WeakBelow))
	}
	return out, ctxErr(ctx, interrupted)
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

// runArm runs one arm-repetition on a fresh transport and returns its
// summary and recording. offer, when non-nil, replaces the scenario's open
// load (the search's probes); onResult, when non-nil, receives every
// measured result.
func (s *Plan) runArm(ctx context.Context, be *backend, p transport.Profile, run string, duration, warmup time.Duration, probe *offer, onResult ResultFunc) (results.Rep, *engine.Recording, error) {
	c0, s0 := transport.TraceStats{}, be.stats()
	inst, err := p.TryInstrument(be.tls, transport.WithCAPEM(be.caPEM))
	if err != nil {
		return results.Rep{}, nil, &buildError{err}
	}
	// vegeta never closes idle connections: the arm owns its transport and
	// closes it whatever happens, so no connection goroutine outlives the run.
	defer inst.Close()

	model := s.spec.Load.Model
	attack := engine.Attack{
		Name:        run,
		Model:       engine.Closed,
		Concurrency: s.spec.Load.Concurrency,
		MaxWorkers:  s.spec.Load.MaxWorkers,
		// Each closed-model worker carries its own trace state.
		WorkerContext: inst.Tracer.Bind,
	}
	var o offer
	if model == ModelOpen || probe != nil {
		attack.Model = engine.Open
		if probe != nil {
			o = *probe
		} else {
			o = s.spec.Load.offered(duration)
		}
		o = o.withLate()
		attack.Pacer = o.pacer
	}
	client := func(m *mixTargeter) *http.Client {
		c := *inst.Client
		c.Transport = m.wrap(inst.Client.Transport)
		return &c
	}
	if warmup > 0 {
		m, err := newMixTargeter(be.url, run+"w", s.spec.Mix, s.spec.Seed)
		if err != nil {
			return results.Rep{}, nil, err
		}
		w := attack
		w.Name, w.Duration, w.Targeter, w.Client = run+"-warmup", warmup, m.targeter(), client(m)
		if attack.Model == engine.Open {
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
	m, err := newMixTargeter(be.url, run, s.spec.Mix, s.spec.Seed)
	if err != nil {
		return results.Rep{}, nil, err
	}
	attack.Duration, attack.Targeter, attack.Client = duration, m.targeter(), client(m)
	attack.OnResult = onResult
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
	if attack.Model == engine.Open {
		sum.Open = openLoad(o, rec, duration, sum.CPUPct)
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

// prepare creates the objects that the mix's read routes and flows expect,
// stage by stage, a few requests at a time so a slow handler does not
// stretch the set-up.
func prepare(ctx context.Context, be *backend, mix []MixEntry) error {
	keys := fixtureSets(mix)
	if len(keys) == 0 {
		return nil
	}
	tr := transport.DefaultTransport(be.tls)
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	for _, k := range keys {
		for _, stage := range fixtureRequests(k) {
			if err := prepareStage(ctx, client, be.url, stage); err != nil {
				return err
			}
		}
	}
	return nil
}

func prepareStage(ctx context.Context, client *http.Client, backendURL string, todo []vegeta.Target) error {
	const workers = 8
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(todo) && errs[w] == nil; i += workers {
				errs[w] = prepareOne(ctx, client, backendURL, todo[i])
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

func prepareOne(ctx context.Context, client *http.Client, backendURL string, fixture vegeta.Target) error {
	fixture.URL = backendURL + fixture.URL
	var err error
	for attempt := 1; attempt <= prepareAttempts; attempt++ {
		var retry bool
		if retry, err = prepareAttempt(ctx, client, fixture); err == nil || !retry || ctx.Err() != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(attempt) * 50 * time.Millisecond):
		}
	}
	return err
}

// prepareAttempt sends one fixture request; retry says whether a failure
// may be transient (a transport error, 429 or 5xx).
func prepareAttempt(ctx context.Context, client *http.Client, fixture vegeta.Target) (retry bool, err error) {
	req, err := fixture.Request()
	if err != nil {
		return false, fmt.Errorf("prepare: %w", err)
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
		return true, fmt.Errorf("prepare: %s %s: %w", fixture.Method, fixture.URL, err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	// 409: the object is there already (an external backend keeps it, or
	// an attempt that failed after the mock stored it).
	if resp.StatusCode >= 300 && resp.StatusCode != http.StatusConflict {
		return resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500,
			fmt.Errorf("prepare: %s %s: status %d", fixture.Method, fixture.URL, resp.StatusCode)
	}
	return false, nil
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
	}
}

func serverConns(srv mockbackend.Stats, known bool) results.ServerConns {
	if !known {
		return results.ServerConns{}
	}
	return results.ServerConns{Known: true, Accepted: srv.ConnsAccepted, TLSHandshakes: srv.TLSHandshakes,
		TLSResumed: srv.TLSResumed, Requests: srv.Requests, Protocols: srv.Protocols, ConnsPeak: srv.ConnsPeak}
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
