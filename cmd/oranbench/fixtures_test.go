package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/oranbench/oranbench/mockbackend"
	"github.com/oranbench/oranbench/reports/results"
	"github.com/oranbench/oranbench/scenarios"
	"github.com/oranbench/oranbench/targets/transport"
)

// F24.3: Ctrl-C during a run against an external backend still deletes
// what the run created there: the process exits 130 with its partial
// report, which counts the clean-up, and the server keeps no object with
// the run's label (asked through its API).
func TestSIGINTDuringAnExternalRunLeavesNoLabelledObject(t *testing.T) {
	srv, err := mockbackend.Start(mockbackend.Config{Listen: "127.0.0.1:0", TLS: true})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(ca, srv.CACertPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "external.yaml")
	if err := os.WriteFile(file, []byte(`apiVersion: oranbench/v1
kind: Scenario
name: external
backend:
  target: `+srv.URL()+`
  caCert: `+ca+`
fixtures: create
mix:
  - {route: porch.k8s.get, weight: 3}
  - {route: porch.k8s.create}
load: {model: closed, concurrency: 4}
arms: [default, tuned]
duration: 500ms
warmup: 100ms
repetitions: 50
`), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	code, _, stderr := interruptWhen(t, "rep 2/50: arm default", "run", "--leakcheck-cycles", "0", "--out", out, file)
	if code != exitInterrupted {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitInterrupted, stderr)
	}
	res, err := results.ReadResults(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Scenarios) != 1 || res.Scenarios[0].Fixtures == nil {
		t.Fatalf("results: %d scenarios, no fixtures recorded; stderr:\n%s", len(res.Scenarios), stderr)
	}
	if f := res.Scenarios[0].Fixtures; f.Created != 32 || f.Deleted <= f.Created || f.Leftover != 0 {
		t.Errorf("fixtures %+v: want 32 created, more deleted (the mix's creates), none left", *f)
	}
	if n := labelledObjects(t, srv, ""); n != 0 {
		t.Errorf("after SIGINT the server lists %d objects with the label %s", n, scenarios.RunLabel)
	}
}

// labelledObjects counts the PackageRevisions srv lists with the runs'
// label, asked through its Kubernetes API with token (none: "").
func labelledObjects(t *testing.T, srv *mockbackend.Server, token string) int {
	t.Helper()
	tr := transport.DefaultTransport(srv.ClientTLSConfig())
	defer tr.CloseIdleConnections()
	req, err := http.NewRequest(http.MethodGet, srv.URL()+"/apis/porch.kpt.dev/v1alpha1/packagerevisions?labelSelector="+url.QueryEscape(scenarios.RunLabel), nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := (&http.Client{Transport: tr, Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list struct{ Items []json.RawMessage }
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("listing labelled objects: status %d, %v", resp.StatusCode, err)
	}
	return len(list.Items)
}
