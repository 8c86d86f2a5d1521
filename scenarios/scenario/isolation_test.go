package scenario

import (
	"strings"
	"testing"

	"github.com/oranbench/oranbench/targets/transport"
)

const isolatedDoc = `apiVersion: oranbench/v1
kind: Scenario
name: isolated
backend:
  tls: true
  isolation: process
mix: [{route: a1.types.list}]
load: {model: closed, concurrency: 4}
arms: [default, tuned]
duration: 300ms
warmup: 100ms
repetitions: 2
`

func TestBadIsolationSettingsAreRefused(t *testing.T) {
	for _, c := range []struct{ backend, want string }{
		{"isolation: elsewhere", `backend.isolation: "elsewhere": want auto, process or in-process`},
		{"isolation: in-process\n  cpus: {generator: \"0\", backend: \"1\"}", "backend.cpus"},
		{"cpus: {generator: \"0-1\", backend: \"1\"}", "CPU 1 is in both"},
		{"cpus: {generator: \"x\", backend: \"1\"}", "backend.cpus.generator"},
	} {
		doc := strings.Replace(isolatedDoc, "  isolation: process", "  "+c.backend, 1)
		_, err := Parse("bad.yaml", []byte(doc), transport.NewRegistry())
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.backend, err, c.want)
		}
	}
}
