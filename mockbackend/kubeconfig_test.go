package mockbackend

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// Issue 24 (6): WriteKubeconfig writes a kubeconfig client-go loads as is: the mock's
// URL, its CA inline, the token, a current context in namespace default;
// mode 0600, and never through a symbolic link.
func TestWriteKubeconfig(t *testing.T) {
	s := startServer(t, Config{TLS: true, BearerToken: "tok"})
	dir := t.TempDir()
	path := filepath.Join(dir, "kubeconfig")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteKubeconfig(path, ""); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("kubeconfig mode: %v, %v; want 0600", fi.Mode(), err)
	}
	kc, err := clientcmd.LoadFromFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := kc.Contexts[kc.CurrentContext]
	if kc.CurrentContext != KubeconfigName || ctx == nil || ctx.Namespace != "default" {
		t.Fatalf("current context %q: %+v", kc.CurrentContext, ctx)
	}
	cl, user := kc.Clusters[ctx.Cluster], kc.AuthInfos[ctx.AuthInfo]
	if cl.Server != s.URL() || !bytes.Equal(cl.CertificateAuthorityData, s.CACertPEM()) || user.Token != "tok" {
		t.Errorf("cluster %s (CA %d bytes), token %q; want %s, the mock's CA, tok", cl.Server, len(cl.CertificateAuthorityData), user.Token, s.URL())
	}

	// client-go's own loading rules reach the mock with it.
	rc, err := clientcmd.BuildConfigFromFlags("", path)
	if err != nil {
		t.Fatal(err)
	}
	hc, err := rest.HTTPClientFor(rc)
	if err != nil {
		t.Fatal(err)
	}
	defer hc.CloseIdleConnections()
	req, _ := http.NewRequestWithContext(context.Background(), "GET", rc.Host+"/apis/porch.kpt.dev/v1alpha1/namespaces/default/packagerevisions", nil)
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("list through the kubeconfig: %s", resp.Status)
	}

	link := filepath.Join(dir, "link")
	if err := os.Symlink(path, link); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteKubeconfig(link, "x"); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("WriteKubeconfig through a symbolic link: %v", err)
	}
}

// Issue 24 (6): kubectl --kubeconfig with the file WriteKubeconfig wrote creates, gets
// and deletes a PackageRevision; with a wrong token it fails Unauthorized.
func TestKubectlWithTheWrittenKubeconfig(t *testing.T) {
	bin := kubectlBin(t)
	s := startServer(t, Config{TLS: true, BearerToken: "s3cret"})
	dir := t.TempDir()
	good, bad := filepath.Join(dir, "kubeconfig"), filepath.Join(dir, "wrong")
	if err := s.WriteKubeconfig(good, "s3cret"); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteKubeconfig(bad, "wrong"); err != nil {
		t.Fatal(err)
	}
	k := kubectlWith(t, bin, dir, good)
	k.base = append(k.base, "--kubeconfig", good)
	example := k.file("pr.yaml", mustRead(t, kubectlPackageRevision))
	if out, _ := k.run(true, "create", "-f", example); !strings.Contains(out, "edge.upf.v1 created") {
		t.Errorf("create: %s", out)
	}
	if out, _ := k.run(true, "get", "packagerevisions"); !strings.Contains(out, "edge.upf.v1") {
		t.Errorf("get packagerevisions: %s", out)
	}
	if out, _ := k.run(true, "delete", "packagerevision", "edge.upf.v1"); !strings.Contains(out, "deleted") {
		t.Errorf("delete: %s", out)
	}

	w := kubectlWith(t, bin, dir, bad)
	w.base = append(w.base, "--kubeconfig", bad)
	_, errOut := w.run(false, "get", "packagerevisions")
	t.Logf("kubectl with a wrong token: %s", errOut)
	if !strings.Contains(errOut, "Unauthorized") {

		t.Errorf("get with a wrong token: stderr %q, want Unauthorized", errOut)
	}
	if st := s.Stats(); st.Routes["discovery"].Codes[401]+st.Routes["porch.k8s.list"].Codes[401] == 0 {
		t.Errorf("no 401 counted for the wrong token: %+v", st.Routes["discovery"].Codes)
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
