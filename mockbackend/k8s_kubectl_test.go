package mockbackend

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// kubectlPackageRevision is the example the README's kubectl lines use.
const kubectlPackageRevision = "testdata/packagerevision.yaml"

// kubectlRunner runs the installed kubectl against one mock with a
// kubeconfig of its own (server, CA, token) and a private HOME and cache.
type kubectlRunner struct {
	t    *testing.T
	bin  string
	dir  string
	base []string
	env  []string
}

func newKubectl(t *testing.T, s *Server) *kubectlRunner {
	t.Helper()
	bin := kubectlBin(t)
	if v, err := exec.Command(bin, "version", "--client").CombinedOutput(); err == nil {
		t.Logf("%s: %s", bin, bytes.TrimSpace(v))
	}
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	if err := s.WriteCACert(ca); err != nil {
		t.Fatal(err)
	}
	kubeconfig := filepath.Join(dir, "kubeconfig")
	writeKubeconfigYAML(t, kubeconfig, s.URL(), ca)
	return kubectlWith(t, bin, dir, kubeconfig)
}

// writeKubeconfigYAML writes a hand-made kubeconfig with token kubectl-test.
func writeKubeconfigYAML(t *testing.T, kubeconfig, url, ca string) {
	t.Helper()
	cfg := `apiVersion: v1
kind: Config
clusters:
- name: mock
  cluster: {server: "` + url + `", certificate-authority: "` + ca + `"}
users:
- name: mock
  user: {token: kubectl-test}
contexts:
- name: mock
  context: {cluster: mock, user: mock, namespace: default}
current-context: mock
`
	if err := os.WriteFile(kubeconfig, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
}

// kubectlBin returns the installed kubectl, or skips the test.
func kubectlBin(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("kubectl")
	if err != nil {
		t.Skipf("kubectl is not on PATH (%v): nothing to drive; .ci/run installs it where the package manager has it (Debian: kubernetes-client)", err)
	}
	return bin
}

// kubectlWith runs bin with kubeconfig, a private HOME and cache in dir.
func kubectlWith(t *testing.T, bin, dir, kubeconfig string) *kubectlRunner {
	return &kubectlRunner{t: t, bin: bin, dir: dir,
		base: []string{"--cache-dir", filepath.Join(dir, "cache"), "--request-timeout", "10s"},
		env:  []string{"KUBECONFIG=" + kubeconfig, "HOME=" + dir, "PATH=" + os.Getenv("PATH")}}
}

// run runs kubectl with args and returns its stdout; wantOK says whether it
// must succeed or fail.
func (k *kubectlRunner) run(wantOK bool, args ...string) (string, string) {
	k.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, k.bin, append(k.base, args...)...)
	cmd.Env = k.env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if (err == nil) != wantOK {
		k.t.Fatalf("kubectl %s: err %v (want success %v)\nstdout: %s\nstderr: %s", strings.Join(args, " "), err, wantOK, stdout.String(), stderr.String())
	}
	return stdout.String(), stderr.String()
}

func (k *kubectlRunner) file(name, content string) string {
	k.t.Helper()
	p := filepath.Join(k.dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		k.t.Fatal(err)
	}
	return p
}

