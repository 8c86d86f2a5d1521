package scenarios

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/oranbench/oranbench/internal/engine"
	"github.com/oranbench/oranbench/reports/results"
	"github.com/oranbench/oranbench/targets/transport"
	"github.com/oranbench/oranbench/targets/watcher"
)

// runStorm sends an intent-file storm through a fresh watcher whose Porch
// client is the arm's transport. A small storm first warms the pool up.
func runStorm(ctx context.Context, p *Plan, be *backend, prof transport.Profile, run string, warm, quick bool) (results.Rep, *engine.Recording, error) {
	st := *p.Resolved().Load.Storm
	st.Intents = p.StormIntents(quick)
	c0, s0 := transport.TraceStats{}, be.stats()
	inst, err := prof.TryInstrument(be.tls, be.buildOptions()...)
	if err != nil {
		return results.Rep{}, nil, &buildError{err}
	}
	defer inst.Close()
	client := *inst.Client
	client.Transport = be.wrapArm(prof, inst.Client.Transport)
	cfg := func(n int) watcher.StormConfig {
		return watcher.StormConfig{
			Watcher: watcher.Config{
				Client: &client, PorchURL: be.url, Workers: st.Workers,
				Debounce: st.Debounce.Duration, StableFor: st.StableFor.Duration,
			},
			Intents: n, IntentsPerSec: st.IntentsPerSec, Timeout: st.Timeout.Duration,
		}
	}
	if warm {
		if _, err := watcher.RunStorm(ctx, cfg(max(4, st.Intents/20))); err != nil && ctx.Err() == nil {
			return results.Rep{}, nil, fmt.Errorf("warm-up storm: %w", err)
		}
	}
	settle(inst.Tracer, be, c0, s0)
	cBefore, sBefore := inst.Tracer.Stats(), be.stats()
	cpu0 := cpuTime()
	res, err := watcher.RunStorm(ctx, cfg(st.Intents))
	cpu := cpuTime() - cpu0
	interrupted := ctx.Err() != nil
	if err != nil && !interrupted && !errors.Is(err, context.DeadlineExceeded) {
		return results.Rep{}, nil, fmt.Errorf("storm: %w", err)
	}
	settle(inst.Tracer, be, c0, s0)
	c, srv := inst.Tracer.Stats().Sub(cBefore), be.stats().Sub(sBefore)
	rec := engine.NewRecording(false)
	if res.Latency != nil {
		rec.Service.Merge(res.Latency)
	}
	ok := int64(res.Processed + res.Skipped)
	sum := results.Summary{
		Requests: int64(res.Intents), Successes: ok, ReqPerSec: res.IntentsPerSec, Wall: res.Elapsed,
		Latency: results.HDRPercentiles(rec.Service), Codes: map[string]int64{}, Errors: map[string]int64{},
		Interrupted: interrupted, Client: ClientConns(c), Server: serverConns(srv, be.counted()),
	}
	if res.Elapsed > 0 {
		sum.SuccessPerSec = float64(ok) / res.Elapsed.Seconds()
		sum.CPUPct = 100 * cpu.Seconds() / res.Elapsed.Seconds() / float64(be.generatorCPUs())
	}
	if res.Intents > 0 {
		sum.SuccessPct = 100 * float64(ok) / float64(res.Intents)
	}
	if res.Failed > 0 {
		sum.Errors["intent failed (moved to failed/)"] = int64(res.Failed)
	}
	if missing := int64(res.Intents) - ok - int64(res.Failed); missing > 0 {
		sum.Errors[fmt.Sprintf("no outcome within %s", st.Timeout.Duration.Round(time.Second))] = missing
	}
	return results.Rep{Summary: sum}, rec, nil
}
