package mockbackend

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// kubectlPaths are the routes kubectl and client-go use: discovery, OpenAPI
// and the resource, and a path under /apis the mock does not serve.
var kubectlPaths = []string{
	"/api", "/apis", "/apis/porch.kpt.dev", "/apis/porch.kpt.dev/v1alpha1", "/version", "/openapi/v2", "/openapi/v3",
	"/openapi/v3/apis/porch.kpt.dev/v1alpha1",
	"/apis/porch.kpt.dev/v1alpha1/namespaces/default/packagerevisions",
	"/apis/porch.kpt.dev/v1alpha1/namespaces/default/packagerevisions/x",
	"/apis/porch.kpt.dev/v1alpha1/packagerevisions",
	"/apis/example.com/v1",
}

// isUnauthorizedStatus checks a 401 with kube-apiserver's Status body.
func isUnauthorizedStatus(t *testing.T, what string, r response) {
	t.Helper()
	if r.code != http.StatusUnauthorized {
		t.Errorf("%s: code %d, want 401: %s", what, r.code, r.body)
		return
	}
	for k, want := range map[string]any{"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "Unauthorized", "code": 401.0} {
		if got := jsonField(t, r.body, k); got != want {
			t.Errorf("%s: %s = %v, want %v in %s", what, k, got, want, r.body)
		}
	}
}

// Issue 24 (6): A Kubernetes API server answers every request without valid credentials,
// discovery included, with 401 and an Unauthorized Status; the mock did so
// only for its API routes, with its own error body, and served discovery
// to anyone.
func TestUnauthorizedIsAKubernetesStatusOnEveryKubectlRoute(t *testing.T) {
	s := startServer(t, Config{TLS: true, BearerToken: "right"})
	c := newClient(t, s, nil)
	for _, p := range kubectlPaths {
		isUnauthorizedStatus(t, p+" without a token", do(t, c, "GET", s.URL()+p, ""))
		isUnauthorizedStatus(t, p+" with a wrong token", do(t, c, "GET", s.URL()+p, "", "Authorization", "Bearer wrong"))
		if r := do(t, c, "GET", s.URL()+p, "", "Authorization", "Bearer right"); r.code == http.StatusUnauthorized {
			t.Errorf("%s with the token: 401", p)
		}
	}
	// The other APIs keep the mock's own error body.
	r := do(t, c, "GET", s.URL()+"/A1-P/v2/policytypes", "")
	if r.code != http.StatusUnauthorized || jsonField(t, r.body, "field") != "Authorization" {
		t.Errorf("A1 without a token: %d %s", r.code, r.body)
	}
}

// testPKI is a CA and a client certificate it signed, for client
// certificate authentication.
type testPKI struct {
	caPEM []byte
	cert  tls.Certificate
}

func newTestPKI(t *testing.T, cn string) testPKI {
	t.Helper()
	key := func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	caKey, leafKey := key(), key()
	now := time.Now()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn + " CA"}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true, IsCA: true}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	leafTmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: cn, Organization: []string{"system:masters"}},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, ca, &leafKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	return testPKI{caPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		cert: tls.Certificate{Certificate: [][]byte{leafDER}, PrivateKey: leafKey}}
}

// Issue 24 (6): With clientCAFile, a client certificate signed by that CA authenticates
// without a token, as with kube-apiserver's --client-ca-file; no
// credentials, or a certificate of another CA, is a 401 Status (not a
// failed handshake); the token still works beside it.
func TestClientCertificateAuthenticates(t *testing.T) {
	trusted, other := newTestPKI(t, "operator"), newTestPKI(t, "stranger")
	caFile := filepath.Join(t.TempDir(), "client-ca.pem")
	if err := os.WriteFile(caFile, trusted.caPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	list := "/apis/porch.kpt.dev/v1alpha1/namespaces/default/packagerevisions"
	for _, token := range []string{"", "tok"} {
		s := startServer(t, Config{TLS: true, ClientCAFile: caFile, BearerToken: token})
		withCert := func(p testPKI) *http.Client {
			return newClient(t, s, func(tr *http.Transport) { tr.TLSClientConfig.Certificates = []tls.Certificate{p.cert} })
		}
		if r := do(t, withCert(trusted), "GET", s.URL()+list, ""); r.code != http.StatusOK {
			t.Errorf("token %q: a trusted client certificate: %d %s", token, r.code, r.body)
		}
		if r := do(t, withCert(trusted), "GET", s.URL()+"/apis", ""); r.code != http.StatusOK {
			t.Errorf("token %q: discovery with a trusted client certificate: %d %s", token, r.code, r.body)
		}
		isUnauthorizedStatus(t, "no certificate, no token", do(t, newClient(t, s, nil), "GET", s.URL()+list, ""))
		isUnauthorizedStatus(t, "another CA's certificate", do(t, withCert(other), "GET", s.URL()+list, ""))
		r := do(t, newClient(t, s, nil), "GET", s.URL()+list, "", "Authorization", "Bearer tok")
		if want := map[string]int{"": 401, "tok": 200}[token]; r.code != want {
			t.Errorf("token %q configured, Bearer tok sent: %d, want %d", token, r.code, want)
		}
	}
}

func TestClientCAFileIsChecked(t *testing.T) {
	if err := (Config{ClientCAFile: "ca.pem"}).Validate(); err == nil || !strings.Contains(err.Error(), "clientCAFile") || !strings.Contains(err.Error(), "tls") {
		t.Errorf("clientCAFile without tls: %v", err)
	}
	junk := filepath.Join(t.TempDir(), "junk.pem")
	if err := os.WriteFile(junk, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{junk, filepath.Join(t.TempDir(), "missing.pem")} {
		if s, err := Start(Config{TLS: true, ClientCAFile: f}); err == nil {
			s.Close()
			t.Errorf("Start with clientCAFile %s: no error", f)
		} else if !strings.Contains(err.Error(), "clientCAFile") {
			t.Errorf("Start with clientCAFile %s: %v; want the field named", f, err)
		}
	}
	if _, err := NewHandler(Config{ClientCAFile: junk}); err == nil || !strings.Contains(err.Error(), "clientCAFile") {
		t.Errorf("NewHandler with clientCAFile: %v", err)
	}
}
