package scenarios

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/oranbench/oranbench/internal/engine"
	"github.com/oranbench/oranbench/mockbackend"
	"github.com/oranbench/oranbench/reports"
	"github.com/oranbench/oranbench/targets/transport"
)

// Options tune how a scenario runs.
type Options struct {
	// Quick uses the scenario's shorter quick settings.
	Quick bool
	// Registry resolves arm names of scenarios built without Parse; nil
	// means the built-in profiles.
	Registry *transport.Registry
	// Log receives one line per step (nil discards).
	Log io.Writer
	// AllowRemote lets backend.target point outside loopback.
	AllowRemote bool
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
// which the process used more than SaturatedCPUPct of all cores, had a
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
func Run(ctx context.Context, s *Scenario, opt Options) (reports.Scenario, error) {
	if opt.Log == nil {
		opt.Log = io.Discard
	}
	for _, line := range s.resolveRenamed() {
		fmt.Fprintln(opt.Log, line)
	}
	if err := s.CheckTarget(opt.AllowRemote); err != nil {
		return reports.Scenario{}, err
	}
	if err := s.CheckLimits(opt.Quick); err != nil {
		return reports.Scenario{}, err
	}
	if len(s.profiles) != len(s.Arms) {
		reg := opt.Registry
		if reg == nil {
			reg = transport.NewRegistry()
		}
		s.profiles = s.profiles[:0]
		for _, name := range s.Arms {
			p, err := reg.Lookup(name)
			if err != nil {
				return reports.Scenario{}, fmt.Errorf("scenario %s: arm %s: %w", s.Name, name, err)
			}
			s.profiles = append(s.profiles, p)
		}
	}
	sw := s.effectiveSweep(opt.Quick)
	if sw == nil {
		return runPoint(ctx, s, opt, "")
	}
	return s.runSweep(ctx, sw, opt)
}

// runSweep runs one full point per combination of the sweep's values.
func (s *Scenario) runSweep(ctx context.Context, sw *Sweep, opt Options) (reports.Scenario, error) {
	params := sw.params()
	duration, warmup, reps := s.Effective(opt.Quick)
	out := reports.Scenario{
		Name:        s.Name,
		Description: strings.TrimSpace(s.Description),
		Conditions:  s.conditions(duration, warmup, reps),
		Sweep:       &reports.Sweep{},
		ClaimArms:   s.claimArms(),
	}
	for _, p := range params {
		out.Sweep.Params = append(out.Sweep.Params, p.name)
	}
	idx := make([]int, len(params))
	for {
		pt := *s
		var values, labels []string
		for i, p := range params {
			p.apply[idx[i]](&pt)
			values = append(values, p.values[idx[i]])
			labels = append(labels, p.name+"="+p.values[idx[i]])
		}
		label := strings.Join(labels, " ")
		res, err := runPoint(ctx, &pt, opt, label)
		if len(res.Arms) > 0 {
			out.Sweep.Points = append(out.Sweep.Points, reports.SweepPoint{Values: values, Result: res})
			for _, t := range res.Thresholds {
				t.Point = label
				out.Thresholds = append(out.Thresholds, t)
			}
		}
		if err != nil {
			if ctx.Err() != nil {
				out.Notes = append(out.Notes, "Interrupted: not every sweep point ran; the matrix shows what completed.")
			}
			return out, err
		}
		// Next combination, last parameter fastest.
		i := len(idx) - 1
		for ; i >= 0; i-- {
			idx[i]++
			if idx[i] < len(params[i].values) {
				break
			}
			idx[i] = 0
		}
		if i < 0 {
			return out, nil
		}
	}
}

// runPoint runs sc (a scenario, or a sweep point's copy of it) with all its
// arms and repetitions against one backend.
func runPoint(ctx context.Context, sc *Scenario, opt Options, label string) (reports.Scenario, error) {
	duration, warmup, reps := sc.Effective(opt.Quick)
	name := sc.Name
	if label != "" {
		name += " [" + label + "]"
	}
	be, err := sc.startBackend()
	if err != nil {
		return reports.Scenario{}, fmt.Errorf("scenario %s: start backend: %w", name, err)
	}
	defer be.Close()
	if err := prepare(ctx, be, sc.Mix); err != nil {
		return reports.Scenario{}, fmt.Errorf("scenario %s: %w", name, err)
	}

	out := reports.Scenario{
		Name:        sc.Name,
		Description: strings.TrimSpace(sc.Description),
		Conditions:  sc.conditions(duration, warmup, reps),
		Arms:        make([]reports.Arm, len(sc.profiles)),
		Setup:       sc.measureSetup(ctx, be),
		ClaimArms:   sc.claimArms(),
	}
	service := make([]*hdrhistogram.Histogram, len(sc.profiles))
	response := make([]*hdrhistogram.Histogram, len(sc.profiles))
	lag := make([]*hdrhistogram.Histogram, len(sc.profiles))
	open := sc.Load.Model == ModelOpen || sc.Load.Model == ModelSearch
	for i, p := range sc.profiles {
		out.Arms[i] = reports.Arm{Name: sc.Arms[i], Profile: p.Name, Description: p.Description, Settings: settings(p)}
		service[i] = engine.NewHistogram()
		if open {
			response[i], lag[i] = engine.NewHistogram(), engine.NewHistogram()
		}
	}

	position := 0
	interrupted := false
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
			arm := sc.Arms[i]
			measured := duration.String() + " measured"
			if sc.Load.Model == ModelStorm {
				measured = "measured until the storm is processed"
			}
			fmt.Fprintf(opt.Log, "%s: rep %d/%d: arm %s: %s warm-up, %s\n", name, rep+1, reps, arm, warmup, measured)
			run := fmt.Sprintf("%s-r%d", arm, rep)
			var (
				r   reports.Rep
				rec *engine.Recording
			)
			sc.onResult = nil
			if opt.OnRun != nil {
				sc.onResult = opt.OnRun(RunInfo{Scenario: sc.Name, Point: label, Arm: arm, Rep: rep, Reps: reps, Planned: sc.plannedRun(opt.Quick)})
			}
			switch sc.Load.Model {
			case ModelSearch:
				r, rec, err = sc.runSearch(ctx, be, p, run, duration, warmup, steps, opt.Log, name+": "+arm)
			case ModelStorm:
				r, rec, err = sc.runStorm(ctx, be, p, run, warmup > 0, opt.Quick)
			default:
				r, rec, err = sc.runArm(ctx, be, p, run, duration, warmup, nil)
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
			line := fmt.Sprintf("%.0f req/s, p50 %s, p99 %s, %d dials", r.SuccessPerSec, reports.Dur(r.Latency.P50), reports.Dur(r.Latency.P99), r.Client.Dials)
			if r.Search != nil {
				line = fmt.Sprintf("sustains %.0f req/s; ", r.Search.MaxRate) + line
			}
			fmt.Fprintf(opt.Log, "%s: rep %d/%d: arm %s: %s\n", name, rep+1, reps, arm, line)
			if r.Interrupted {
				interrupted = true
				break runs
			}
		}
	}

	for i := range out.Arms {
		out.Arms[i].Total = total(out.Arms[i].Reps, service[i], response[i], lag[i])
		out.Arms[i].ServiceHDR = encodeHist(service[i])
		out.Arms[i].ResponseHDR = encodeHist(response[i])
	}
	for i := 1; i < len(out.Arms); i++ {
		out.Ratios = append(out.Ratios, reports.NewRatio(out.Arms[i], out.Arms[0]))
	}
	out.Stats = reports.ComputeStats(out)
	out.Thresholds = reports.EvaluateThresholds(out, sc.thresholdsAt(label))
	for i := range sc.profiles {
		if err := broken[i]; err != nil {
			out.Thresholds = append(out.Thresholds, reports.ThresholdResult{Expr: "the transport builds", Arm: sc.Arms[i], Point: label,
				Required: true, MeasuredText: "no transport: " + err.Error(), Note: err.Error()})
			out.Notes = append(out.Notes, fmt.Sprintf("Failed: arm `%s` did not run: %v.", sc.Arms[i], err))
		}
	}
	if interrupted {
		out.Notes = append(out.Notes, "Interrupted: fewer repetitions than planned completed; the figures cover what ran.")
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
// load (the search's probes).
func (s *Scenario) runArm(ctx context.Context, be *backend, p transport.Profile, run string, duration, warmup time.Duration, probe *offer) (reports.Rep, *engine.Recording, error) {
	c0, s0 := transport.TraceStats{}, be.stats()
	inst, err := p.TryInstrument(be.tls)
	if err != nil {
		return reports.Rep{}, nil, &buildError{err}
	}
	// vegeta never closes idle connections: the arm owns its transport and
	// closes it whatever happens, so no connection goroutine outlives the run.
	defer inst.Close()

	model := s.Load.Model
	attack := engine.Attack{
		Name:        run,
		Model:       engine.Closed,
		Concurrency: s.Load.Concurrency,
		MaxWorkers:  s.Load.MaxWorkers,
	}
	var o offer
	if model == ModelOpen || probe != nil {
		attack.Model = engine.Open
		if probe != nil {
			o = *probe
		} else {
			o = s.Load.offered(duration)
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
		m, err := newMixTargeter(be.url, run+"w", s.Mix, s.Seed)
		if err != nil {
			return reports.Rep{}, nil, err
		}
		w := attack
		w.Name, w.Duration, w.Targeter, w.Client = run+"-warmup", warmup, m.targeter(), client(m)
		if attack.Model == engine.Open {
			// The warm-up's offered load starts over: a ramp warms up at its start.
			w.Pacer = o.pacer
		}
		if _, err := engine.Run(ctx, w); err != nil {
			return reports.Rep{}, nil, fmt.Errorf("warm-up: %w", err)
		}
	}
	settle(inst.Tracer, be, c0, s0)
	inst.Tracer.ResetConnWaits()
	be.resetPeak()
	tw := be.startTimeWait()
	clientBefore, serverBefore := inst.Tracer.Stats(), be.stats()
	m, err := newMixTargeter(be.url, run, s.Mix, s.Seed)
	if err != nil {
		return reports.Rep{}, nil, err
	}
	attack.Duration, attack.Targeter, attack.Client = duration, m.targeter(), client(m)
	attack.OnResult = s.onResult
	cpu0 := cpuTime()
	rec, err := engine.Run(ctx, attack)
	if err != nil {
		return reports.Rep{}, nil, err
	}
	cpu := cpuTime() - cpu0
	settle(inst.Tracer, be, c0, s0)
	c, srv := inst.Tracer.Stats().Sub(clientBefore), be.stats().Sub(serverBefore)
	sum := summarize(rec, c, srv, be.srv != nil)
	sum.Client.TimeWait = tw.count()
	waits := inst.Tracer.ConnWaits()
	if waits.TotalCount() > 0 {
		sum.Client.ConnWaitP99 = time.Duration(waits.ValueAtQuantile(99)) * time.Microsecond
		sum.Client.ConnWaitHDR = encodeHist(waits)
	}
	if rec.Wall > 0 {
		sum.CPUPct = 100 * cpu.Seconds() / rec.Wall.Seconds() / float64(numCPU())
	}
	if attack.Model == engine.Open {
		sum.Open = openLoad(o, rec, duration, sum.CPUPct)
	}
	return reports.Rep{Summary: sum}, rec, nil
}

// openLoad compares what the pacer asked for with what was sent.
func openLoad(o offer, rec *engine.Recording, duration time.Duration, cpuPct float64) *reports.OpenLoad {
	ol := &reports.OpenLoad{
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
		why = append(why, fmt.Sprintf("sent %s of the asked hits", reports.Pct(ol.AchievedPct)))
	}
	if p90 := engine.Quantile(rec.Lag, 90); p90 > ol.LateAfter {
		why = append(why, "send lag p90 "+reports.Dur(p90))
	}
	if cpuPct >= SaturatedCPUPct {
		why = append(why, fmt.Sprintf("CPU at %s of all cores", reports.Pct(cpuPct)))
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
	if be.srv == nil {
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
	return errors.Join(errs...)
}

func prepareOne(ctx context.Context, client *http.Client, backendURL string, fixture vegeta.Target) error {
	fixture.URL = backendURL + fixture.URL
	req, err := fixture.Request()
	if err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	resp, err := client.Do(req.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("prepare: %s %s: %w", fixture.Method, fixture.URL, err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	// 409: the object is there already (an external backend keeps it).
	if resp.StatusCode >= 300 && resp.StatusCode != http.StatusConflict {
		return fmt.Errorf("prepare: %s %s: status %d", fixture.Method, fixture.URL, resp.StatusCode)
	}
	return nil
}

func settings(p transport.Profile) map[string]string {
	if p.Custom() {
		// A FromFunc factory: its fields are its own; never build it just to
		// describe it (a builder may have side effects, or panic).
		return map[string]string{"Transport": "custom", "ClientTimeout": p.ClientTimeout().String()}
	}
	rt := p.NewTransport(nil)
	defer transport.CloseIdle(rt)
	tr, ok := rt.(*http.Transport)
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
	return m
}

func clientConns(c transport.TraceStats) reports.ClientConns {
	return reports.ClientConns{
		Dials: c.Dials, DialErrors: c.DialErrors, Reused: c.ConnsReused, New: c.ConnsNew, WasIdle: c.ConnsWasIdle,
		ReusePct: c.ReusePercent(), TLSHandshakes: c.TLSHandshakes, TLSResumed: c.TLSResumed, TLSErrors: c.TLSErrors,
		ConnWaitMean: c.MeanConnWait(), ConnWaitMax: c.ConnWaitMax, TTFBMean: c.MeanTTFB(),
		IdleReturned: c.IdleReturned, IdleRejected: c.IdleRejected, Protocols: c.Protocols,
	}
}

func serverConns(srv mockbackend.Stats, known bool) reports.ServerConns {
	if !known {
		return reports.ServerConns{}
	}
	return reports.ServerConns{Known: true, Accepted: srv.ConnsAccepted, TLSHandshakes: srv.TLSHandshakes,
		TLSResumed: srv.TLSResumed, Requests: srv.Requests, Protocols: srv.Protocols, ConnsPeak: srv.ConnsPeak}
}

func summarize(rec *engine.Recording, c transport.TraceStats, srv mockbackend.Stats, known bool) reports.Summary {
	s := reports.Summary{
		Requests:      rec.Hits,
		Successes:     rec.Successes,
		SuccessPct:    100 * rec.SuccessRatio(),
		ReqPerSec:     rec.ReqPerSec(),
		SuccessPerSec: rec.SuccessPerSec(),
		Wall:          rec.Wall,
		Latency:       reports.HDRPercentiles(rec.Service),
		Codes:         map[string]int64{},
		Errors:        map[string]int64{},
		OtherErrors:   rec.OtherErrors,
		BytesIn:       rec.BytesIn,
		BytesOut:      rec.BytesOut,
		Interrupted:   rec.Interrupted,
		Client:        clientConns(c),
		Server:        serverConns(srv, known),
	}
	for code, n := range rec.Codes {
		s.Codes[strconv.Itoa(int(code))] = n
	}
	for text, n := range rec.Errors {
		s.Errors[text] = n
	}
	if rec.Response != nil {
		r, l := reports.HDRPercentiles(rec.Response), reports.HDRPercentiles(rec.Lag)
		s.Response, s.Lag = &r, &l
	}
	return s
}

// total merges an arm's repetitions (reports.ArmTotal); the lag comes from
// the arm's merged lag histogram rather than the worst repetition.
func total(reps []reports.Rep, service, response, lag *hdrhistogram.Histogram) reports.Summary {
	t := reports.ArmTotal(reps, service, response)
	if t.Response != nil {
		l := reports.HDRPercentiles(lag)
		t.Lag = &l
		if t.Open != nil {
			t.Open.LagP99 = l.P99
		}
	}
	return t
}

// encodeHist is reports.EncodeHDR for the report model: "" when h is empty or
// cannot be encoded.
func encodeHist(h *hdrhistogram.Histogram) string {
	s, _ := reports.EncodeHDR(h)
	return s
}
