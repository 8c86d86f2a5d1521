package scenarios

import (
	"context"
	"sync"
	"testing"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/oranbench/oranbench/scenarios/scenario"
	"github.com/oranbench/oranbench/targets/transport"
)

func TestRunHandsEveryMeasuredResultToOnRunAndKeepsEachRepetitionsHistogramAndTimeline(t *testing.T) {
	s, err := scenario.Load("testdata/tiny-tls.yaml", transport.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	seen := map[string]int64{}
	var infos []RunInfo
	res, err := Run(context.Background(), s, Options{OnRun: func(info RunInfo) ResultFunc {
		mu.Lock()
		infos = append(infos, info)
		mu.Unlock()
		key := info.Arm + "/" + itoa(info.Rep)
		return func(*vegeta.Result) {
			mu.Lock()
			seen[key]++
			mu.Unlock()
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(infos) != 4 || infos[1].Arm != "tuned" || infos[2].Rep != 1 || infos[0].Reps != 2 || infos[0].Planned != 700*time.Millisecond {
		t.Fatalf("OnRun calls %+v, want 4 in A B A B order, each planned 700ms", infos)
	}
	for _, a := range res.Arms {
		for _, r := range a.Reps {
			key := a.Name + "/" + itoa(r.Index)
			if seen[key] != r.Requests || r.Requests == 0 {
				t.Errorf("%s: OnRun saw %d results, the report counts %d", key, seen[key], r.Requests)
			}
			raw, err := hdrhistogram.Decode([]byte(r.ServiceHDR))
			if err != nil || raw.TotalCount() != r.Requests {
				t.Errorf("%s: repetition histogram %v holds %d of %d", key, err, raw.TotalCount(), r.Requests)
			}
			var inSeries int64
			for _, iv := range r.Series {
				inSeries += iv.Requests
			}
			if inSeries != r.Requests || len(r.Series) < 10 || len(r.Series) > 13 {
				t.Errorf("%s: timeline holds %d requests in %d intervals, want %d in about 600ms/50ms = 12", key, inSeries, len(r.Series), r.Requests)
			}
		}
	}
	if s.Planned(false) != 4*700*time.Millisecond {
		t.Errorf("planned %v, want 2 arms x 2 reps x 700ms", s.Planned(false))
	}
}
