package scenario

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/oranbench/oranbench/targets/transport"
)

// goSpec is a small closed-model scenario written in Go.
func goSpec() Spec {
	return Spec{
		APIVersion: APIVersion, Kind: Kind, Name: "from-go",
		Mix:      []MixEntry{{Route: "a1.types.list", Weight: 1}},
		Load:     LoadModel{Model: ModelClosed, Concurrency: 2},
		ArmSpecs: []ArmSpec{{Name: "default"}, {Name: "tuned"}},
		Duration: Duration{100 * time.Millisecond},
		Sweep:    &Sweep{Concurrency: []int{1, 2}, TLS: []bool{false, true}},
		Quick:    &Quick{Repetitions: 1, Sweep: &Sweep{Concurrency: []int{3}}},
		Thresholds: []ThresholdSpec{
			{Expr: "errors < 1%"},
		},
	}
}

func TestAPlanFromGoIsValidatedLikeOneFromYAML(t *testing.T) {
	spec := goSpec()
	spec.Load.Concurrency = -1
	_, err := NewPlan(spec, transport.NewRegistry())
	if err == nil || !strings.Contains(err.Error(), "load.concurrency") || !strings.Contains(err.Error(), "-1") {
		t.Fatalf("err = %v, want one naming load.concurrency and -1", err)
	}
	doc := `apiVersion: oranbench/v1
kind: Scenario
name: from-yaml
mix: [{route: a1.types.list}]
load: {model: closed, concurrency: -1}
arms: [default, tuned]
duration: 100ms
`
	_, yerr := Parse("bad.yaml", []byte(doc), transport.NewRegistry())
	if yerr == nil {
		t.Fatal("the same value in YAML was accepted")
	}
	// The same rule and message; only the YAML error has a file:line.
	_, msg, _ := strings.Cut(yerr.Error(), ": ")
	if !strings.HasSuffix(err.Error(), msg) {
		t.Fatalf("Go spec error %q and YAML error %q differ", err, yerr)
	}

	spec = goSpec()
	spec.ArmSpecs = []ArmSpec{{Name: "default"}, {Name: "no-such-profile"}}
	if _, err := NewPlan(spec, transport.NewRegistry()); err == nil || !strings.Contains(err.Error(), "no-such-profile") {
		t.Fatalf("err = %v, want one naming the unknown profile", err)
	}
}

func TestAPlanFillsDefaultsAndExpandsSweepPoints(t *testing.T) {
	spec := goSpec()
	p, err := NewPlan(spec, transport.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	if spec.Repetitions != 0 {
		t.Fatal("NewPlan changed the Spec it was given")
	}
	if got := p.Spec().Repetitions; got != DefaultRepetitions {
		t.Errorf("repetitions = %d, want the default %d", got, DefaultRepetitions)
	}
	if p.Name() != "from-go" || p.File() != "" || !reflect.DeepEqual(p.Arms(), []string{"default", "tuned"}) {
		t.Errorf("name %q file %q arms %v", p.Name(), p.File(), p.Arms())
	}
	if len(p.profiles) != 2 || p.profiles[1].Name != "tuned" {
		t.Errorf("profiles not resolved: %v", p.profiles)
	}
	var labels []string
	for _, pt := range p.SweepFor(false).Points {
		labels = append(labels, pt.Label)
		if got := pt.Plan.spec.Load.Concurrency; itoa(got) != pt.Values[0] {
			t.Errorf("point %s runs concurrency %d", pt.Label, got)
		}
	}
	want := []string{"concurrency=1 tls=off", "concurrency=1 tls=on", "concurrency=2 tls=off", "concurrency=2 tls=on"}
	if !reflect.DeepEqual(labels, want) {
		t.Errorf("points %v, want %v", labels, want)
	}
	if q := p.SweepFor(true); len(q.Points) != 1 || q.Points[0].Label != "concurrency=3" {
		t.Errorf("quick points %+v, want one: concurrency=3", q.Points)
	}
	if p.spec.Load.Concurrency != 2 || p.spec.Backend.TLS != nil {
		t.Errorf("expanding the sweep changed the plan's own spec: %+v", p.spec.Load)
	}
}

func TestPlanHasNoExportedFields(t *testing.T) {
	typ := reflect.TypeFor[Plan]()
	for i := range typ.NumField() {
		if f := typ.Field(i); f.IsExported() {
			t.Errorf("Plan.%s is exported: a Plan must not be changed after it is built", f.Name)
		}
	}
}

func TestTheMockPresetsOldKeyIsAnUnknownField(t *testing.T) {
	doc := `apiVersion: oranbench/v1
kind: Scenario
name: old-key
backend:
  profile: realistic
mix: [{route: a1.types.list}]
load: {model: closed, concurrency: 2}
arms: [default, tuned]
duration: 100ms
`
	// No release was ever tagged with backend.profile: it is no name of the
	// language, and the error lists the valid keys, preset among them.
	_, err := Parse("old.yaml", []byte(doc), transport.NewRegistry())
	if err == nil || !strings.Contains(err.Error(), "old.yaml:5") || !strings.Contains(err.Error(), "backend.profile") || !strings.Contains(err.Error(), "preset") {
		t.Fatalf("err = %v, want backend.profile refused at line 5 with preset among the valid keys", err)
	}
}
