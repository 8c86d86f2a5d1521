package scenario

import (
	"errors"
	"strings"
	"testing"

	"github.com/oranbench/oranbench/targets/transport"
)

// base is a valid scenario; each case edits one thing. Line numbers:
//
//	1 apiVersion  5 route  6 weight  7 backend  8 tls  9 load  10 model
//	11 concurrency  12 arms  13 duration  14 thresholds  15 - p99 ...
const base = `apiVersion: oranbench/v1
kind: Scenario
name: bad
mix:
  - route: a1.policy.put
    weight: 2
backend:
  tls: true
load:
  model: closed
  concurrency: 2
arms: [default, tuned]
duration: 1s
thresholds:
  - p99 < 250ms
`

func TestEveryBadInputNamesFileLineFieldAndValue(t *testing.T) {
	cases := []struct {
		name string
		edit func(string) string
		want []string
	}{
		{"an unknown top-level field", func(s string) string { return s + "colour: blue\n" },
			[]string{"bad.yaml:16", "colour", "unknown field", "thresholds"}},
		{"an unknown nested field", func(s string) string {
			return strings.Replace(s, "  tls: true\n", "  tls: true\n  routes:\n    porch:\n      capacity: {maxInFlght: 3}\n", 1)
		}, []string{"bad.yaml:11", "backend.routes.porch.capacity.maxInFlght", "maxInFlight"}},
		{"a field given twice", func(s string) string { return strings.Replace(s, "  tls: true\n", "  tls: true\n  tls: false\n", 1) },
			[]string{"bad.yaml:9", "backend.tls", "twice"}},
		{"a bad duration", func(s string) string { return strings.Replace(s, "duration: 1s", "duration: soon", 1) },
			[]string{"bad.yaml:13", "duration", `"soon"`, "250ms"}},
		{"a word where a number belongs", func(s string) string { return strings.Replace(s, "concurrency: 2", "concurrency: many", 1) },
			[]string{"bad.yaml:11", "load.concurrency", `"many"`, "whole number"}},
		{"a list where a mapping belongs", func(s string) string { return strings.Replace(s, "  tls: true\n", "  latency: [1ms]\n", 1) },
			[]string{"bad.yaml:8", "backend.latency", "duration"}},
		{"an unknown route", func(s string) string { return strings.Replace(s, "a1.policy.put", "a1-teleport", 1) },
			[]string{"bad.yaml:5", "mix[0].route", `"a1-teleport"`, "porch.package.create"}},
		{"an unknown flow", func(s string) string { return strings.Replace(s, "route: a1.policy.put", "flow: porch-yolo", 1) },
			[]string{"bad.yaml:5", "mix[0].flow", `"porch-yolo"`, "porch.package.publish"}},
		{"a bad body placeholder", func(s string) string {
			return strings.Replace(s, "    weight: 2\n", "    weight: 2\n    body: '{\"x\":\"{{uuid}}\"}'\n", 1)
		}, []string{"bad.yaml:7", "mix[0].body", "{{uuid}}", "{{id}}"}},
		{"an unknown arm", func(s string) string { return strings.Replace(s, "[default, tuned]", "[default, turbo]", 1) },
			[]string{"bad.yaml:12", "arms[1]", `"turbo"`, "tuned-resume"}},
		{"an unknown load model", func(s string) string { return strings.Replace(s, "model: closed", "model: burst", 1) },
			[]string{"bad.yaml:10", "load.model", `"burst"`, `"search"`}},
		{"zero concurrency", func(s string) string { return strings.Replace(s, "concurrency: 2", "concurrency: 0", 1) },
			[]string{"bad.yaml:11", "load.concurrency", `"0"`}},
		{"a rate on the closed model", func(s string) string { return strings.Replace(s, "concurrency: 2", "concurrency: 2\n  rate: 5", 1) },
			[]string{"bad.yaml:12", "load.rate", "closed model"}},
		{"an unknown threshold metric", func(s string) string { return strings.Replace(s, "p99 < 250ms", "p98 < 250ms", 1) },
			[]string{"bad.yaml:15", "thresholds[0]", `"p98 < 250ms"`, "p99.9"}},
		{"a latency threshold without a unit", func(s string) string { return strings.Replace(s, "p99 < 250ms", "p99 < 250", 1) },
			[]string{"bad.yaml:15", "thresholds[0]", "duration"}},
		{"a ratio naming an absent arm", func(s string) string {
			return strings.Replace(s, "p99 < 250ms", "ratio(tuned-resume/default, req_per_s) >= 4", 1)
		}, []string{"bad.yaml:15", "thresholds[0]", "tuned-resume", "default, tuned"}},
		{"an open-model metric on the closed model", func(s string) string { return strings.Replace(s, "p99 < 250ms", "resp_p99 < 1s", 1) },
			[]string{"bad.yaml:15", "resp_p99", "open"}},
		{"an unknown Config field in an inline arm", func(s string) string {
			return strings.Replace(s, "[default, tuned]", "\n  - default\n  - name: small\n    config: {MaxIdlePerHost: 2}", 1)
		}, []string{"bad.yaml:15", "arms[1].config.MaxIdlePerHost", "MaxIdleConnsPerHost"}},
		{"an inline arm based on net/http's own transport", func(s string) string {
			return strings.Replace(s, "[default, tuned]", "\n  - default\n  - name: small\n    base: default\n    config: {MaxIdleConnsPerHost: 2}", 1)
		}, []string{"bad.yaml:15", "arms[1].base", `"default"`, "tuned"}},
		{"an invalid Config value", func(s string) string {
			return strings.Replace(s, "[default, tuned]", "\n  - default\n  - name: small\n    config: {MaxIdleConnsPerHost: -2}", 1)
		}, []string{"bad.yaml:15", "arms[1].config.MaxIdleConnsPerHost", `"-2"`, ">= 0"}},
		{"a negative MaxConnsPerHost on its own line", func(s string) string {
			return strings.Replace(s, "[default, tuned]", "\n  - default\n  - name: capped\n    config:\n      MaxConnsPerHost: -1", 1)
		}, []string{"bad.yaml:16", "arms[1].config.MaxConnsPerHost", `"-1"`, "must be >= 0 (0 means unlimited)"}},
		{"claims naming an arm the scenario does not have", func(s string) string {
			return s + "claims: {baseline: default, candidate: mine}\n"
		}, []string{"bad.yaml:16", "claims.candidate", `"mine"`, "default, tuned"}},
		{"a threshold point outside a sweep", func(s string) string {
			return strings.Replace(s, "  - p99 < 250ms", "  - expr: p99 < 250ms\n    point: concurrency=2", 1)
		}, []string{"bad.yaml:16", "thresholds[0].point", `"concurrency=2"`, "no sweep"}},
		{"a threshold point the sweep does not run", func(s string) string {
			return strings.Replace(s, "  - p99 < 250ms", "  - expr: p99 < 250ms\n    point: concurrency=3", 1) + "sweep:\n  concurrency: [2, 4]\n"
		}, []string{"bad.yaml:16", "thresholds[0].point", "concurrency=3", "2, 4"}},
		{"a threshold point on a parameter not swept", func(s string) string {
			return strings.Replace(s, "  - p99 < 250ms", "  - expr: p99 < 250ms\n    point: http2=on", 1) + "sweep:\n  concurrency: [2, 4]\n"
		}, []string{"bad.yaml:16", "thresholds[0].point", "http2", "concurrency"}},
		{"an unknown mock route group", func(s string) string {
			return strings.Replace(s, "  tls: true\n", "  tls: true\n  routes:\n    o1: {latency: 5ms}\n", 1)
		}, []string{"bad.yaml:10", "backend.routes.o1", "porch"}},
		{"an unknown latency distribution", func(s string) string {
			return strings.Replace(s, "  tls: true\n", "  tls: true\n  latency: {kind: pareto, p50: 1ms}\n", 1)
		}, []string{"bad.yaml:9", "backend.latency.kind", `"pareto"`, "lognormal"}},
		{"a bad TLS version", func(s string) string {
			return strings.Replace(s, "  tls: true\n", "  tls: true\n  tlsVersion: \"1.1\"\n", 1)
		},
			[]string{"bad.yaml:9", "backend.tlsVersion", `"1.1"`, `"1.3"`}},
		{"a mock setting beside an external target", func(s string) string {
			return strings.Replace(s, "  tls: true\n", "  target: https://127.0.0.1:8443\n  rtt: 5ms\n", 1)
		}, []string{"bad.yaml:9", "backend.rtt", "target"}},
		{"a sweep too large", func(s string) string {
			return s + "sweep:\n  concurrency: [1,2,3,4,5,6,7,8,9]\n  rtt: [0s,1ms,2ms,3ms,4ms,5ms,6ms,7ms]\n"
		}, []string{"bad.yaml:16", "sweep", "72", "64"}},
		{"a mix entry with two kinds", func(s string) string {
			return strings.Replace(s, "    weight: 2\n", "    weight: 2\n    flow: a1.policy.apply\n", 1)
		}, []string{"bad.yaml:5", "mix[0]", "exactly one of"}},
		{"a burst without its block", func(s string) string {
			return strings.Replace(s, "model: closed\n  concurrency: 2", "model: open\n  shape: burst", 1)
		}, []string{"bad.yaml:9", "load.burst", "size, every"}},
		// F15: a value swept twice would run two points under one name.
		{"a sweep value given twice", func(s string) string { return s + "sweep:\n  concurrency: [4, 8, 4]\n" },
			[]string{"bad.yaml:17", "sweep.concurrency[2]", `"4"`, "repeats sweep.concurrency[0]"}},
		{"a quick sweep value given twice", func(s string) string { return s + "quick:\n  sweep:\n    rtt: [1ms, 1ms]\n" },
			[]string{"bad.yaml:18", "quick.sweep.rtt[1]", `"1ms"`, "repeats"}},
		// F15: repetitions: 0 was silently 5.
		{"zero repetitions written", func(s string) string { return s + "repetitions: 0\n" },
			[]string{"bad.yaml:16", "repetitions", `"0"`, "want 1 to 100", "leave repetitions out"}},
		// F15: durations had no upper bound.
		{"a duration of a century", func(s string) string { return strings.Replace(s, "duration: 1s", "duration: 1000000h", 1) },
			[]string{"bad.yaml:13", "duration", "1000000h", "0 to 24h"}},
		{"a warm-up of two days", func(s string) string { return s + "warmup: 48h\n" },
			[]string{"bad.yaml:16", "warmup", "48h0m0s", "0 to 24h"}},
		{"a quick duration of a century", func(s string) string { return s + "quick:\n  duration: 100000h\n" },
			[]string{"bad.yaml:17", "quick.duration", "100000h", "0 to 24h"}},
		// F15: an alias to an unknown anchor named neither line nor field.
		{"an alias to an unknown anchor", func(s string) string { return strings.Replace(s, "duration: 1s", "duration: *later", 1) },
			[]string{"bad.yaml:13", "duration", `"*later"`, "unknown anchor", "&later"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("bad.yaml", []byte(c.edit(base)), transport.NewRegistry())
			if err == nil {
				t.Fatal("want an error")
			}
			for _, p := range c.want {
				if !strings.Contains(err.Error(), p) {
					t.Errorf("error %q lacks %q", err, p)
				}
			}
			if n := strings.Count(err.Error(), "\n"); n != 0 {
				t.Errorf("error spans %d lines, want one", n+1)
			}
		})
	}
	if _, err := Parse("bad.yaml", []byte(base), transport.NewRegistry()); err != nil {
		t.Fatalf("the unedited document must parse: %v", err)
	}
}

