package scenario

import (
	"strings"
	"testing"

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
