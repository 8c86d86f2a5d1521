package scenarios

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/oranbench/oranbench/targets/transport"
)

func parseTest(t *testing.T, doc string) *Plan {
	t.Helper()
	s, err := Parse("test.yaml", []byte(doc), transport.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

const shardDoc = `apiVersion: oranbench/v1
kind: Scenario
name: shard-me
mix:
  - route: a1.policy.put
load:
  model: %s
arms: [default, tuned]
duration: 1s
`

func TestShardsSplitTheLoadSoTheyAddUpToTheWhole(t *testing.T) {
	cases := []struct {
		name  string
		load  string
		n     int
		check func(shares []*Plan) string
	}{
		{"closed concurrency 20 in 3 shards is 7+7+6", "closed\n  concurrency: 20", 3, func(sh []*Plan) string {
			got := []int{sh[0].spec.Load.Concurrency, sh[1].spec.Load.Concurrency, sh[2].spec.Load.Concurrency}
			if got[0] != 7 || got[1] != 7 || got[2] != 6 {
				return "concurrency " + fmtInts(got)
			}
			return ""
		}},
		{"a constant rate is divided", "open\n  rate: 300", 2, func(sh []*Plan) string {
			if sh[0].spec.Load.Rate != 150 || sh[1].spec.Load.Rate != 150 {
				return "rates " + fmtInts([]int{int(sh[0].spec.Load.Rate), int(sh[1].spec.Load.Rate)})
			}
			return ""
		}},
		{"a burst's size is split", "open\n  shape: burst\n  burst: {size: 20, every: 100ms}", 3, func(sh []*Plan) string {
			got := []int{sh[0].spec.Load.Burst.Size, sh[1].spec.Load.Burst.Size, sh[2].spec.Load.Burst.Size}
			if got[0]+got[1]+got[2] != 20 || got[2] != 6 {
				return "burst sizes " + fmtInts(got)
			}
			return ""
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := parseTest(t, strings.Replace(shardDoc, "%s", c.load, 1))
			var shares []*Plan
			for i := range c.n {
				sh, err := s.Shard(i, c.n)
				if err != nil {
					t.Fatal(err)
				}
				shares = append(shares, sh)
			}
			if msg := c.check(shares); msg != "" {
				t.Fatal(msg)
			}
			if s.spec.Load.Concurrency == 7 || s.spec.Load.Rate == 150 || (s.spec.Load.Burst != nil && s.spec.Load.Burst.Size != 20) {
				t.Fatal("sharding changed the original scenario")
			}
		})
	}
}

func fmtInts(xs []int) string {
	var b strings.Builder
	for i, x := range xs {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(itoa(x))
	}
	return "[" + b.String() + "]"
}

func TestAShareThatWouldBeEmptyIsAnErrorNamingTheField(t *testing.T) {
	s := parseTest(t, strings.Replace(shardDoc, "%s", "closed\n  concurrency: 2", 1))
	_, err := s.Shard(2, 3)
	if err == nil || !strings.Contains(err.Error(), "load.concurrency 2 cannot be split into 3 shards") {
		t.Fatalf("err = %v", err)
	}
	if _, err := s.Shard(3, 3); err == nil {
		t.Fatal("shard 3/3 accepted")
	}
}

func TestRunHandsEveryMeasuredResultToOnRunAndKeepsEachRepetitionsHistogramAndTimeline(t *testing.T) {
	s, err := Load("testdata/tiny-tls.yaml", transport.NewRegistry())
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
