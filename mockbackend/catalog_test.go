package mockbackend

import (
	"bytes"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

var dottedName = regexp.MustCompile(`^[a-z0-9]+(\.[a-z0-9]+)+$`)

func TestCatalogEntriesAreNamedGroupedAndComplete(t *testing.T) {
	var served []string
	for _, r := range Catalog() {
		group, _, _ := strings.Cut(r.Name, ".")
		if !dottedName.MatchString(r.Name) || !slices.Contains(RouteGroups, group) {
			t.Errorf("route %q: want a dotted name whose group is one of %v", r.Name, RouteGroups)
		}
		if r.API == "" || r.Description == "" || r.Method == "" || !strings.HasPrefix(r.Pattern, "/") {
			t.Errorf("route %q: api %q, description %q, method %q, pattern %q: want all set", r.Name, r.API, r.Description, r.Method, r.Pattern)
		}
		if r.Serves == r.Name {
			served = append(served, r.Name)
		} else if !strings.HasPrefix(r.Name, r.Serves+".") || r.Path == nil {
			t.Errorf("load variant %q of %q: want its name to start with the served route's and a load", r.Name, r.Serves)
		}
		if r.Body != nil && r.Path == nil {
			t.Errorf("route %q has a body but no path generator", r.Name)
		}
		if r.Fixtures != "" && Fixtures(r.Fixtures) == nil {
			t.Errorf("route %q needs unknown fixtures %q", r.Name, r.Fixtures)
		}
		if got, ok := LookupRoute(r.Name); !ok || got.Name != r.Name || got.Pattern != r.Pattern {
			t.Errorf("LookupRoute(%q) = %q, %v", r.Name, got.Name, ok)
		}
	}
	if !slices.Equal(served, RouteNames()) {
		t.Errorf("served catalog routes %v, want RouteNames %v", served, RouteNames())
	}
	if _, ok := LookupRoute("a1-policy-put"); ok {
		t.Error("LookupRoute found a dashed name; the catalog has dotted names only")
	}
	if len(Flows()) == 0 || len(FixtureNames()) == 0 {
		t.Fatalf("%d flows, %d fixture sets; want some of each", len(Flows()), len(FixtureNames()))
	}
	for _, f := range Flows() {
		if !dottedName.MatchString(f.Name) || f.API == "" || f.Description == "" || len(f.Steps) < 2 {
			t.Errorf("flow %q: want a dotted name, an API, a description and at least 2 steps", f.Name)
		}
		for i, st := range f.Steps {
			r, ok := LookupRoute(st.Route)
			if !ok || r.Serves != r.Name || st.Method != r.Method {
				t.Errorf("flow %s step %d: route %q (%v) method %s; want a served route with the same method", f.Name, i, st.Route, ok, st.Method)
			}
		}
		if got, ok := LookupFlow(f.Name); !ok || len(got.Steps) != len(f.Steps) {
			t.Errorf("LookupFlow(%q) = %+v, %v", f.Name, got, ok)
		}
	}
	if Fixtures("nope") != nil {
		t.Error("Fixtures of an unknown set is not nil")
	}
}

// sendCatalogRequest sends one catalog request and checks that the mock counted it on
// route and answered it with a success.
func sendCatalogRequest(t *testing.T, srv *Server, c *http.Client, route, method, path string, body []byte) *http.Response {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, srv.URL()+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	before := srv.Stats()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	d := srv.Stats().Sub(before)
	if d.Routes[route].Requests != 1 || resp.StatusCode >= 300 {
		t.Fatalf("%s %s: status %d %s; counted on %q: %d requests; want a success on that route", method, path, resp.StatusCode, b, route, d.Routes[route].Requests)
	}
	return resp
}

// TestCatalogRequestsReachTheRouteTheyName sends the fixtures, requests of
// every route with load and objects of every flow to the mock: each request
// must be served by the route it names (the one its path was filled into)
// and succeed.
func TestCatalogRequestsReachTheRouteTheyName(t *testing.T) {
	srv := startServer(t, Config{TokenDelay: time.Microsecond, LLMTokens: 4})
	c := newClient(t, srv, nil)
	for _, name := range FixtureNames() {
		for _, stage := range Fixtures(name) {
			for _, r := range stage {
				sendCatalogRequest(t, srv, c, r.Route, r.Method, r.Path, r.Body)
			}
		}
	}
	loaded := 0
	for _, r := range Catalog() {
		if r.Path == nil {
			continue
		}
		loaded++
		for n := range uint64(5) {
			var body []byte
			if r.Body != nil {
				body = r.Body("cat", n)
			}
			resp := sendCatalogRequest(t, srv, c, r.Serves, r.Method, r.Path("cat", n), body)
			if ct := resp.Header.Get("Content-Type"); (r.Name == "llm.chat.stream") != strings.HasPrefix(ct, "text/event-stream") {
				t.Fatalf("%s: Content-Type %q", r.Name, ct)
			}
		}
	}
	if loaded < 20 {
		t.Fatalf("%d routes with load, want at least 20", loaded)
	}
	for fi, f := range Flows() {
		// Flows may create the same kind of object: as a load generator
		// does, the flow's index keeps their ids apart.
		for _, k := range []string{"0", "1", "17"} {
			id := "cat-" + itoa(fi) + "-" + k
			for _, st := range f.Steps {
				var body []byte
				if st.Body != nil {
					body = st.Body(id)
				}
				sendCatalogRequest(t, srv, c, st.Route, st.Method, st.Path(id), body)
			}
		}
	}
}
