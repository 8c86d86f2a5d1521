package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/oranbench/oranbench/mockbackend"
)

// kubectl runs the installed kubectl with a kubeconfig, a private HOME and
// cache, and returns its exit error, stdout and stderr.
func kubectl(t *testing.T, kubeconfig string, args ...string) (string, string, error) {
	t.Helper()
	bin, err := exec.LookPath("kubectl")
	if err != nil {
		t.Skipf("kubectl is not on PATH (%v)", err)
	}
	home := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append([]string{"--kubeconfig", kubeconfig, "--cache-dir", filepath.Join(home, "cache"), "--request-timeout", "10s"}, args...)...)
	cmd.Env = []string{"HOME=" + home, "PATH=" + os.Getenv("PATH")}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	return stdout.String(), stderr.String(), err
}

// withToken copies a kubeconfig with another token.
func withToken(t *testing.T, kubeconfig, token string) string {
	t.Helper()
	kc, err := clientcmd.LoadFromFile(kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range kc.AuthInfos {
		u.Token = token
	}
	out := filepath.Join(t.TempDir(), "kubeconfig-"+token)
	if err := clientcmd.WriteToFile(*kc, out); err != nil {
		t.Fatal(err)
	}
	return out
}

// Issue 24 (6): `oranbench mock --kubeconfig-out FILE --token T`, run as its own
// process, is a stand-in for an API server: kubectl --kubeconfig FILE
// creates, gets and deletes a PackageRevision, and a wrong token gets 401
// Unauthorized.
func TestMockKubeconfigOutServesKubectl(t *testing.T) {
	if _, err := exec.LookPath("kubectl"); err != nil {
		t.Skipf("kubectl is not on PATH (%v)", err)
	}
	dir := t.TempDir()
	kc := filepath.Join(dir, "kubeconfig")
	cmd := exec.Command(os.Args[0], "mock", "--tls", "--http2", "--listen", "127.0.0.1:0", "--kubeconfig-out", kc, "--token", "s3cret")
	cmd.Env = append(os.Environ(), cliEnv+"=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	var printed []string
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		printed = append(printed, sc.Text())
		if strings.HasPrefix(sc.Text(), "try: curl") {
			break
		}
	}
	go func() {
		_, _ = io.Copy(io.Discard, stdout)
		exited <- cmd.Wait()
	}()
	defer func() {
		_ = cmd.Process.Signal(os.Interrupt)
		if err := <-exited; err != nil {
			t.Errorf("mock exited with %v; stderr: %s", err, stderr.String())
		}
	}()
	if !slicesContain(printed, "kubeconfig: "+kc+" (context "+mockbackend.KubeconfigName+", namespace default)") {
		t.Fatalf("printed %q, want the kubeconfig named", printed)
	}
	if fi, err := os.Stat(kc); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("kubeconfig: %v, %v; want mode 0600", fi, err)
	}
	pr := filepath.Join(dir, "pr.yaml")
	if err := os.WriteFile(pr, []byte(`apiVersion: porch.kpt.dev/v1alpha1
kind: PackageRevision
metadata: {name: edge.upf.v1, namespace: default}
spec: {repository: edge, packageName: upf, workspaceName: v1, lifecycle: Draft}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		args []string
		want string
	}{
		{[]string{"create", "-f", pr}, "packagerevision.porch.kpt.dev/edge.upf.v1 created"},
		{[]string{"get", "packagerevisions"}, "edge.upf.v1"},
		{[]string{"delete", "packagerevision", "edge.upf.v1"}, `packagerevision.porch.kpt.dev "edge.upf.v1" deleted`},
		{[]string{"get", "packagerevisions", "-o", "name"}, ""},
	} {
		out, errOut, err := kubectl(t, kc, step.args...)
		if err != nil || !strings.Contains(out, step.want) {
			t.Fatalf("kubectl %s: %v\nstdout: %s\nstderr: %s", strings.Join(step.args, " "), err, out, errOut)
		}
	}
	// kubectl words a 401 "You must be logged in to the server"; its -v=6
	// log shows the status of each request.
	_, errOut, err := kubectl(t, withToken(t, kc, "wrong"), "get", "packagerevisions", "-v=6")
	if err == nil || !strings.Contains(errOut, "You must be logged in to the server") || !strings.Contains(errOut, "401 Unauthorized") {
		t.Errorf("kubectl with a wrong token: %v, stderr %q; want a failure with 401 Unauthorized", err, errOut)
	}
}

// Issue 24 (6): Without --token, --kubeconfig-out generates a random token, requires it
// and says so on stderr: a real API server is never open.
func TestMockKubeconfigOutGeneratesAToken(t *testing.T) {
	kc := filepath.Join(t.TempDir(), "kubeconfig")
	var stderr syncBuffer
	m, printed := startMockErr(t, &stderr, "--tls", "--listen", "127.0.0.1:0", "--kubeconfig-out", kc, "--apiserver-inflight-scale", "0.5")
	defer m.stop(t)
	if !strings.Contains(printed[0], "in flight at most 200 read-only / 100 mutating") {
		t.Errorf("listening line %q, want the scaled limits", printed[0])
	}
	if e := stderr.String(); strings.Count(e, "\n") != 1 || !strings.Contains(e, "generated a random bearer token") || !strings.Contains(e, kc) {
		t.Errorf("stderr %q, want one line about the generated token and where it is", e)
	}
	rc, err := clientcmd.BuildConfigFromFlags("", kc)
	if err != nil {
		t.Fatal(err)
	}
	if len(rc.BearerToken) < 32 {
		t.Fatalf("generated token %q, want at least 32 characters", rc.BearerToken)
	}
	hc, err := rest.HTTPClientFor(rc)
	if err != nil {
		t.Fatal(err)
	}
	defer hc.CloseIdleConnections()
	list := rc.Host + "/apis/porch.kpt.dev/v1alpha1/namespaces/default/packagerevisions"
	if code := status(t, hc, list, ""); code != http.StatusOK {
		t.Errorf("with the kubeconfig's token: %d", code)
	}
	rc.BearerToken = ""
	anon, err := rest.HTTPClientFor(rc)
	if err != nil {
		t.Fatal(err)
	}
	defer anon.CloseIdleConnections()
	if code := status(t, anon, list, ""); code != http.StatusUnauthorized {
		t.Errorf("without a token: %d, want 401", code)
	}
}

func status(t *testing.T, c *http.Client, url, token string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func slicesContain(lines []string, want string) bool {
	for _, l := range lines {
		if l == want {
			return true
		}
	}
	return false
}
