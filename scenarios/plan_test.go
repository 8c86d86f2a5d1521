package scenarios

import (
	"context"
	"reflect"
	"testing"
)

func TestAPlanDoesNotChangeWhenRunOrCopied(t *testing.T) {
	t.Parallel() // asserts counts and structure, not timing; its own mock
	p := mustParse(t, `apiVersion: oranbench/v1
kind: Scenario
name: immutable
mix: [{route: a1.types.list}]
load: {model: closed, concurrency: 2}
arms: [default, tuned]
duration: 100ms
warmup: 0s
repetitions: 1
sweep: {concurrency: [1, 2]}
thresholds: ["errors < 1%"]
`)
	before := p.Spec()
	c := p.Spec()
	c.Mix[0].Route = "changed"
	c.Sweep.Concurrency[0] = 99
	c.ArmSpecs[0].Name = "changed"
	if !reflect.DeepEqual(p.Spec(), before) {
		t.Fatal("changing a copy from Spec() changed the plan")
	}
	arms := p.Arms()
	arms[0] = "changed"
	if p.Arms()[0] != "default" {
		t.Fatal("changing Arms() changed the plan")
	}
	for range 2 {
		res, err := Run(context.Background(), p, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Sweep.Points) != 2 {
			t.Fatalf("ran %d points, want 2", len(res.Sweep.Points))
		}
	}
	if !reflect.DeepEqual(p.Spec(), before) {
		t.Fatal("running the plan changed it")
	}
}
