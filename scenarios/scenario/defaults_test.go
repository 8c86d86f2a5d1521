package scenario

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/oranbench/oranbench/reports/results"
	"github.com/oranbench/oranbench/targets/transport"
)

const userHead = `apiVersion: oranbench/v1
kind: Scenario
name: mine
mix: [{route: a1.types.list}]
load: {model: closed, concurrency: 2}
duration: 1s
`

// F24.5: a user's scenario runs like a built-in unless it says otherwise:
// TLS on and a warm-up, and tls: false or warmup: 0s written are kept.
func TestAUserScenarioGetsTheBuiltinsDefaults(t *testing.T) {
	for _, tc := range []struct {
		name, extra string
		tls         bool
		warmup      time.Duration
	}{
		{"nothing written: TLS on, the default warm-up", "arms: [default]\n", true, DefaultWarmup},
		{"tls false written stays off", "arms: [default]\nbackend: {tls: false}\n", false, DefaultWarmup},
		{"tls true written stays on", "arms: [default]\nbackend: {tls: true}\n", true, DefaultWarmup},
		{"warmup 0s written means none", "arms: [default]\nwarmup: 0s\n", true, 0},
		{"warmup written is kept", "arms: [default]\nwarmup: 200ms\n", true, 200 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := mustParse(t, userHead+tc.extra)
			cfg, err := p.MockConfig()
			if err != nil {
				t.Fatal(err)
			}
			_, warmup, _ := p.Effective(false)
			c := p.Conditions(time.Second, warmup, 1)
			if cfg.TLS != tc.tls || c.TLS != tc.tls || warmup != tc.warmup || c.Warmup != tc.warmup {
				t.Errorf("mock TLS %v, conditions TLS %v, warm-up %s (conditions %s); want TLS %v, warm-up %s", cfg.TLS, c.TLS, warmup, c.Warmup, tc.tls, tc.warmup)
			}
		})
	}
}

// F24.5: baseline names the arm ratios divide by; unset, the arm named
// default when there is one; the baseline goes first.
func TestTheBaselineArmComesFirst(t *testing.T) {
	for _, tc := range []struct {
		name, arms string
		want       []string
	}{
		{"default is the baseline wherever it is listed", "arms: [tuned, default]\n", []string{"default", "tuned"}},
		{"without default, the first", "arms: [tuned, tuned-h2]\n", []string{"tuned", "tuned-h2"}},
		{"baseline names another", "arms: [default, tuned, tuned-h2]\nbaseline: tuned-h2\n", []string{"tuned-h2", "default", "tuned"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := mustParse(t, userHead+tc.arms)
			if got := p.Arms(); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("arms %v, want %v", got, tc.want)
			}
			for i, prof := range p.Profiles() {
				if prof.Name != tc.want[i] {
					t.Errorf("profile %d is %s, arm %s", i, prof.Name, tc.want[i])
				}
			}
			if p.Resolved().Baseline != tc.want[0] {
				t.Errorf("baseline %q, want %q", p.Resolved().Baseline, tc.want[0])
			}
		})
	}
	_, err := Parse("b.yaml", []byte(userHead+"arms: [default, tuned]\nbaseline: mine\n"), transport.NewRegistry())
	if err == nil || !strings.Contains(err.Error(), "baseline") || !strings.Contains(err.Error(), "default, tuned") {
		t.Errorf("an unknown baseline: %v", err)
	}
}

// F24.3: against an external backend the harness creates nothing unless
// asked, only through the Kubernetes API, and says so in one line before
// any load.
func TestFixturesAgainstAnExternalBackend(t *testing.T) {
	const ext = `apiVersion: oranbench/v1
kind: Scenario
name: ext
backend: {target: "https://127.0.0.1:8443"}
load: {model: closed, concurrency: 2}
arms: [default]
duration: 1s
`
	for _, tc := range []struct {
		name, doc string
		mode      string // "" when the scenario is refused
		errHas    []string
	}{
		{"a read of fixtures without opting in is refused", ext + "mix: [{route: porch.k8s.get}]\n", "",
			[]string{"fixtures", "fixtures: create", "mix[0] (porch.k8s.get)"}},
		{"fixtures: create through the Kubernetes API", ext + "mix: [{route: porch.k8s.get}]\nfixtures: create\n", FixturesCreate, nil},
		{"fixtures: none written: the objects are there", ext + "mix: [{route: porch.k8s.get}]\nfixtures: none\n", FixturesNone, nil},
		{"fixtures only the mock serves are refused", ext + "mix: [{route: a1.policy.get}]\nfixtures: create\n", "",
			[]string{"mix[0]", "a1.policy.get", "only as paths the mock serves"}},
		{"a mix without fixtures needs no key", ext + "mix: [{route: porch.k8s.create}]\n", FixturesNone, nil},
		{"an unknown value", ext + "mix: [{route: porch.k8s.get}]\nfixtures: yes\n", "", []string{"fixtures", `"create"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Parse("ext.yaml", []byte(tc.doc), transport.NewRegistry())
			if tc.mode == "" {
				if err == nil {
					t.Fatal("parsed; want an error")
				}
				msg := err.Error()
				if strings.Contains(msg, "\n") || !strings.HasPrefix(msg, "ext.yaml") {
					t.Errorf("error %q: want one line naming the file", msg)
				}
				for _, s := range tc.errHas {
					if !strings.Contains(msg, s) {
						t.Errorf("error %q does not say %q", msg, s)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.FixtureMode() != tc.mode {
				t.Errorf("fixture mode %q, want %q", p.FixtureMode(), tc.mode)
			}
		})
	}
	if p := mustParse(t, userHead+"arms: [default]\n"); p.FixtureMode() != FixturesCreate {
		t.Errorf("the mock's fixture mode %q, want create", p.FixtureMode())
	}
}

// F24.5: a scenario is built-in by where it was read from, not by its name.
func TestBuiltinByOriginNotByName(t *testing.T) {
	p, err := Load("seed-20-concurrent", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Builtin() || p.Origin() != results.OriginBuiltin {
		t.Errorf("the built-in: Builtin %v, origin %q", p.Builtin(), p.Origin())
	}
	data, err := builtinFS.ReadFile("builtin/seed-20-concurrent.yaml")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "seed-20-concurrent.yaml")
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	u, err := Load(file, nil)
	if err != nil {
		t.Fatal(err)
	}
	if u.Builtin() || u.Origin() != results.OriginFile || u.Name() != p.Name() {
		t.Errorf("a copy in a file named like it: Builtin %v, origin %q, name %s", u.Builtin(), u.Origin(), u.Name())
	}
	if s, err := Parse("builtin:seed-20-concurrent.yaml", data, nil); err != nil || s.Builtin() {
		t.Errorf("Parse with a built-in's file name: Builtin %v, %v", s != nil && s.Builtin(), err)
	}
	all, err := Builtins()
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range all {
		if !b.Builtin() {
			t.Errorf("Builtins()' %s is not marked built-in", b.Name())
		}
		if pt := b.SweepFor(false); pt != nil && !pt.Points[0].Plan.Builtin() {
			t.Errorf("a sweep point of %s is not marked built-in", b.Name())
		}
	}
}
