package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oranbench/oranbench/mockbackend"
	"github.com/oranbench/oranbench/reports/results"
)

// The README's worked example, scenarios/examples/my-porch.yaml, run as its
// comment says, against the mock standing in for an API server that
// requires a token: every arm authenticates with the kubeconfig's token,
// the report names the target and the HTTP/2.0 that tuned-h2 and client-go
// negotiated, the qps arm is bounded by its limiter, and nothing the run
// labelled is left on the server.
func TestTheWorkedPorchExampleRunsAgainstAnAPIServerWithAToken(t *testing.T) {
	srv, err := mockbackend.Start(mockbackend.Config{Listen: "127.0.0.1:0", TLS: true, HTTP2: true, BearerToken: "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	dir := t.TempDir()
	kc := filepath.Join(dir, "kubeconfig")
	if err := srv.WriteKubeconfig(kc, ""); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	code, _, stderr := run(t, "run", "--quick", "--quiet", "--leakcheck-cycles", "0", "--out", out, "--kubeconfig", kc, "../../scenarios/examples/my-porch.yaml")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	res, err := results.ReadResults(out)
	if err != nil {
		t.Fatal(err)
	}
	sc := res.Scenarios[0]
	h2 := map[string]bool{"tuned-h2": true, "client-go": true, "client-go-qps20": true, "default": true}
	for _, a := range sc.Arms {
		if a.Total.Requests == 0 || a.Total.Codes["401"] != 0 || a.Total.SuccessPct < 99 {
			t.Errorf("arm %s: %d requests, codes %v: want every request authenticated", a.Name, a.Total.Requests, a.Total.Codes)
		}
		if got := a.Total.Client.Protocols[results.ProtoHTTP2] > 0; got != h2[a.Name] {
			t.Errorf("arm %s: protocols %v, want HTTP/2.0 %v", a.Name, a.Total.Client.Protocols, h2[a.Name])
		}
		if lim := a.Total.Limiter; (a.Name == "client-go-qps20") != (lim != nil && lim.Bounded) {
			t.Errorf("arm %s: limiter %+v; want bounded only on the qps arm", a.Name, lim)
		}
	}
	if f := sc.Fixtures; f == nil || f.Created == 0 || f.Leftover != 0 {
		t.Errorf("fixtures %+v: want some created and none left", f)
	}
	report, err := os.ReadFile(filepath.Join(out, "REPORT.md"))
	if err != nil {
		t.Fatal(err)
	}
	host := strings.TrimPrefix(srv.URL(), "https://")
	for _, want := range []string{host, "HTTP/2.0", "Client-side rate limiter"} {
		if !strings.Contains(string(report), want) {
			t.Errorf("REPORT.md does not mention %q", want)
		}
	}
	if n := labelledObjects(t, srv, "s3cret"); n != 0 {
		t.Errorf("after the run the server lists %d labelled objects", n)
	}

	// The same kubeconfig with a wrong token: the set-up is refused, one
	// line, exit 2, before any load.
	bad := filepath.Join(dir, "bad-kubeconfig")
	if err := srv.WriteKubeconfig(bad, "wrong"); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = run(t, "run", "--quick", "--quiet", "--leakcheck-cycles", "0", "--out", filepath.Join(dir, "bad"), "--kubeconfig", bad, "../../scenarios/examples/my-porch.yaml")
	if code != exitUsage || !strings.Contains(stderr, "401") {
		t.Errorf("wrong token: exit %d, stderr %q; want 2 naming the 401", code, stderr)
	}
}
