package main

import (
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/oranbench/oranbench/reports/results"
)

// writeKubeconfig writes a kubeconfig for server, trusting caPEM, with a
// bearer token.
func writeKubeconfig(t *testing.T, server string, caPEM []byte, token string) string {
	t.Helper()
	doc := `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: {server: "` + server + `", certificate-authority-data: ` + base64.StdEncoding.EncodeToString(caPEM) + `}
users:
- name: u
  user: {token: ` + token + `}
contexts:
- name: c
  context: {cluster: c, user: u}
current-context: c
`
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// tinyExternal is testdata/tiny.yaml saying fixtures: none: sent to a
// server the run does not start, its mix reads objects the mock's REST
// paths would create, which the run refuses to create there.
func tinyExternal(t *testing.T) string {
	t.Helper()
	doc, err := os.ReadFile("testdata/tiny.yaml")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "tiny.yaml")
	if err := os.WriteFile(path, append(doc, "fixtures: none\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// run --kubeconfig sends a scenario of the mock (its fixtures, set-up and
// arms alike) to the kubeconfig's server with its token.
func TestRunKubeconfigAuthenticatesEveryRequest(t *testing.T) {
	var allowed, denied atomic.Int64
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer good" {
			denied.Add(1)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		allowed.Add(1)
		w.WriteHeader(http.StatusCreated)
	}))
	defer srv.Close()
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	kc := writeKubeconfig(t, srv.URL, caPEM, "good")
	out := t.TempDir()
	code, _, stderr := run(t, "run", "--quiet", "--leakcheck-cycles", "0", "--out", out, "--kubeconfig", kc, tinyExternal(t))
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if denied.Load() != 0 || allowed.Load() == 0 {
		t.Errorf("server: %d allowed, %d denied; want every request authenticated", allowed.Load(), denied.Load())
	}
	data, err := os.ReadFile(filepath.Join(out, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	var res results.Results
	if err := json.Unmarshal(data, &res); err != nil {
		t.Fatal(err)
	}
	if got := res.Scenarios[0].Conditions.Target; got != srv.URL {
		t.Errorf("conditions.target = %q, want the kubeconfig's server %s", got, srv.URL)
	}
}

func TestRunKubeconfigConflictsExitTwoWithOneLine(t *testing.T) {
	dir := t.TempDir()
	own := filepath.Join(dir, "own.yaml")
	tiny := tinyExternal(t)
	doc, err := os.ReadFile(tiny)
	if err != nil {
		t.Fatal(err)
	}
	ownDoc := strings.Replace(string(doc), "  tls: true\n  latency: 20ms\n", "  target: http://127.0.0.1:9\n", 1)
	if err := os.WriteFile(own, []byte(ownDoc), 0o644); err != nil {
		t.Fatal(err)
	}
	remote := writeKubeconfig(t, "https://203.0.113.7:6443", []byte("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n"), "x")
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"--context without --kubeconfig", []string{"--context", "admin", "testdata/tiny.yaml"}, []string{"--context admin", "--kubeconfig"}},
		{"a scenario with its own target", []string{"--kubeconfig", remote, own}, []string{"own.yaml", "backend.target", "--kubeconfig"}},
		{"a server outside loopback", []string{"--kubeconfig", remote, tiny}, []string{"backend.kubeconfig", "203.0.113.7", "--allow-remote"}},
		{"a missing kubeconfig", []string{"--kubeconfig", filepath.Join(dir, "none"), tiny}, []string{"backend.kubeconfig", "none"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"run", "--quiet", "--leakcheck-cycles", "0", "--out", t.TempDir()}, tc.args...)
			code, _, stderr := run(t, args...)
			if code != exitUsage {
				t.Fatalf("exit %d, stderr %q; want 2", code, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q does not name %q", stderr, w)
				}
			}
			oneLineOf(t, stderr)
		})
	}
}
