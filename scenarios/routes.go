package scenarios

import (
	"fmt"
	"net/http"
	"slices"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/oranbench/oranbench/mockbackend"
)

// A mix names routes and flows of the mock's route catalog
// (mockbackend.Catalog, mockbackend.Flows): the same dotted names as
// backend.routes, and the same requests whether they go to the mock or to an
// external backend.

// renamedRoutes and renamedFlows map the dashed mix names of the previous
// release to the catalog's. The old names are accepted for one more release;
// a run that uses one logs a deprecation line (see resolveRenamed).
var (
	renamedRoutes = map[string]string{
		"a1-policytypes-list":    "a1.types.list",
		"a1-policy-put":          "a1.policy.put",
		"a1-policy-get":          "a1.policy.get",
		"a1-policy-status":       "a1.policy.status",
		"e2-servicemodels-list":  "e2.servicemodels.list",
		"e2-node-get":            "e2.node.get",
		"e2-subscription-create": "e2.subscription.create",
		"e2-subscription-get":    "e2.subscription.get",
		"e2-indications-list":    "e2.indications.list",
		"e2-control":             "e2.control",
		"porch-package-create":   "porch.package.create",
		"porch-package-get":      "porch.package.get",
		"porch-revision-get":     "porch.revision.get",
		"porch-k8s-create":       "porch.k8s.create",
		"porch-k8s-get":          "porch.k8s.get",
		"rag-query":              "rag.query",
		"rag-intent":             "rag.intent",
		"rag-process":            "rag.process",
		"llm-chat":               "llm.chat",
		"llm-chat-stream":        "llm.chat.stream",
	}
	renamedFlows = map[string]string{
		"porch-propose-approve": "porch.package.publish",
		"porch-k8s-lifecycle":   "porch.k8s.lifecycle",
		"a1-policy-apply":       "a1.policy.apply",
		"e2-subscribe":          "e2.subscription.lifecycle",
		"intent-pipeline":       "intent.pipeline",
	}
)

// lookupRoute returns the catalog route a mix may name: one with load. An
// old name finds the route it was renamed to.
func lookupRoute(name string) (*mockbackend.Route, bool) {
	if n, ok := renamedRoutes[name]; ok {
		name = n
	}
	r, ok := mockbackend.LookupRoute(name)
	if !ok || r.Path == nil {
		return nil, false
	}
	return &r, true
}

// lookupFlow returns the catalog flow of that name or old name.
func lookupFlow(name string) (*mockbackend.Flow, bool) {
	if n, ok := renamedFlows[name]; ok {
		name = n
	}
	f, ok := mockbackend.LookupFlow(name)
	if !ok {
		return nil, false
	}
	return &f, true
}

// MixRoutes lists the catalog routes a mix may use (those with a request
// path), sorted; mockbackend.RouteNames lists every route.
func MixRoutes() []string {
	var out []string
	for _, r := range mockbackend.Catalog() {
		if r.Path != nil {
			out = append(out, r.Name)
		}
	}
	slices.Sort(out)
	return out
}

// MixFlows lists the flows a mix may use, sorted.
func MixFlows() []string {
	var out []string
	for _, f := range mockbackend.Flows() {
		out = append(out, f.Name)
	}
	slices.Sort(out)
	return out
}

// resolveRenamed replaces old route and flow names in the mix by the catalog's
// while the Plan is built, and returns one deprecation line per old name
// used, naming where it is written; Run logs them.
func (p *Plan) resolveRenamed() []string {
	var lines []string
	var mix []MixEntry
	seen := map[string]bool{}
	for i, m := range p.spec.Mix {
		for _, ref := range []struct {
			kind    string
			name    string
			renamed map[string]string
		}{
			{"route", m.Route, renamedRoutes},
			{"flow", m.Flow, renamedFlows},
		} {
			to, ok := ref.renamed[ref.name]
			if !ok {
				continue
			}
			if mix == nil {
				mix = slices.Clone(p.spec.Mix)
			}
			field := fmt.Sprintf("mix[%d].%s", i, ref.kind)
			if !seen[ref.name] {
				seen[ref.name] = true
				lines = append(lines, fmt.Sprintf("%s: %s: %q is a deprecated %s name; use %q (old names are accepted for one more release)",
					p.spec.Name, p.where(field), ref.name, ref.kind, to))
			}
			if ref.kind == "route" {
				mix[i].Route = to
			} else {
				mix[i].Flow = to
			}
		}
	}
	if mix != nil {
		p.spec.Mix = mix
	}
	return lines
}

// where names a field with its place, "file:line: field", as errors do;
// the field alone for a scenario built without a file.
func (p *Plan) where(field string) string {
	if p.file == "" {
		return field
	}
	loc := p.file
	if l := p.line(field); l > 0 {
		loc += ":" + itoa(l)
	}
	return loc + ": " + field
}

var jsonHeader = http.Header{"Content-Type": []string{"application/json"}}

// fixtureSets lists the fixture sets the mix's routes and flows read, in
// order of first use.
func fixtureSets(mix []MixEntry) []string {
	var sets []string
	for _, m := range mix {
		k := ""
		switch {
		case m.Route != "":
			if r, ok := lookupRoute(m.Route); ok {
				k = r.Fixtures
			}
		case m.Flow != "":
			if f, ok := lookupFlow(m.Flow); ok {
				k = f.Fixtures
			}
		}
		if k != "" && !slices.Contains(sets, k) {
			sets = append(sets, k)
		}
	}
	return sets
}

// fixtureRequests returns the requests that create a fixture set, by stage,
// with paths relative to the backend's URL.
func fixtureRequests(set string) [][]vegeta.Target {
	var out [][]vegeta.Target
	for _, stage := range mockbackend.Fixtures(set) {
		ts := make([]vegeta.Target, len(stage))
		for i, r := range stage {
			ts[i] = vegeta.Target{Method: r.Method, URL: r.Path, Body: r.Body}
			if r.Body != nil {
				ts[i].Header = jsonHeader
			}
		}
		out = append(out, ts)
	}
	return out
}
