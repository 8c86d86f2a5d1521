// Package engine offers load and records every result into HdrHistograms
// and counters, so memory stays flat however many requests run. In a run's
// data flow (Spec -> Plan -> runner -> engine -> results -> analysis ->
// render) it sits between the scenario runner, which hands it a client and
// the requests, and the result model the runner fills from its Recording. Both models run
// lean worker loops of its own (closed.go); the open model paces arrivals
// with vegeta's pacers.
//
// The engine schedules and records; it knows nothing of transports, scenarios
// or backends: the caller hands in an *http.Client and a vegeta.Targeter.
package engine

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/oranbench/oranbench/reports/results"
)

// Model is how load is offered: the load model name scenarios and reports
// share (results.Model). The engine runs the two it schedules itself, Closed
// and Open; the other models are built from these by scenarios.
type Model = results.Model

const (
	// Closed keeps a fixed number of requests in flight (Concurrency workers,
	// each sending its next request when the previous one returns). It measures
	// the highest req/s at that concurrency.
	Closed = results.ModelClosed
	// Open sends requests at an arrival rate whatever the responses do, so a
	// stall shows up as queueing delay (coordinated omission is not hidden).
	Open = results.ModelOpen
)

// Defaults used by Attack.Normalize.
const (
	DefaultRequestTimeout = 30 * time.Second
	DefaultMaxWorkers     = 10000
	// DefaultMaxHits bounds every attack in count even when the duration is long.
	DefaultMaxHits = 50_000_000
)

// Attack describes one measured run of one arm.
type Attack struct {
	// Name is stamped on the results handed to OnResult.
	Name string
	// Targeter yields the requests; it is called concurrently by the workers.
	Targeter vegeta.Targeter
	// Client carries the arm's transport. The engine never mutates it.
	Client *http.Client
	// Model selects closed (Concurrency) or open (Pacer) load.
	Model Model
	// Concurrency is the number of workers of the closed model.
	Concurrency int
	// Pacer is the arrival rate of the open model (vegeta.Rate, LinearPacer, SinePacer).
	Pacer vegeta.Pacer
	// Workers is the initial worker count of the open model; MaxWorkers caps it.
	Workers, MaxWorkers uint64
	// Duration bounds the attack in time; MaxHits bounds it in count.
	Duration time.Duration
	MaxHits  uint64
	// CancelAtEnd cancels the requests still in flight when Duration runs
	// out, so the attack ends then whatever the target does; they are
	// counted in Recording.Cancelled. Without it they complete (each
	// bounded by the request timeout) and are counted, as vegeta does.
	CancelAtEnd bool
	// RequestTimeout bounds each request when the client itself has no timeout
	// (http.DefaultClient semantics), so a hung backend cannot hang the attack.
	// Either way the engine enforces the timeout through each request's
	// context, not through http.Client.Timeout: on a RoundTripper that
	// net/http does not know, such as a tracing wrapper, Client.Timeout
	// costs two goroutines, a channel and a timer per request.
	RequestTimeout time.Duration
	// MaxBody caps the bytes of each response body kept for OnResult (the
	// rest is drained so the connection is reused). Negative keeps
	// everything.
	MaxBody int64
	// OnResult, when set, receives every result after it is recorded, one
	// call at a time: it must be quick (a slow sink holds the workers back)
	// and must not keep res.
	OnResult func(res *vegeta.Result)
	// WorkerContext, when set, derives the context of a worker's requests
	// (closed and open model alike) from the attack's: once when the worker
	// starts and again after each request that failed. It lets per-request
	// state that a worker can reuse, such as transport.Tracer.Bind's trace,
	// be attached once per worker instead of once per request.
	WorkerContext func(ctx context.Context) context.Context
}

// Normalize fills defaults and checks the attack; it returns a copy.
func (a Attack) Normalize() (Attack, error) {
	if a.Targeter == nil {
		return a, errors.New("attack: no targeter")
	}
	if a.Client == nil {
		return a, errors.New("attack: no client")
	}
	if a.Duration <= 0 {
		return a, fmt.Errorf("attack: duration %v: must be > 0", a.Duration)
	}
	if a.MaxHits == 0 {
		a.MaxHits = DefaultMaxHits
	}
	if a.RequestTimeout <= 0 {
		a.RequestTimeout = DefaultRequestTimeout
	}
	if a.MaxBody == 0 {
		a.MaxBody = 64 << 10
	}
	switch a.Model {
	case Closed:
		if a.Concurrency <= 0 {
			return a, fmt.Errorf("attack: closed model: concurrency %d: must be > 0", a.Concurrency)
		}
	case Open:
		if a.Pacer == nil {
			return a, errors.New("attack: open model: no pacer (rate)")
		}
		if err := checkPacer(a.Pacer); err != nil {
			return a, err
		}
		if a.MaxWorkers == 0 {
			a.MaxWorkers = DefaultMaxWorkers
		}
		if a.Workers == 0 {
			a.Workers = vegeta.DefaultWorkers
		}
		if a.Workers > a.MaxWorkers {
			a.Workers = a.MaxWorkers
		}
	default:
		return a, fmt.Errorf("attack: model %q: valid models are %q and %q", a.Model, Closed, Open)
	}
	return a, nil
}

// Run executes the attack and returns its recording. It returns when the
// duration or hit count is reached, or ctx is cancelled (the recording then
// holds what completed, and Interrupted is set; requests cut off in flight
// are counted in Cancelled, not as errors). Run starts no goroutine that
// outlives it.
func Run(ctx context.Context, a Attack) (*Recording, error) {
	a, err := a.Normalize()
	if err != nil {
		return nil, err
	}

	// A copy of the client: the caller's is never mutated. Requests carry ctx so
	// cancelling the run cancels requests in flight too.
	client := *a.Client
	if client.Timeout > 0 {
		a.RequestTimeout = client.Timeout
	}
	client.Timeout = 0 // enforced per request by hit, as net/http does for its own transports
	next := client.Transport
	if next == nil {
		next = http.DefaultTransport
	}

	rec := NewRecording(a.Model == Open)
	rec.Began = time.Now()
	rec.series = newSeries(a.Duration)
	// Redirects are answers to measure, not to follow (as vegeta.NoFollow).
	// Requests are built with ctx, so cancelling the run cancels requests in
	// flight too.
	client.Transport = next
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	runCtx := ctx
	if a.CancelAtEnd {
		var cancel context.CancelFunc
		runCtx, cancel = context.WithDeadline(ctx, rec.Began.Add(a.Duration))
		defer cancel()
	}
	if a.Model == Closed {
		runClosed(runCtx, a, &client, rec)
	} else {
		runOpen(runCtx, a, &client, rec)
	}
	rec.finish(ctx.Err() != nil)
	return rec, nil
}
