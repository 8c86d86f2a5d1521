package watchertest

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/oranbench/oranbench/mockbackend"
)

// routePath fills a mock route's pattern.
func routePath(t *testing.T, name string, values ...string) string {
	t.Helper()
	r, ok := mockbackend.LookupRoute(name)
	if !ok {
		t.Fatalf("the mock has no route %s", name)
	}
	return r.Fill(values...)
}

func TestFakePorchAnswersLikePorchAndCounts(t *testing.T) {
	p := NewPorch(Options{TLS: true, FailCreates: 1})
	defer p.Close()
	c := p.Client()
	post := func(path, body string) int {
		resp, err := c.Post(p.URL+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatalf("POST %s: %v", path, err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	createPath, proposePath := routePath(t, "porch.package.create", "r"), routePath(t, "porch.proposal.create")
	const create = `{"metadata":{"name":"pkg-a","namespace":"default"},"spec":{"workspace":"ws","intent":{"k":1},"revision":"v1"}}`
	steps := []struct {
		name string
		path string
		body string
		want int
	}{
		{"a body without a name is refused", createPath, `{"spec":{}}`, http.StatusBadRequest},
		{"the first create fails as configured", createPath, create, http.StatusServiceUnavailable},
		{"proposing an unknown revision is not found", proposePath, `{"packageRevision":"r.pkg-a.ws"}`, http.StatusNotFound},
		{"a create succeeds", createPath, create, http.StatusCreated},
		{"creating the same name conflicts", createPath, create, http.StatusConflict},
		{"a proposal succeeds", proposePath, `{"packageRevision":"r.pkg-a.ws","namespace":"default"}`, http.StatusCreated},
		{"proposing again conflicts", proposePath, `{"packageRevision":"r.pkg-a.ws","namespace":"default"}`, http.StatusConflict},
	}
	for _, s := range steps {
		if got := post(s.path, s.body); got != s.want {
			t.Fatalf("%s: status %d, want %d", s.name, got, s.want)
		}
	}
	got := p.Counts()
	if got.Created["pkg-a"] != 1 || got.CreateRequests["pkg-a"] != 3 || got.Proposed["pkg-a"] != 1 || got.ProposeRequests["pkg-a"] != 2 || got.ProposeRequests["r.pkg-a.ws"] != 1 {
		t.Fatalf("counts %+v, want 1 created of 3 requests, 1 proposed of 2 requests and 1 unknown proposal", got)
	}
	resp, err := c.Get(p.URL + routePath(t, "porch.package.get", "r", "pkg-a"))
	if err != nil {
		t.Fatal(err)
	}
	var rev struct {
		Metadata struct{ Name string } `json:"metadata"`
	}
	err = json.NewDecoder(resp.Body).Decode(&rev)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || rev.Metadata.Name != "r.pkg-a.ws" {
		t.Fatalf("lookup = %d %q (%v), want 200 r.pkg-a.ws", resp.StatusCode, rev.Metadata.Name, err)
	}
	if string(got.Intents["pkg-a"]) != `{"k":1}` {
		t.Fatalf("stored intent %s, want {\"k\":1}", got.Intents["pkg-a"])
	}
}
