package scenario

import (
	"strings"
	"testing"

	"github.com/oranbench/oranbench/targets/transport"
)

// TestEveryMixNameIsADottedCatalogName: a mix names routes and flows by the
// catalog's names only; no route needs a second, legacy name.
func TestEveryMixNameIsADottedCatalogName(t *testing.T) {
	for _, name := range MixRoutes() {
		if strings.Contains(name, "-") {
			t.Fatalf("route %q: want the catalog's dotted names only", name)
		}
		if r, ok := LookupRoute(name); !ok || r.Name != name {
			t.Fatalf("lookupRoute(%q) = %v, %v; want the route of that name", name, r, ok)
		}
	}
	for _, name := range MixFlows() {
		if f, ok := LookupFlow(name); !ok || f.Name != name {
			t.Fatalf("lookupFlow(%q) = %v, %v; want the flow of that name", name, f, ok)
		}
	}
}

// mixNames is a scenario whose mix names two routes (one of them twice) and
// a flow by the catalog's names.
const mixNames = `apiVersion: oranbench/v1
kind: Scenario
name: mix-names
backend:
  latency: 1ms
  routes:
    a1.policy.put:
      latency: 2ms
mix:
  - route: a1.policy.put
    weight: 2
  - route: llm.chat.stream
  - flow: porch.package.publish
  - route: a1.policy.put
  - route: a1.policy.get
load:
  model: closed
  concurrency: 2
arms: [tuned]
duration: 200ms
warmup: 50ms
repetitions: 1
`

// TestTheDashedNamesOfBeforeTheCatalogAreRefused: no release ever shipped
// the dashed mix names, so none is kept as an alias: each is an unknown
// route or flow that lists the catalog's names.
func TestTheDashedNamesOfBeforeTheCatalogAreRefused(t *testing.T) {
	for _, c := range []struct{ from, to, field string }{
		{"route: a1.policy.put\n    weight", "route: a1-policy-put\n    weight", "mix[0].route"},
		{"route: llm.chat.stream", "route: llm-chat-stream", "mix[1].route"},
		{"flow: porch.package.publish", "flow: porch-propose-approve", "mix[2].flow"},
	} {
		doc := strings.Replace(mixNames, c.from, c.to, 1)
		_, err := Parse("old.yaml", []byte(doc), transport.NewRegistry())
		if err == nil {
			t.Fatalf("%s: the dashed name was accepted", c.to)
		}
		if msg := err.Error(); !strings.Contains(msg, c.field) || !strings.Contains(msg, "valid") || strings.Contains(msg, "deprecated") {
			t.Errorf("%s: error %q, want one naming %s and the valid names", c.to, msg, c.field)
		}
	}
	if _, err := Parse("new.yaml", []byte(mixNames), transport.NewRegistry()); err != nil {
		t.Fatalf("the catalog's names: %v", err)
	}
}

func TestAnUnknownRouteListsTheCatalogNames(t *testing.T) {
	doc := strings.Replace(mixNames, "route: a1.policy.get", "route: a1-policy-teleport", 1)
	_, err := Parse("bad.yaml", []byte(doc), transport.NewRegistry())
	if err == nil {
		t.Fatal("an unknown route was accepted")
	}
	msg := err.Error()
	for _, want := range []string{"bad.yaml:15", "mix[4].route", `"a1-policy-teleport"`, "valid routes are a1.policy.get, a1.policy.put,", "llm.chat.stream", "porch.package.create"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, "a1-policy-put") {
		t.Errorf("error %q lists a dashed name", msg)
	}
}
