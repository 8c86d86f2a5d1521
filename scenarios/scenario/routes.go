package scenario

import (
	"slices"
	"strings"

	"github.com/oranbench/oranbench/mockbackend"
)

// A mix names routes and flows of the mock's route catalog
// (mockbackend.Catalog, mockbackend.Flows): the same dotted names as
// backend.routes, and the same requests whether they go to the mock or to an
// external backend.

// LookupRoute returns the catalog route a mix may name: one with load.
func LookupRoute(name string) (*mockbackend.Route, bool) {
	r, ok := mockbackend.LookupRoute(name)
	if !ok || r.Path == nil {
		return nil, false
	}
	return &r, true
}

// LookupFlow returns the catalog flow of that name.
func LookupFlow(name string) (*mockbackend.Flow, bool) {
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

// FixtureSets lists the fixture sets the mix's routes and flows read, in
// order of first use.
func FixtureSets(mix []MixEntry) []string {
	var sets []string
	for _, m := range mix {
		k := ""
		switch {
		case m.Route != "":
			if r, ok := LookupRoute(m.Route); ok {
				k = r.Fixtures
			}
		case m.Flow != "":
			if f, ok := LookupFlow(m.Flow); ok {
				k = f.Fixtures
			}
		}
		if k != "" && !slices.Contains(sets, k) {
			sets = append(sets, k)
		}
	}
	return sets
}

// KubeAPIPrefix starts the paths of the Kubernetes API (porch.kpt.dev
// PackageRevisions): the only fixtures the harness creates on a server that
// is not the mock.
const KubeAPIPrefix = "/apis/"

// fixtureNeed is the fixture set a mix entry reads ("" for none) and
// whether the entry's requests go to the Kubernetes API, where a real
// server has the fixtures' objects too; the other fixture sets exist only
// as paths the mock serves.
func fixtureNeed(m MixEntry) (set string, kubeAPI bool) {
	switch {
	case m.Route != "":
		if r, ok := LookupRoute(m.Route); ok {
			return r.Fixtures, strings.HasPrefix(r.Path("", 0), KubeAPIPrefix)
		}
	case m.Flow != "":
		if f, ok := LookupFlow(m.Flow); ok {
			return f.Fixtures, false
		}
	}
	return "", false
}

// mixName is how errors name a mix entry: its route, flow or request.
func mixName(m MixEntry) string {
	switch {
	case m.Flow != "":
		return "flow " + m.Flow
	case m.Request != nil:
		return m.Request.Method + " " + m.Request.Path
	}
	return m.Route
}
