package scenario

import (
	"strings"
	"testing"

	"github.com/oranbench/oranbench/reports/results"
)

func TestEveryLoadModelHasOneImplementationNamedAfterIt(t *testing.T) {
	for _, name := range results.Models() {
		m, ok := modelNamed(name)
		if !ok {
			t.Errorf("no load model implements %q", name)
			continue
		}
		if m.Name() != name {
			t.Errorf("model %q says its name is %q", name, m.Name())
		}
		if m.DecidingMetric() != name.DecidingMetric() {
			t.Errorf("model %q is decided by %q, results.Model by %q", name, m.DecidingMetric(), name.DecidingMetric())
		}
	}
	if len(models) != len(results.Models()) {
		t.Errorf("%d load models implemented, %d modelBase", len(models), len(results.Models()))
	}
}

func TestAnUnknownModelErrorListsEveryModel(t *testing.T) {
	_, err := Parse("x.yaml", []byte(`apiVersion: oranbench/v1
kind: Scenario
name: x
mix: [{route: a1.policy.get}]
load: {model: poisson}
arms: [default]
duration: 1s
`), nil)
	want := `valid models are "closed", "open", "search", "storm" and "soak"`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %v, want it to say %s", err, want)
	}
}

func TestEachModelShardsOnlyItsOwnLoad(t *testing.T) {
	for _, tc := range []struct {
		load  string
		check func(LoadModel) bool
	}{
		{"{model: closed, concurrency: 5}", func(l LoadModel) bool { return l.Concurrency == 3 }},
		{"{model: open, rate: 100, maxWorkers: 5}", func(l LoadModel) bool { return l.Rate == 50 && l.MaxWorkers == 3 }},
		{"{model: open, shape: burst, burst: {size: 5, every: 100ms}}", func(l LoadModel) bool { return l.Burst.Size == 3 }},
		{"{model: search, search: {slo: 100ms, maxRate: 1000}}", func(l LoadModel) bool { return l.Search.MaxRate == 500 }},
	} {
		p, err := Parse("x.yaml", []byte("apiVersion: oranbench/v1\nkind: Scenario\nname: x\nmix: [{route: a1.policy.get}]\nload: "+tc.load+"\narms: [default]\nduration: 1s\n"), nil)
		if err != nil {
			t.Fatalf("%s: %v", tc.load, err)
		}
		sh, err := p.Shard(0, 2)
		if err != nil {
			t.Fatalf("%s: %v", tc.load, err)
		}
		if l := sh.Spec().Load; !tc.check(l) {
			t.Errorf("%s: shard 0 of 2 got %+v", tc.load, l)
		}
	}
}
