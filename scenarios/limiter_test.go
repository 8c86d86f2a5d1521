package scenarios

import (
	"context"
	"strings"
	"testing"
)

// A qps/burst arm is bounded by client-go's token bucket: a closed loop of
// 50 workers for 2s at qps 20, burst 30 sends about 20×2+30 = 70 requests,
// 35 req/s, and the report says the limiter, not the transport, bounded
// it; the same arm without qps is not limited and gets no such note.
func TestTheLimiterBoundsAnArmAndTheReportSaysSo(t *testing.T) {
	s := mustParse(t, `apiVersion: oranbench/v1
kind: Scenario
name: limited
backend: {isolation: in-process}
mix: [{route: a1.types.list}]
load: {model: closed, concurrency: 50}
arms:
  - {name: tuned-qps20, base: tuned, qps: 20, burst: 30}
  - tuned
duration: 2s
repetitions: 1
`)
	res, err := Run(context.Background(), s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	limited, free := res.Arms[0], res.Arms[1]
	l := limited.Total.Limiter
	if l == nil || l.QPS != 20 || l.Burst != 30 {
		t.Fatalf("limiter = %+v, want qps 20 burst 30", l)
	}
	// (20×2+30)/2 = 35 req/s; the engine's wall is a little over 2s.
	if r := limited.Total.ReqPerSec; r < 30 || r > 38 {
		t.Errorf("limited arm: %.1f req/s, want about 35", r)
	}
	if !l.Bounded || l.WaitTotal <= 0 || l.WaitP99 <= 0 {
		t.Errorf("limiter = %+v, want bounded with waits", l)
	}
	if free.Total.Limiter != nil {
		t.Errorf("arm without qps has a limiter: %+v", free.Total.Limiter)
	}
	var notes []string
	for _, n := range res.Notes {
		if strings.Contains(n, "client-side limiter") {
			notes = append(notes, n)
		}
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "`tuned-qps20`") {
		t.Fatalf("limiter notes = %q, want one for tuned-qps20", notes)
	}
	t.Log(notes[0])
}