// TestKubectlManagesPackageRevisions drives the installed kubectl through
// discovery, create, get in every output, apply and delete, over HTTP/1.1
// and h2.
func TestKubectlManagesPackageRevisions(t *testing.T) {
	for _, tc := range []struct {
		name  string
		http2 bool
		proto string
	}{{"TLS HTTP/1.1", false, "HTTP/1.1"}, {"TLS h2", true, "HTTP/2.0"}} {
		t.Run(tc.name, func(t *testing.T) {
			s := startServer(t, Config{TLS: true, HTTP2: tc.http2, BearerToken: "kubectl-test"})
			k := newKubectl(t, s)
			before := s.Stats()
			contains := func(what, out string, want ...string) {
				t.Helper()
				for _, w := range want {
					if !strings.Contains(out, w) {
						t.Fatalf("%s: output lacks %q:\n%s", what, w, out)
					}
				}
			}

			out, _ := k.run(true, "api-resources", "--api-group", porchGroup)
			contains("api-resources", out, porchResource, porchGroup, porchKind, "true")

			example, err := os.ReadFile(kubectlPackageRevision)
			if err != nil {
				t.Fatal(err)
			}
			first := k.file("pr.yaml", string(example))
			out, _ = k.run(true, "create", "-f", first)
			contains("create -f", out, "packagerevision.porch.kpt.dev/edge.upf.v1 created")
			_, errOut := k.run(false, "create", "-f", first)
			contains("create -f of an existing name", errOut, "AlreadyExists", `"edge.upf.v1" already exists`)
			noRepo := k.file("norepo.yaml", strings.Replace(string(example), "  repository: edge\n", "", 1))
			_, errOut = k.run(false, "create", "-f", noRepo)
			contains("create -f without a repository", errOut, `The PackageRevision "edge.upf.v1" is invalid: spec.repository: is required`)

			out, _ = k.run(true, "get", "packagerevisions")
			contains("get (list)", out, "NAME", "edge.upf.v1")
			out, _ = k.run(true, "get", "packagerevisions.porch.kpt.dev", "edge.upf.v1")
			contains("get (one)", out, "edge.upf.v1")
			out, _ = k.run(true, "get", "packagerevision", "edge.upf.v1", "-o", "json")
			var obj packageRevision
			if err := json.Unmarshal([]byte(out), &obj); err != nil || obj.Spec.Repository != "edge" || obj.Metadata.Labels["app"] != "upf" {
				t.Fatalf("get -o json: %v: %s", err, out)
			}
			out, _ = k.run(true, "get", "packagerevisions", "-o", "yaml")
			contains("get -o yaml", out, "kind: List", "name: edge.upf.v1", "repository: edge", "lifecycle: Draft")
			out, _ = k.run(true, "get", "packagerevisions", "-o", "name")
			if strings.TrimSpace(out) != "packagerevision.porch.kpt.dev/edge.upf.v1" {
				t.Fatalf("get -o name = %q", out)
			}

			second := k.file("pr2.yaml", strings.Replace(string(example), "app: upf", "app: upf-v2", 1))
			out, errOut = k.run(true, "apply", "-f", second)
			contains("apply -f over a create", out, "packagerevision.porch.kpt.dev/edge.upf.v1 configured")
			contains("apply -f over a create", errOut, "last-applied-configuration") // kubectl warns, as with any API server
			out, _ = k.run(true, "get", "packagerevision", "edge.upf.v1", "-o", "jsonpath={.metadata.labels.app}")
			if out != "upf-v2" {
				t.Fatalf("label after apply = %q, want upf-v2", out)
			}
			out, _ = k.run(true, "apply", "-f", second)
			contains("apply -f again", out, "packagerevision.porch.kpt.dev/edge.upf.v1 unchanged")

			out, _ = k.run(true, "delete", "-f", second)
			contains("delete -f", out, `packagerevision.porch.kpt.dev "edge.upf.v1" deleted`)
			_, errOut = k.run(false, "get", "packagerevision", "edge.upf.v1")
			contains("get after delete", errOut, "NotFound", `"edge.upf.v1" not found`)
			_, errOut = k.run(false, "get", "widgets.example.com")
			contains("get of an unknown resource", errOut, `doesn't have a resource type "widgets"`)

			d := s.Stats().Sub(before)
			if d.Routes["porch.k8s.patch"].Requests != 1 || d.Routes["porch.k8s.create"].Requests != 3 || d.Routes["porch.k8s.delete"].Requests != 1 {
				t.Errorf("route counts: patch %d, create %d, delete %d; want 1, 3, 1", d.Routes["porch.k8s.patch"].Requests, d.Routes["porch.k8s.create"].Requests, d.Routes["porch.k8s.delete"].Requests)
			}
			if d.Protocols[tc.proto] == 0 || len(d.Protocols) != 1 {
				t.Errorf("protocols %v; want every request on %s", d.Protocols, tc.proto)
			}
		})
	}
}
