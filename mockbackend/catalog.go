package mockbackend

import (
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Route is one entry of the route catalog: an operation of one of the mocked
// APIs, and, for the operations a load generator exercises, how it builds
// request n of a run.
//
// Most entries are routes the mock serves. A load variant is a second request
// shape of one of them (llm.chat.stream streams what llm.chat answers at
// once); its name starts with the name of the route that serves it.
type Route struct {
	// Name is dotted, group first ("a1.policy.put"); the group is the part
	// before the first dot. Names of served routes (RouteNames) and groups
	// (RouteGroups) are the keys of Config.Routes.
	Name        string
	API         string // e.g. "A1-P v2", "Porch REST"
	Description string
	Method      string
	// Pattern is the path template in net/http.ServeMux syntax, e.g.
	// "/A1-P/v2/policytypes/{t}/policies/{p}"; the mock serves it, and Path
	// fills it in.
	Pattern string
	// Serves is the name of the route the mock answers this entry with:
	// Name itself, or for a load variant the route it varies.
	Serves string
	// Path returns the path of request n of a run whose unique prefix is
	// run (so creates never collide across runs); nil when the catalog has
	// no load for the route.
	Path func(run string, n uint64) string
	// Body returns the JSON body of request n, or is nil when the request
	// has none.
	Body func(run string, n uint64) []byte
	// Fixtures names the fixture set (see Fixtures) that must exist before
	// load so this route's reads find their objects; "" for none.
	Fixtures string
}

// Fill returns the route's path with values in its pattern's wildcards, in
// order: LookupRoute("a1.policy.get") filled with "1000", "p1" is
// "/A1-P/v2/policytypes/1000/policies/p1". It panics when the number of
// values differs from the number of wildcards.
func (r Route) Fill(values ...string) string {
	t := compilePattern(r.Pattern)
	if len(values) != len(t.lits)-1 {
		panic("mockbackend: route " + r.Name + ": " + strconv.Itoa(len(values)) + " path values for " + strconv.Itoa(len(t.lits)-1) + " wildcards")
	}
	return t.fill(r.Name, vals(values...))
}

// Flow is a sequence of dependent requests on one object, such as Porch's
// create → propose → approve. A load generator sends a step only after the
// previous step of the same object succeeded.
type Flow struct {
	Name        string // dotted like route names: "porch.package.publish"
	API         string
	Description string
	// Fixtures names the fixture set the flow needs before load, or "".
	Fixtures string
	Steps    []FlowStep
}

// FlowStep is one request of a flow; id is unique per object and run.
type FlowStep struct {
	Route  string // the catalog route the step sends
	Method string
	Path   func(id string) string
	Body   func(id string) []byte // nil: no body
}

// Request is one request of a fixture set: a path to append to the base URL
// and a JSON body, or nil.
type Request struct {
	Route  string // the catalog route it sends
	Method string
	Path   string
	Body   []byte
}

// Catalog returns every route of the catalog, grouped by API in the order the
// mock registers them; load variants follow the route they vary.
func Catalog() []Route {
	t := catalog()
	out := make([]Route, len(t.routes))
	for i, rs := range t.routes {
		out[i] = rs.Route
	}
	return out
}

// LookupRoute returns the catalog route with the given name.
func LookupRoute(name string) (Route, bool) {
	t := catalog()
	i, ok := t.routeIndex[name]
	if !ok {
		return Route{}, false
	}
	return t.routes[i].Route, true
}

// Flows returns the catalog's flows, sorted by name.
func Flows() []Flow {
	t := catalog()
	out := make([]Flow, len(t.flows))
	for i, f := range t.flows {
		out[i] = f
		out[i].Steps = slices.Clone(f.Steps)
	}
	return out
}

// LookupFlow returns the flow with the given name.
func LookupFlow(name string) (Flow, bool) {
	for _, f := range Flows() {
		if f.Name == name {
			return f, true
		}
	}
	return Flow{}, false
}

// FixtureNames lists the fixture sets, sorted.
func FixtureNames() []string {
	names := make([]string, 0, len(fixtureSets))
	for n := range fixtureSets {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Fixtures returns the requests that create a fixture set, in stages: the
// requests of one stage are independent of each other and may be sent at
// once; a stage needs the ones before it (E2 subscriptions need their nodes).
// Creating an object that exists (409) is fine: an external backend may keep
// them from an earlier run. Nil for an unknown set.
func Fixtures(name string) [][]Request {
	build, ok := fixtureSets[name]
	if !ok {
		return nil
	}
	t := catalog()
	var out [][]Request
	for _, stage := range build() {
		reqs := make([]Request, len(stage))
		for i, f := range stage {
			rs := t.routes[t.routeIndex[f.route]]
			reqs[i] = Request{Route: f.route, Method: rs.Method, Path: rs.tmpl.fill(rs.Name, f.params), Body: f.body}
		}
		out = append(out, reqs)
	}
	return out
}

// loadShape is how a load generator exercises a route: the values of the
// pattern's wildcards, in order, and the body, for request n of a run.
type loadShape struct {
	params   func(run string, n uint64) pathVals // nil: a pattern without wildcards
	body     func(run string, n uint64) []byte   // nil: no body
	fixtures string
}

// flowDef is a flow as written: steps name their route.
type flowDef struct {
	api, description, fixtures string
	steps                      []flowStepDef
}

type flowStepDef struct {
	route  string
	params func(id string) pathVals
	body   func(id string) []byte
}

// fixtureReq is one fixture request as written.
type fixtureReq struct {
	route  string
	params pathVals
	body   []byte
}

// table is the built catalog: the route table with compiled templates and
// load generators, and the flows bound to their routes.
type table struct {
	routes     []routeSpec
	routeIndex map[string]int
	flows      []Flow
}

var catalog = sync.OnceValue(buildCatalog)

// apiRoutes lists the routes of every API, grouped by API.
func apiRoutes() []routeSpec {
	var t []routeSpec
	for _, api := range []struct {
		name   string
		routes []routeSpec
	}{
		{"A1-P v2", a1Routes()},
		{"E2", e2Routes()},
		{"Porch REST", porchRoutes()},
		{"Porch k8s", porchK8sRoutes()},
		{"RAG", ragRoutes()},
		{"LLM", llmRoutes()},
	} {
		for _, rs := range api.routes {
			rs.API = api.name
			t = append(t, rs)
		}
	}
	return t
}

func buildCatalog() *table {
	t := &table{routeIndex: make(map[string]int)}
	for _, rs := range apiRoutes() {
		if rs.Serves == "" {
			rs.Serves = rs.Name
		}
		if rs.Serves != rs.Name {
			base := t.routes[t.routeIndex[rs.Serves]]
			rs.Method, rs.Pattern, rs.API = base.Method, base.Pattern, base.API
		}
		rs.tmpl = compilePattern(rs.Pattern)
		if l := rs.load; l != nil {
			rs.Path = rs.tmpl.generator(rs.Name, l.params)
			rs.Body = l.body
			rs.Fixtures = l.fixtures
		}
		if _, dup := t.routeIndex[rs.Name]; dup {
			panic("mockbackend: route " + rs.Name + " is in the catalog twice")
		}
		t.routeIndex[rs.Name] = len(t.routes)
		t.routes = append(t.routes, rs)
	}
	names := make([]string, 0, len(flowDefs))
	for n := range flowDefs {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, name := range names {
		d := flowDefs[name]
		f := Flow{Name: name, API: d.api, Description: d.description, Fixtures: d.fixtures}
		for _, sd := range d.steps {
			rs := t.routes[t.routeIndex[sd.route]]
			tmpl, params, route := rs.tmpl, sd.params, rs.Name
			st := FlowStep{Route: route, Method: rs.Method, Body: sd.body}
			if params == nil {
				path := tmpl.fill(route, pathVals{})
				st.Path = func(string) string { return path }
			} else {
				st.Path = func(id string) string { return tmpl.fill(route, params(id)) }
			}
			f.Steps = append(f.Steps, st)
		}
		t.flows = append(t.flows, f)
	}
	return t
}

// pathTemplate is a ServeMux pattern's path split at its wildcards: literal
// parts around len(lits)-1 wildcards.
type pathTemplate struct {
	lits []string
	size int // total length of the literals
}

func compilePattern(pattern string) pathTemplate {
	var t pathTemplate
	for {
		i := strings.IndexByte(pattern, '{')
		if i < 0 {
			break
		}
		j := strings.IndexByte(pattern[i:], '}')
		if j < 0 {
			break
		}
		t.lits = append(t.lits, pattern[:i])
		pattern = pattern[i+j+1:]
	}
	t.lits = append(t.lits, pattern)
	for _, l := range t.lits {
		t.size += len(l)
	}
	return t
}

// maxWildcards is the most wildcards a route's pattern has.
const maxWildcards = 3

// pathVals are the values of a pattern's wildcards, in order: a value, so
// that filling in a path allocates nothing but the path.
type pathVals struct {
	n int
	v [maxWildcards]string
}

// vals returns its arguments as path values.
func vals(v ...string) pathVals {
	var p pathVals
	if len(v) > maxWildcards {
		panic("mockbackend: more than " + strconv.Itoa(maxWildcards) + " path values")
	}
	p.n = copy(p.v[:], v)
	return p
}

// fill puts the values into the wildcards, in order.
func (t pathTemplate) fill(route string, p pathVals) string {
	if p.n != len(t.lits)-1 {
		panic("mockbackend: route " + route + ": " + strconv.Itoa(p.n) + " path values for " + strconv.Itoa(len(t.lits)-1) + " wildcards")
	}
	if p.n == 0 {
		return t.lits[0]
	}
	n := t.size
	for _, v := range p.v[:p.n] {
		n += len(v)
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteString(t.lits[0])
	for i, v := range p.v[:p.n] {
		b.WriteString(v)
		b.WriteString(t.lits[i+1])
	}
	return b.String()
}

// generator returns the Path function of a route with load.
func (t pathTemplate) generator(route string, params func(string, uint64) pathVals) func(string, uint64) string {
	if params == nil {
		path := t.fill(route, pathVals{})
		return func(string, uint64) string { return path }
	}
	return func(run string, n uint64) string { return t.fill(route, params(run, n)) }
}
