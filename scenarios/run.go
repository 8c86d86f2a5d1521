package scenarios

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
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
	// Registry resolves arm names; nil means the built-in profiles.
	Registry *transport.Registry
	// Log receives one line per step (nil discards).
	Log io.Writer
}

// Run executes s: it starts the mock backend, prepares the objects the mix
// reads, then for each repetition runs every arm in turn (A B A B ...) so
// drift of the machine hits all arms alike. Each arm-repetition gets a fresh
// transport, an uncounted warm-up, a measured attack, and its idle
// connections closed afterwards. A cancelled ctx stops the run early; the
// returned result then holds what completed and is marked interrupted.
func Run(ctx context.Context, s *Scenario, opt Options) (reports.Scenario, error) {
	reg := opt.Registry
	if reg == nil {
		reg = transport.NewRegistry()
	}
	log := opt.Log
	if log == nil {
		log = io.Discard
	}
	duration, warmup, reps := s.Effective(opt.Quick)

	profiles := make([]transport.Profile, len(s.Arms))
	for i, name := range s.Arms {
		p, err := reg.Lookup(name)
		if err != nil {
			return reports.Scenario{}, fmt.Errorf("scenario %s: arm %s: %w", s.Name, name, err)
		}
		profiles[i] = p
	}

	srv, err := mockbackend.Start(mockbackend.Config{TLS: s.Backend.TLS, Latency: s.Backend.Latency.Duration})
	if err != nil {
		return reports.Scenario{}, fmt.Errorf("scenario %s: start mock backend: %w", s.Name, err)
	}
	defer srv.Close()
	tlsConf := srv.ClientTLSConfig()

	if err := prepare(ctx, srv.URL(), tlsConf, s.Mix); err != nil {
		return reports.Scenario{}, fmt.Errorf("scenario %s: %w", s.Name, err)
	}

	out := reports.Scenario{
		Name:        s.Name,
		Description: strings.TrimSpace(s.Description),
		Conditions:  s.conditions(duration, warmup, reps),
		Arms:        make([]reports.Arm, len(profiles)),
	}
	service := make([]*hdrhistogram.Histogram, len(profiles))
	response := make([]*hdrhistogram.Histogram, len(profiles))
	lag := make([]*hdrhistogram.Histogram, len(profiles))
	for i, p := range profiles {
		out.Arms[i] = reports.Arm{Name: s.Arms[i], Profile: p.Name, Description: p.Description, Settings: settings(p)}
		service[i] = engine.NewHistogram()
		if s.Load.Model == string(engine.Open) {
			response[i], lag[i] = engine.NewHistogram(), engine.NewHistogram()
		}
	}

	position := 0
	interrupted := false
runs:
	for rep := 0; rep < reps; rep++ {
		for i, p := range profiles {
			if ctx.Err() != nil {
				interrupted = true
				break runs
			}
			fmt.Fprintf(log, "%s: rep %d/%d: arm %s: %s warm-up, %s measured\n", s.Name, rep+1, reps, s.Arms[i], warmup, duration)
			r, rec, err := s.runArm(ctx, srv, tlsConf, p, fmt.Sprintf("%s-r%d", s.Arms[i], rep), duration, warmup)
			if err != nil {
				return out, fmt.Errorf("scenario %s: arm %s: rep %d: %w", s.Name, s.Arms[i], rep+1, err)
			}
			r.Index, r.Position = rep, position
			position++
			out.Arms[i].Reps = append(out.Arms[i].Reps, r)
			service[i].Merge(rec.Service)
			if response[i] != nil {
				response[i].Merge(rec.Response)
				lag[i].Merge(rec.Lag)
			}
			fmt.Fprintf(log, "%s: rep %d/%d: arm %s: %.0f req/s, p50 %s, p99 %s, %d dials\n", s.Name, rep+1, reps, s.Arms[i],
				r.SuccessPerSec, reports.Dur(r.Latency.P50), reports.Dur(r.Latency.P99), r.Client.Dials)
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
	if interrupted {
		out.Notes = append(out.Notes, "Interrupted: fewer repetitions than planned completed; the figures cover what ran.")
	}
	if !s.Backend.TLS && s.Load.Model == "closed" {
		// nothing to add: plain HTTP has no handshakes to explain.
	}
	return out, ctxErr(ctx, interrupted)
}

func ctxErr(ctx context.Context, interrupted bool) error {
	if interrupted {
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}

// runArm runs one arm-repetition on a fresh transport and returns its
// summary and recording.
func (s *Scenario) runArm(ctx context.Context, srv *mockbackend.Server, tlsConf *tls.Config, p transport.Profile, run string, duration, warmup time.Duration) (reports.Rep, *engine.Recording, error) {
	c0, s0 := transport.TraceStats{}, srv.Stats()
	inst := p.Instrument(tlsConf)
	// vegeta never closes idle connections: the arm owns its transport and
	// closes it whatever happens, so no connection goroutine outlives the run.
	defer inst.Close()

	attack := engine.Attack{
		Name:        run,
		Client:      inst.Client,
		Model:       engine.Model(s.Load.Model),
		Concurrency: s.Load.Concurrency,
		MaxWorkers:  s.Load.MaxWorkers,
	}
	if attack.Model == engine.Open {
		attack.Pacer = ratePacer(s.Load.Rate)
	}
	if warmup > 0 {
		w := attack
		w.Name, w.Duration = run+"-warmup", warmup
		w.Targeter = newMixTargeter(srv.URL(), run+"w", s.Mix, s.Seed).targeter()
		if _, err := engine.Run(ctx, w); err != nil {
			return reports.Rep{}, nil, fmt.Errorf("warm-up: %w", err)
		}
	}
	settle(inst.Tracer, srv, c0, s0, s.Backend.TLS)
	clientBefore, serverBefore := inst.Tracer.Stats(), srv.Stats()
	attack.Duration = duration
	attack.Targeter = newMixTargeter(srv.URL(), run, s.Mix, s.Seed).targeter()
	rec, err := engine.Run(ctx, attack)
	if err != nil {
		return reports.Rep{}, nil, err
	}
	settle(inst.Tracer, srv, c0, s0, s.Backend.TLS)
	client, server := inst.Tracer.Stats().Sub(clientBefore), srv.Stats().Sub(serverBefore)
	return reports.Rep{Summary: summarize(rec, client, server)}, rec, nil
}

// settle waits, briefly and boundedly, until the dials and handshakes the
// client made since c0/s0 were taken are also counted by the server and every
// finished dial has finished its handshake, so that work started before an
// attack ended is counted in the window that caused it and client and server
// agree.
func settle(tr *transport.Tracer, srv *mockbackend.Server, c0 transport.TraceStats, s0 mockbackend.Stats, useTLS bool) {
	const step, limit = 5 * time.Millisecond, time.Second
	for waited := time.Duration(0); waited < limit; waited += step {
		c, s := tr.Stats().Sub(c0), srv.Stats().Sub(s0)
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

// ratePacer turns a rate in requests per second into vegeta's constant pacer,
// keeping fractional rates exact to the millisecond.
func ratePacer(perSec float64) vegeta.Pacer {
	if perSec == float64(int(perSec)) {
		return vegeta.Rate{Freq: int(perSec), Per: time.Second}
	}
	return vegeta.Rate{Freq: int(perSec * 1000), Per: 1000 * time.Second}
}

// prepare creates the objects that the mix's read routes expect, a few
// requests at a time so a slow handler does not stretch the set-up.
func prepare(ctx context.Context, base string, tlsConf *tls.Config, mix []MixEntry) error {
	tr := transport.DefaultProfile().NewTransport(tlsConf)
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	var todo []vegeta.Target
	seen := map[string]bool{}
	for _, m := range mix {
		r := routes[m.Route]
		if r.Prepare == nil || seen[r.Name] {
			continue
		}
		seen[r.Name] = true
		todo = append(todo, r.Prepare()...)
	}
	const workers = 8
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(todo) && errs[w] == nil; i += workers {
				errs[w] = prepareOne(ctx, client, base, todo[i])
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func prepareOne(ctx context.Context, client *http.Client, base string, t vegeta.Target) error {
	t.URL = base + t.URL
	req, err := t.Request()
	if err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	resp, err := client.Do(req.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("prepare: %s %s: %w", t.Method, t.URL, err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("prepare: %s %s: status %d", t.Method, t.URL, resp.StatusCode)
	}
	return nil
}

func (s *Scenario) conditions(duration, warmup time.Duration, reps int) reports.Conditions {
	c := reports.Conditions{
		TLS:            s.Backend.TLS,
		HandlerLatency: s.Backend.Latency.Duration,
		Model:          s.Load.Model,
		Concurrency:    s.Load.Concurrency,
		RatePerSec:     s.Load.Rate,
		Duration:       duration,
		Warmup:         warmup,
		Repetitions:    reps,
	}
	if s.Load.Model == "open" {
		c.Concurrency = 0
	} else {
		c.RatePerSec = 0
	}
	for _, m := range s.Mix {
		c.Routes = append(c.Routes, fmt.Sprintf("%s ×%d", m.Route, m.Weight))
	}
	letters := "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	for rep := 0; rep < min(reps, 2); rep++ {
		for i := range s.Arms {
			c.Order = append(c.Order, string(letters[i%len(letters)]))
		}
	}
	if reps > 2 {
		c.Order = append(c.Order, "…")
	}
	for i, a := range s.Arms {
		c.Order = append(c.Order, fmt.Sprintf("(%c=%s)", letters[i%len(letters)], a))
	}
	return c
}

func settings(p transport.Profile) map[string]string {
	tr := p.NewTransport(nil)
	defer tr.CloseIdleConnections()
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
	return m
}

func summarize(rec *engine.Recording, c transport.TraceStats, srv mockbackend.Stats) reports.Summary {
	s := reports.Summary{
		Requests:      rec.Hits,
		Successes:     rec.Successes,
		SuccessPct:    100 * rec.SuccessRatio(),
		ReqPerSec:     rec.ReqPerSec(),
		SuccessPerSec: rec.SuccessPerSec(),
		Wall:          rec.Wall,
		Latency:       percentiles(rec.Service),
		Codes:         map[string]int64{},
		Errors:        map[string]int64{},
		OtherErrors:   rec.OtherErrors,
		BytesIn:       rec.BytesIn,
		BytesOut:      rec.BytesOut,
		Interrupted:   rec.Interrupted,
		Client: reports.ClientConns{
			Dials: c.Dials, DialErrors: c.DialErrors, Reused: c.ConnsReused, New: c.ConnsNew, WasIdle: c.ConnsWasIdle,
			ReusePct: c.ReusePercent(), TLSHandshakes: c.TLSHandshakes, TLSResumed: c.TLSResumed, TLSErrors: c.TLSErrors,
			ConnWaitMean: c.MeanConnWait(), ConnWaitMax: c.ConnWaitMax, TTFBMean: c.MeanTTFB(),
		},
		Server: reports.ServerConns{
			Known: true, Accepted: srv.ConnsAccepted, TLSHandshakes: srv.TLSHandshakes,
			TLSResumed: srv.TLSResumed, Requests: srv.Requests,
		},
	}
	for code, n := range rec.Codes {
		s.Codes[strconv.Itoa(int(code))] = n
	}
	for text, n := range rec.Errors {
		s.Errors[text] = n
	}
	if rec.Response != nil {
		r, l := percentiles(rec.Response), percentiles(rec.Lag)
		s.Response, s.Lag = &r, &l
	}
	return s
}

// total merges an arm's repetitions: counts add up, percentiles come from
// the merged histograms, and rates are the median of the repetitions (a rate
// is per repetition; summing would double it).
func total(reps []reports.Rep, service, response, lag *hdrhistogram.Histogram) reports.Summary {
	t := reports.Summary{Codes: map[string]int64{}, Errors: map[string]int64{}, Latency: percentiles(service)}
	var rates, succRates []float64
	var waitSum time.Duration
	var waitN int64
	var ttfbSum time.Duration
	for _, r := range reps {
		t.Requests += r.Requests
		t.Successes += r.Successes
		t.Wall += r.Wall
		t.BytesIn += r.BytesIn
		t.BytesOut += r.BytesOut
		t.OtherErrors += r.OtherErrors
		t.Interrupted = t.Interrupted || r.Interrupted
		for k, v := range r.Codes {
			t.Codes[k] += v
		}
		for k, v := range r.Errors {
			t.Errors[k] += v
		}
		c := &t.Client
		c.Dials += r.Client.Dials
		c.DialErrors += r.Client.DialErrors
		c.Reused += r.Client.Reused
		c.New += r.Client.New
		c.WasIdle += r.Client.WasIdle
		c.TLSHandshakes += r.Client.TLSHandshakes
		c.TLSResumed += r.Client.TLSResumed
		c.TLSErrors += r.Client.TLSErrors
		c.ConnWaitMax = max(c.ConnWaitMax, r.Client.ConnWaitMax)
		n := r.Client.Reused + r.Client.New
		waitSum += r.Client.ConnWaitMean * time.Duration(n)
		ttfbSum += r.Client.TTFBMean * time.Duration(n)
		waitN += n
		t.Server.Known = r.Server.Known
		t.Server.Accepted += r.Server.Accepted
		t.Server.TLSHandshakes += r.Server.TLSHandshakes
		t.Server.TLSResumed += r.Server.TLSResumed
		t.Server.Requests += r.Server.Requests
		rates = append(rates, r.ReqPerSec)
		succRates = append(succRates, r.SuccessPerSec)
	}
	if t.Requests > 0 {
		t.SuccessPct = 100 * float64(t.Successes) / float64(t.Requests)
	}
	if n := t.Client.Reused + t.Client.New; n > 0 {
		t.Client.ReusePct = 100 * float64(t.Client.Reused) / float64(n)
	}
	if waitN > 0 {
		t.Client.ConnWaitMean = waitSum / time.Duration(waitN)
		t.Client.TTFBMean = ttfbSum / time.Duration(waitN)
	}
	t.ReqPerSec, t.SuccessPerSec = median(rates), median(succRates)
	if response != nil {
		r, l := percentiles(response), percentiles(lag)
		t.Response, t.Lag = &r, &l
	}
	return t
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// Percentiles reads the report's percentiles from an engine histogram
// (microsecond values).
func Percentiles(h *hdrhistogram.Histogram) reports.Percentiles { return percentiles(h) }

func percentiles(h *hdrhistogram.Histogram) reports.Percentiles {
	if h == nil || h.TotalCount() == 0 {
		return reports.Percentiles{}
	}
	return reports.Percentiles{
		P50:  engine.Quantile(h, 50),
		P90:  engine.Quantile(h, 90),
		P95:  engine.Quantile(h, 95),
		P99:  engine.Quantile(h, 99),
		P999: engine.Quantile(h, 99.9),
		Max:  time.Duration(h.Max()) * time.Microsecond,
		Mean: time.Duration(h.Mean() * float64(time.Microsecond)),
	}
}

func encodeHist(h *hdrhistogram.Histogram) string {
	if h == nil || h.TotalCount() == 0 {
		return ""
	}
	b, err := h.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
	if err != nil {
		return ""
	}
	return base64.StdEncoding.EncodeToString(b)
}
