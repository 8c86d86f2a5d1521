package scenario

import (
	"strings"
	"testing"

	"github.com/oranbench/oranbench/targets/transport"
)

// kubeDoc is a valid scenario against a kubeconfig, with headers; each case
// edits one thing.
const kubeDoc = `apiVersion: oranbench/v1
kind: Scenario
name: kube
backend:
  kubeconfig: /tmp/kubeconfig
headers:
  X-Api-Key: "Key ${ORANBENCH_TEST_KEY}"
mix: [{request: {method: GET, path: /api/v1/namespaces}}]
load: {model: closed, concurrency: 2}
arms:
  - {name: tuned-qps20, base: tuned, qps: 20, burst: 30}
  - {name: default-qps5, base: default, qps: 5}
  - client-go
duration: 1s
`

func TestKubeconfigHeadersAndLimitsAreRead(t *testing.T) {
	t.Setenv("ORANBENCH_TEST_KEY", "abc")
	p, err := Parse("k.yaml", []byte(kubeDoc), transport.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	if !p.Resolved().Backend.External() {
		t.Error("a kubeconfig backend is not external")
	}
	if got := p.Headers().Get("X-Api-Key"); got != "Key abc" {
		t.Errorf("header = %q, want the variable expanded", got)
	}
	if p.Resolved().Headers["X-Api-Key"] != "Key ${ORANBENCH_TEST_KEY}" {
		t.Errorf("the spec keeps %q, want the value as written", p.Resolved().Headers["X-Api-Key"])
	}
	want := []Limit{{QPS: 20, Burst: 30}, {QPS: 5, Burst: 10}, {}}
	got := p.Limits()
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("arm %d limit = %+v, want %+v", i, got[i], want[i])
		}
	}
	// A limiter alone keeps its base profile as it is, even one not built
	// from a Config.
	if prof := p.Profiles()[1]; prof.Name != transport.ProfileDefault {
		t.Errorf("default-qps5 runs profile %q, want default", prof.Name)
	}
}

func TestBadKubeconfigHeadersAndLimitsNameTheirField(t *testing.T) {
	t.Setenv("ORANBENCH_TEST_KEY", "abc")
	for _, tc := range []struct {
		name, old, new string
		want           []string
	}{
		{"an unset variable", "${ORANBENCH_TEST_KEY}", "${ORANBENCH_NOT_SET_ANYWHERE}",
			[]string{"k.yaml:7", "headers.X-Api-Key", "ORANBENCH_NOT_SET_ANYWHERE", "not set"}},
		{"an unclosed reference", "${ORANBENCH_TEST_KEY}", "${ORANBENCH_TEST_KEY", []string{"headers.X-Api-Key", "unclosed"}},
		{"a Host header", "X-Api-Key:", "host:", []string{"headers.host", "Host"}},
		{"a Content-Length header", "X-Api-Key:", "Content-Length:", []string{"headers.Content-Length"}},
		{"a Transfer-Encoding header", "X-Api-Key:", "Transfer-Encoding:", []string{"headers.Transfer-Encoding"}},
		{"a Connection header", "X-Api-Key:", "Connection:", []string{"headers.Connection"}},
		{"a bad header name", "X-Api-Key:", `"X Api":`, []string{"headers.X Api", "header name"}},
		{"a negative qps", "qps: 20", "qps: -1", []string{"arms[0].qps", "-1"}},
		{"a burst without qps", "qps: 20, burst: 30", "burst: 30", []string{"arms[0].burst", "needs a qps"}},
		{"a negative burst", "burst: 30", "burst: -2", []string{"arms[0].burst"}},
		{"a limiter with the storm model", "mix: [{request: {method: GET, path: /api/v1/namespaces}}]\nload: {model: closed, concurrency: 2}", "load: {model: storm}", []string{"arms[0].qps", "storm"}},
		{"a target beside the kubeconfig", "kubeconfig: /tmp/kubeconfig", "kubeconfig: /tmp/kubeconfig\n  target: https://127.0.0.1:6443",
			[]string{"backend.target", "either backend.kubeconfig or backend.target"}},
		{"a caCert beside the kubeconfig", "kubeconfig: /tmp/kubeconfig", "kubeconfig: /tmp/kubeconfig\n  caCert: ca.pem", []string{"backend.caCert"}},
		{"a mock setting beside the kubeconfig", "kubeconfig: /tmp/kubeconfig", "kubeconfig: /tmp/kubeconfig\n  tls: true",
			[]string{"backend.tls", "remove backend.kubeconfig"}},
		{"a context without a kubeconfig", "kubeconfig: /tmp/kubeconfig", "context: admin", []string{"backend.context", "needs backend.kubeconfig"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := strings.Replace(kubeDoc, tc.old, tc.new, 1)
			if doc == kubeDoc {
				t.Fatalf("the edit %q changed nothing", tc.old)
			}
			_, err := Parse("k.yaml", []byte(doc), transport.NewRegistry())
			if err == nil {
				t.Fatal("accepted")
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") || strings.Contains(msg, "abc") {
				t.Errorf("error %q: want one line without the variable's value", msg)
			}
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not name %q", msg, w)
				}
			}
		})
	}
}

// run --kubeconfig aims a scenario of the mock at the kubeconfig's server,
// dropping the mock's settings; a scenario with its own target conflicts.
func TestWithKubeconfigReplacesOnlyTheMock(t *testing.T) {
	reg := transport.NewRegistry()
	mock, err := Parse("m.yaml", []byte(base), reg)
	if err != nil {
		t.Fatal(err)
	}
	p, err := mock.WithKubeconfig("/tmp/kc", "admin", reg)
	if err != nil {
		t.Fatal(err)
	}
	if b := p.Resolved().Backend; b.Kubeconfig != "/tmp/kc" || b.Context != "admin" || b.TLS != nil {
		t.Errorf("backend = %+v, want only the kubeconfig and context", b)
	}
	ext, err := Parse("e.yaml", []byte(strings.Replace(base, "  tls: true", "  target: http://127.0.0.1:9", 1)), reg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ext.WithKubeconfig("/tmp/kc", "", reg); err == nil || !strings.Contains(err.Error(), "backend.target") || !strings.Contains(err.Error(), "--kubeconfig") {
		t.Errorf("a target and --kubeconfig: %v, want a conflict naming both", err)
	}
}

func TestExpandEnv(t *testing.T) {
	t.Setenv("ORANBENCH_A", "1")
	t.Setenv("ORANBENCH_EMPTY", "")
	for in, want := range map[string]string{
		"":                               "",
		"plain $HOME $ and $$":           "plain $HOME $ and $$",
		"${ORANBENCH_A}":                 "1",
		"a${ORANBENCH_A}b${ORANBENCH_A}": "a1b1",
		"x${ORANBENCH_EMPTY}y":           "xy",
	} {
		if got, err := ExpandEnv(in); err != nil || got != want {
			t.Errorf("ExpandEnv(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"${}", "${1A}", "${A-B}", "${ORANBENCH_UNSET_X}"} {
		if _, err := ExpandEnv(in); err == nil {
			t.Errorf("ExpandEnv(%q) accepted", in)
		}
	}
}
