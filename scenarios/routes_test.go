package scenarios

import (
	"bytes"
	"context"
	"maps"
	"slices"
	"strings"
	"testing"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/oranbench/oranbench/targets/transport"
)

func TestEveryMixNameIsACatalogNameAndEveryOldNameMapsToOne(t *testing.T) {
	if got, want := slices.Sorted(maps.Values(renamedRoutes)), MixRoutes(); !slices.Equal(got, want) {
		t.Fatalf("old route names map to %v, want each of the catalog's routes with load once: %v", got, want)
	}
	if got, want := slices.Sorted(maps.Values(renamedFlows)), MixFlows(); !slices.Equal(got, want) {
		t.Fatalf("old flow names map to %v, want each of the catalog's flows once: %v", got, want)
	}
	for old, name := range renamedRoutes {
		r, ok := lookupRoute(old)
		if !ok || r.Name != name {
			t.Fatalf("lookupRoute(%q) = %v, %v; want %s", old, r, ok, name)
		}
	}
	for _, name := range MixRoutes() {
		if strings.Contains(name, "-") {
			t.Fatalf("route %q: want the catalog's dotted names only", name)
		}
	}
}

// oldNames is a scenario written with the names of the previous release:
// two old route names (one of them twice) and an old flow name.
const oldNames = `apiVersion: oranbench/v1
kind: Scenario
name: old-names
backend:
  latency: 1ms
  routes:
    a1.policy.put:
      latency: 2ms
mix:
  - route: a1-policy-put
    weight: 2
  - route: llm-chat-stream
  - flow: porch-propose-approve
  - route: a1-policy-put
  - route: a1.policy.get
load:
  model: closed
  concurrency: 2
arms: [tuned]
duration: 200ms
warmup: 50ms
repetitions: 1
`

// TestOldRouteNamesRunIdenticallyAndLogOneDeprecationEach runs a scenario
// written with old names and the same scenario with the catalog's names: the
// first logs one deprecation line per old name used, the second none, and
// both send the same requests in the same order and report the same routes.
func TestOldRouteNamesRunIdenticallyAndLogOneDeprecationEach(t *testing.T) {
	newNames := strings.NewReplacer("a1-policy-put", "a1.policy.put", "llm-chat-stream", "llm.chat.stream",
		"porch-propose-approve", "porch.package.publish", "name: old-names", "name: new-names").Replace(oldNames)
	reg := transport.NewRegistry()
	old, err := Parse("old.yaml", []byte(oldNames), reg)
	if err != nil {
		t.Fatalf("a scenario with old names: %v", err)
	}
	cur, err := Parse("new.yaml", []byte(newNames), reg)
	if err != nil {
		t.Fatal(err)
	}

	// The same requests, in the same order, before and after the names are
	// resolved.
	sent := func(mix []MixEntry) []string {
		m, err := newMixTargeter("", "same", mix, 7)
		if err != nil {
			t.Fatal(err)
		}
		tg := m.targeter()
		var out []string
		for range 300 {
			var tgt vegeta.Target
			if err := tg(&tgt); err != nil {
				t.Fatal(err)
			}
			out = append(out, tgt.Method+" "+tgt.URL+" "+tgt.Header.Get("Content-Type")+" "+string(tgt.Body))
		}
		return out
	}
	want := sent(cur.spec.Mix)
	if got := sent(old.spec.Mix); !slices.Equal(got, want) {
		t.Fatal("old names send other requests than the catalog's names")
	}
	if got, want := fixtureSets(old.spec.Mix), fixtureSets(cur.spec.Mix); !slices.Equal(got, want) || len(got) == 0 {
		t.Fatalf("old names prepare fixtures %v, new ones %v", got, want)
	}

	var oldLog, newLog bytes.Buffer
	oldRes, err := Run(context.Background(), old, Options{Log: &oldLog})
	if err != nil {
		t.Fatal(err)
	}
	newRes, err := Run(context.Background(), cur, Options{Log: &newLog})
	if err != nil {
		t.Fatal(err)
	}
	var deprecations []string
	for _, l := range strings.Split(oldLog.String(), "\n") {
		if strings.Contains(l, "deprecated") {
			deprecations = append(deprecations, l)
		}
	}
	wantLines := []string{
		`old-names: old.yaml:10: mix[0].route: "a1-policy-put" is a deprecated route name; use "a1.policy.put" (old names are accepted for one more release)`,
		`old-names: old.yaml:12: mix[1].route: "llm-chat-stream" is a deprecated route name; use "llm.chat.stream" (old names are accepted for one more release)`,
		`old-names: old.yaml:13: mix[2].flow: "porch-propose-approve" is a deprecated flow name; use "porch.package.publish" (old names are accepted for one more release)`,
	}
	if !slices.Equal(deprecations, wantLines) {
		t.Fatalf("deprecation lines:\n%s\nwant:\n%s", strings.Join(deprecations, "\n"), strings.Join(wantLines, "\n"))
	}
	if !strings.HasPrefix(oldLog.String(), wantLines[0]+"\n") {
		t.Fatalf("the deprecation lines are not the first of the run's log:\n%s", oldLog.String())
	}
	if strings.Contains(newLog.String(), "deprecated") {
		t.Fatalf("the catalog's names logged a deprecation:\n%s", newLog.String())
	}
	if !slices.Equal(oldRes.Conditions.Routes, newRes.Conditions.Routes) || !strings.Contains(strings.Join(oldRes.Conditions.Routes, ","), "a1.policy.put ×2") {
		t.Fatalf("reported routes %v with old names, %v with new ones; want the catalog's names in both", oldRes.Conditions.Routes, newRes.Conditions.Routes)
	}
	for _, r := range []struct {
		name string
		res  []string
	}{{"old", oldRes.Conditions.Routes}, {"new", newRes.Conditions.Routes}} {
		if slices.ContainsFunc(r.res, func(s string) bool { return strings.Contains(s, "-") }) {
			t.Fatalf("%s names: reported routes %v keep a dashed name", r.name, r.res)
		}
	}
	if tot := oldRes.Arms[0].Total; tot.Requests == 0 || tot.SuccessPct != 100 {
		t.Fatalf("run with old names: %d requests, %.1f%% success", tot.Requests, tot.SuccessPct)
	}
}

func TestAnUnknownRouteListsTheCatalogNames(t *testing.T) {
	doc := strings.Replace(oldNames, "route: a1.policy.get", "route: a1-policy-teleport", 1)
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
	for old := range renamedRoutes {
		if strings.Contains(msg, old) {
			t.Errorf("error %q lists the old name %q", msg, old)
		}
	}
}
