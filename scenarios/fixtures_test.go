package scenarios

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/oranbench/oranbench/mockbackend"
	"github.com/oranbench/oranbench/reports/results"
	"github.com/oranbench/oranbench/targets/transport"
)

// externalMock starts the mock as a stand-in for a real server the run does
// not own: its URL goes in backend.target, its CA in backend.caCert.
func externalMock(t *testing.T) (*mockbackend.Server, string) {
	t.Helper()
	srv, err := mockbackend.Start(mockbackend.Config{Listen: "127.0.0.1:0", TLS: true, HTTP2: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, srv.CACertPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	return srv, ca
}

// packageRevisions lists the mock's PackageRevisions through the Kubernetes
// API, with selector as labelSelector ("" for all).
func packageRevisions(t *testing.T, srv *mockbackend.Server, selector string) []string {
	t.Helper()
	tr := transport.DefaultTransport(srv.ClientTLSConfig())
	defer tr.CloseIdleConnections()
	u := srv.URL() + porchAPI + "/" + porchRevisions
	if selector != "" {
		u += "?labelSelector=" + url.QueryEscape(selector)
	}
	resp, err := (&http.Client{Transport: tr, Timeout: 10 * time.Second}).Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list struct {
		Items []objectRef `json:"items"`
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("list: status %d", resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, o := range list.Items {
		names = append(names, o.Metadata.Namespace+"/"+o.Metadata.Name)
	}
	return names
}

func externalFixtureScenario(target, ca, duration string) string {
	return `apiVersion: oranbench/v1
kind: Scenario
name: external-fixtures
backend:
  target: ` + target + `
  caCert: ` + ca + `
fixtures: create
mix:
  - {route: porch.k8s.get, weight: 4}
  - {route: porch.k8s.create, weight: 1}
  - {flow: porch.k8s.lifecycle, weight: 1}
load: {model: closed, concurrency: 4}
arms: [default, tuned]
duration: ` + duration + `
warmup: 100ms
repetitions: 1
`
}

// F24.3: against an external backend, the fixtures and the mix's own
// creates carry the run's label and are all deleted at the end: the server
// is left as it was, checked through its API.
func TestAnExternalRunLeavesNoLabelledObjectBehind(t *testing.T) {
	srv, ca := externalMock(t)
	p := mustParse(t, externalFixtureScenario(srv.URL(), ca, "300ms"))
	res, err := Run(context.Background(), p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	f := res.Fixtures
	if f == nil {
		t.Fatal("no fixtures recorded")
	}
	// 32 read-pr-N fixtures; the REST part of the porch set is the mock's
	// own and is not sent to an external server.
	if f.Created != 32 || f.Deleted <= f.Created || f.Leftover != 0 || f.Error != "" || !strings.HasPrefix(f.Label, RunLabel+"=r") {
		t.Errorf("fixtures %+v: want 32 created, more deleted (the mix's creates too), none left", *f)
	}
	if left := packageRevisions(t, srv, RunLabel); len(left) != 0 {
		t.Errorf("%d objects with the label %s left: %v", len(left), RunLabel, left[:min(5, len(left))])
	}
	if all := packageRevisions(t, srv, ""); len(all) != 0 {
		t.Errorf("%d objects left without the label (created unlabelled): %v", len(all), all[:min(5, len(all))])
	}
	for _, a := range res.Arms {
		if a.Total.Successes == 0 || a.Total.Client.TLS == nil || a.Total.Client.TLS.Version == "" {
			t.Errorf("arm %s: %d successes, TLS seen %+v", a.Name, a.Total.Successes, a.Total.Client.TLS)
		}
	}
	if res.Origin != results.OriginFile {
		t.Errorf("origin %q, want %q", res.Origin, results.OriginFile)
	}
}

// F24.3: a run interrupted mid-load (as SIGINT cancels the context) still
// deletes everything it labelled, on a context of its own.
func TestAnInterruptedExternalRunStillCleansUp(t *testing.T) {
	srv, ca := externalMock(t)
	p := mustParse(t, externalFixtureScenario(srv.URL(), ca, "30s"))
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	var once sync.Once
	var seen int
	res, err := Run(ctx, p, Options{OnRun: func(RunInfo) ResultFunc {
		return func(*vegeta.Result) {
			// Results arrive on one goroutine: cancel once the load has
			// created objects of its own.
			if seen++; seen == 200 {
				once.Do(func() { cancel(context.Canceled) })
			}
		}
	}})
	if err == nil {
		t.Fatal("an interrupted run returned no error")
	}
	f := res.Fixtures
	if f == nil || f.Created != 32 || f.Deleted <= f.Created || f.Leftover != 0 {
		t.Fatalf("fixtures %+v: want 32 created, more deleted, none left", f)
	}
	if left := packageRevisions(t, srv, RunLabel); len(left) != 0 {
		t.Errorf("%d labelled objects left after the interruption: %v", len(left), left[:min(5, len(left))])
	}
}

// F24.3: the label goes into the object's metadata whatever follows it,
// and a body with labels of its own is left alone (and reported unlabelled).
func TestWithRunLabel(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{"metadata":{"name":"a"}}`, `{"metadata":{"labels":{"oranbench.io/run":"r1"},"name":"a"}}`},
		{`{"metadata":{}}`, `{"metadata":{"labels":{"oranbench.io/run":"r1"}}}`},
		{`{"metadata":{ }}`, `{"metadata":{"labels":{"oranbench.io/run":"r1"} }}`},
	} {
		got, ok := withRunLabel([]byte(tc.in), "r1")
		if !ok || string(got) != tc.want || !json.Valid(got) {
			t.Errorf("withRunLabel(%s) = %s, %v; want %s", tc.in, got, ok, tc.want)
		}
	}
	for _, in := range []string{`{"metadata":{"labels":{"a":"b"}}}`, `{"spec":{}}`} {
		if got, ok := withRunLabel([]byte(in), "r1"); ok || string(got) != in {
			t.Errorf("withRunLabel(%s) = %s, %v; want it unchanged", in, got, ok)
		}
	}
	if got := unlabelledWrites(mustParse(t, `apiVersion: oranbench/v1
kind: Scenario
name: w
mix:
  - {route: porch.k8s.create}
  - {route: a1.policy.put}
  - {request: {method: post, path: /x, body: "{}"}}
load: {model: closed, concurrency: 1}
arms: [default]
duration: 1s
`).Resolved().Mix); strings.Join(got, "; ") != "route a1.policy.put; POST /x" {
		t.Errorf("unlabelled writes %q", got)
	}
}
