package scenarios

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"time"

	"github.com/oranbench/oranbench/internal/engine"
	"github.com/oranbench/oranbench/targets/transport"
)

// Generator self-check. Before the first arm of a closed-model run, the
// same engine, the same request mix and the same tracing run against a
// transport that answers from memory at once: the req/s it reaches is the
// harness's own ceiling on this machine, at this concurrency, on the
// generator's CPUs. An arm that reaches more than GeneratorBoundPct of it
// measured the generator as much as its transport, and its ratio is a lower
// bound.
const (
	GeneratorBoundPct = 70
	ceilingDuration   = 400 * time.Millisecond
)

// instantTransport answers every request from memory, at once.
type instantTransport struct{}

var instantBody = []byte(`{"ok":true}`)

func (instantTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = r.Body.Close()
	}
	return &http.Response{
		Status: "200 OK", StatusCode: http.StatusOK, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(bytes.NewReader(instantBody)),
		ContentLength: int64(len(instantBody)), Request: r,
	}, nil
}

// generatorCeiling measures the closed model's ceiling (req/s) for this
// point; 0 when the load is not a closed model or the measurement failed.
func generatorCeiling(ctx context.Context, p *Plan, be *backend) float64 {
	if !p.Model().Ceiling() {
		return 0
	}
	prof := transport.FromFunc("ceiling", "answers from memory", func(*tls.Config) http.RoundTripper { return instantTransport{} })
	inst, err := prof.TryInstrument(nil)
	if err != nil {
		return 0
	}
	defer inst.Close()
	m, err := newMixTargeter(be.url, "ceiling", p.Resolved().Mix, p.Resolved().Seed)
	if err != nil {
		return 0
	}
	client := *inst.Client
	client.Transport = m.wrap(inst.Client.Transport)
	rec, err := engine.Run(ctx, engine.Attack{
		Name: "ceiling", Targeter: m.targeter(), Client: &client,
		Model: engine.Closed, Concurrency: p.Resolved().Load.Concurrency, Duration: ceilingDuration,
		WorkerContext: inst.Tracer.Bind,
	})
	if err != nil || rec.Interrupted {
		return 0
	}
	return rec.ReqPerSec()
}