func TestAYAMLSyntaxErrorNamesFileAndLine(t *testing.T) {
	_, err := Parse("broken.yaml", []byte("apiVersion: oranbench/v1\nkind: [Scenario\n"), nil)
	if err == nil || !strings.HasPrefix(err.Error(), "broken.yaml:") {
		t.Fatalf("err = %v, want it to start with broken.yaml:LINE", err)
	}
}

func TestFieldErrorsAreTyped(t *testing.T) {
	_, err := Parse("bad.yaml", []byte(strings.Replace(base, "duration: 1s", "duration: -1s", 1)), nil)
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Line != 13 || fe.Field != "duration" || fe.Value != "-1s" {
		t.Fatalf("err = %#v, want a FieldError at line 13 for duration -1s", err)
	}
}

func TestDefaultsAreFilledIn(t *testing.T) {
	s, err := Parse("ok.yaml", []byte(base), nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.spec.Repetitions != DefaultRepetitions || s.spec.Mix[0].Weight != 2 {
		t.Fatalf("repetitions %d, weight %d", s.spec.Repetitions, s.spec.Mix[0].Weight)
	}
	if len(s.thresholds) != 1 || !s.thresholds[0].Required || s.thresholds[0].Metric != "p99" {
		t.Fatalf("thresholds = %+v, want one required p99", s.thresholds)
	}
}

func TestInlineArmsOverrideTheirBaseAndRegister(t *testing.T) {
	doc := strings.Replace(base, "[default, tuned]", `
  - default
  - name: small-pool
    base: tuned
    description: the factory with the default's idle limit
    config: {MaxIdleConnsPerHost: 2, MaxConnsPerHost: 8, IdleConnTimeout: 5s}
  - name: resume
    base: tuned-resume`, 1)
	reg := transport.NewRegistry()
	s, err := Parse("arms.yaml", []byte(doc), reg)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(s.arms, ","); got != "default,small-pool,resume" {
		t.Fatalf("arms = %s", got)
	}
	p, err := reg.Lookup("small-pool")
	if err != nil {
		t.Fatalf("small-pool was not registered: %v", err)
	}
	c := p.Config
	if c.MaxIdleConnsPerHost != 2 || c.MaxConnsPerHost != 8 || c.IdleConnTimeout.Seconds() != 5 || c.MaxIdleConns != transport.DefaultMaxIdleConns {
		t.Fatalf("small-pool config = %+v", *c)
	}
	r, _ := reg.Lookup("resume")
	if r.Config.TLSSessionCacheSize != transport.TunedResumeSessionCacheSize {
		t.Fatalf("resume lost its base's session cache: %+v", *r.Config)
	}
	// The same definition again is fine; another definition under the name is not.
	if _, err := Parse("arms.yaml", []byte(doc), reg); err != nil {
		t.Fatalf("re-loading the same arms: %v", err)
	}
	other := strings.Replace(doc, "MaxConnsPerHost: 8", "MaxConnsPerHost: 9", 1)
	if _, err := Parse("other.yaml", []byte(other), reg); err == nil || !strings.Contains(err.Error(), "arms[1].name") {
		t.Fatalf("err = %v, want a clash on arms[1].name", err)
	}
}

func TestThresholdsMayBeInformative(t *testing.T) {
	doc := strings.Replace(base, "  - p99 < 250ms\n", "  - p99 < 250ms\n  - expr: ratio(tuned/default, req_per_s) >= 4\n    required: false\n  - {expr: success >= 99.9%, arm: tuned}\n", 1)
	s, err := Parse("t.yaml", []byte(doc), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.thresholds) != 3 || s.thresholds[1].Required || s.thresholds[1].RatioArm != "tuned" || s.thresholds[2].Arm != "tuned" || !s.thresholds[2].Required {
		t.Fatalf("thresholds = %+v", s.thresholds)
	}
}

func TestThresholdPointsApplyOnlyAtTheirPoint(t *testing.T) {
	doc := strings.Replace(base, "  - p99 < 250ms", "  - p99 < 250ms\n  - expr: p50 < 1s\n    point: concurrency=4", 1) + "sweep:\n  concurrency: [2, 4]\n"
	s, err := Parse("p.yaml", []byte(doc), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(s.ThresholdsAt("concurrency=2")); got != 1 {
		t.Errorf("at concurrency=2: %d thresholds, want 1 (the unrestricted one)", got)
	}
	if got := len(s.ThresholdsAt("concurrency=4")); got != 2 {
		t.Errorf("at concurrency=4: %d thresholds, want 2", got)
	}
}

func TestEveryBuiltinParsesWithADescription(t *testing.T) {
	all, err := Builtins()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"a1-policy-burst", "conditions-sweep", "e2-subscription-fanout", "llm-streaming", "mixed-oran", "pool-cliff", "porch-h2",
		"porch-package-churn", "saturation-search", "seed-20-concurrent", "soak", "watcher-intent-storm"}
	if got := strings.Join(BuiltinNames(), ","); got != strings.Join(want, ",") {
		t.Fatalf("built-ins = %s", got)
	}
	reg := transport.NewRegistry()
	for _, s := range all {
		if len(strings.Fields(s.spec.Description)) < 10 {
			t.Errorf("%s: description too short: %q", s.spec.Name, s.spec.Description)
		}
		if _, err := Load(s.spec.Name, reg); err != nil {
			t.Errorf("%s: %v", s.spec.Name, err)
		}
		if s.arms[0] != "default" {
			t.Errorf("%s: first arm %s, want default (the baseline)", s.spec.Name, s.arms[0])
		}
	}
}

func TestTemplatesRenderTheirPlaceholders(t *testing.T) {
	tm, err := CompileTemplate(`/x/{{run}}/{{n}}?id={{id}}`)
	if err != nil {
		t.Fatal(err)
	}
	if got := tm.Render("tuned-r1", 42); got != "/x/tuned-r1/42?id=tuned-r1-42" {
		t.Fatalf("rendered %q", got)
	}
	for _, bad := range []string{"{{n", "{{ n }}", "{{seq}}"} {
		if _, err := CompileTemplate(bad); err == nil {
			t.Errorf("%q: want an error", bad)
		}
	}
}
