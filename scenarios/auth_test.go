package scenarios

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oranbench/oranbench/reports/results"
	"github.com/oranbench/oranbench/scenarios/scenario"
	"github.com/oranbench/oranbench/targets/transport"
)

// authServer stands in for an API server: TLS with a certificate of its own
// CA, HTTP/2, and every request authenticated by a client certificate of
// that CA or by the bearer token "good"; any other request gets 401.
type authServer struct {
	srv                   *httptest.Server
	caPEM                 []byte
	clientCert, clientKey []byte // PEM, signed by the CA
	allowed, denied       atomic.Int64
}

const goodToken = "good"

func newAuthServer(t *testing.T) *authServer {
	t.Helper()
	ca, caKey := newCert(t, "test-ca", nil, nil, true, nil)
	srvCert, srvKey := newCert(t, "127.0.0.1", ca, caKey, false, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth})
	cliCert, cliKey := newCert(t, "oranbench-user", ca, caKey, false, []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth})
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	a := &authServer{caPEM: certPEM(ca), clientCert: certPEM(cliCert), clientKey: keyPEM(t, cliKey)}
	a.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		byCert := r.TLS != nil && len(r.TLS.VerifiedChains) > 0
		if !byCert && r.Header.Get("Authorization") != "Bearer "+goodToken {
			a.denied.Add(1)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Unauthorized","code":401}`))
			return
		}
		a.allowed.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"kind":"NamespaceList","apiVersion":"v1","items":[]}`))
	}))
	a.srv.EnableHTTP2 = true
	a.srv.TLS = &tls.Config{
		Certificates: []tls.Certificate{{Certificate: [][]byte{srvCert.Raw}, PrivateKey: srvKey}},
		ClientAuth:   tls.VerifyClientCertIfGiven, // no certificate: a 401, as an API server answers
		ClientCAs:    pool,
	}
	a.srv.StartTLS()
	t.Cleanup(a.srv.Close)
	return a
}

func newCert(t *testing.T, cn string, parent *x509.Certificate, parentKey *ecdsa.PrivateKey, isCA bool, usage []x509.ExtKeyUsage) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber: serial, Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: usage, BasicConstraintsValid: true, IsCA: isCA,
	}
	if isCA {
		tmpl.KeyUsage |= x509.KeyUsageCertSign
		parent, parentKey = tmpl, key
	} else {
		tmpl.IPAddresses = []net.IP{net.ParseIP("127.0.0.1")}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c, key
}

func certPEM(c *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}

func keyPEM(t *testing.T, k *ecdsa.PrivateKey) []byte {
	der, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der})
}

// kubeconfig writes a kubeconfig for server whose user is given as YAML
// lines (indented under "user:") and returns its path.
func kubeconfig(t *testing.T, server string, caPEM []byte, user string) string {
	t.Helper()
	b64 := base64.StdEncoding.EncodeToString
	doc := `apiVersion: v1
kind: Config
clusters:
- name: test
  cluster:
    server: ` + server + `
    certificate-authority-data: ` + b64(caPEM) + `
users:
- name: test
  user:
` + user + `
contexts:
- name: test
  context: {cluster: test, user: test}
- name: other
  context: {cluster: test, user: nobody}
current-context: test
`
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// kubeScenario is a scenario that sends GETs to the kubeconfig's server
// with the four arms every Kubernetes user compares.
func kubeScenario(t *testing.T, path string) *scenario.Plan {
	t.Helper()
	return mustParse(t, `apiVersion: oranbench/v1
kind: Scenario
name: kube
backend:
  kubeconfig: `+path+`
mix: [{request: {method: GET, path: /api/v1/namespaces}}]
load: {model: closed, concurrency: 4}
arms: [default, tuned, tuned-h2, client-go]
duration: 300ms
repetitions: 1
`)
}

// runKube runs the scenario and returns its arms, by name, and its notes.
func runKube(t *testing.T, p *scenario.Plan) (map[string]results.Arm, string) {
	t.Helper()
	if err := CheckBackend(p, false); err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	arms := map[string]results.Arm{}
	for _, a := range res.Arms {
		arms[a.Name] = a
	}
	return arms, strings.Join(res.Notes, "\n")
}

// Every arm, and the set-up step, authenticates with the kubeconfig's
// credentials, whatever their kind: no request is refused.
func TestEveryArmAuthenticatesWithTheKubeconfig(t *testing.T) {
	srv := newAuthServer(t)
	b64 := base64.StdEncoding.EncodeToString
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte(goodToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	certFile, keyFile := filepath.Join(dir, "client.crt"), filepath.Join(dir, "client.key")
	if err := os.WriteFile(certFile, srv.clientCert, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, srv.clientKey, 0o600); err != nil {
		t.Fatal(err)
	}
	// The exec plugin prints an ExecCredential as client-go expects it,
	// and leaves a mark that it ran.
	marks := filepath.Join(dir, "exec-ran")
	plugin := filepath.Join(dir, "credential-plugin")
	script := "#!/bin/sh\necho \"$KUBERNETES_EXEC_INFO\" >> " + marks + "\n" +
		`echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"` + goodToken + `"}}'` + "\n"
	if err := os.WriteFile(plugin, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, user, kind string }{
		{"client certificate data", "    client-certificate-data: " + b64(srv.clientCert) + "\n    client-key-data: " + b64(srv.clientKey), "client certificate"},
		{"client certificate files", "    client-certificate: " + certFile + "\n    client-key: " + keyFile, "client certificate"},
		{"bearer token", "    token: " + goodToken, "bearer token"},
		{"token file", "    tokenFile: " + tokenFile, "token file"},
		{"exec plugin", "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: " + plugin + "\n      interactiveMode: Never", "exec plugin"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv.allowed.Store(0)
			srv.denied.Store(0)
			arms, notes := runKube(t, kubeScenario(t, kubeconfig(t, srv.srv.URL, srv.caPEM, tc.user)))
			if !strings.Contains(notes, "Auth: ") || !strings.Contains(notes, tc.kind) || strings.Contains(notes, goodToken) {
				t.Errorf("notes %q: want the kind of credential (%s), never the token", notes, tc.kind)
			}
			for _, name := range []string{transport.ProfileDefault, transport.ProfileTuned, transport.ProfileTunedH2, transport.ProfileClientGo} {
				a := arms[name]
				if a.Total.Requests == 0 || a.Total.Successes != a.Total.Requests {
					t.Errorf("arm %s: %d of %d requests succeeded, codes %v, errors %v", name, a.Total.Successes, a.Total.Requests, a.Total.Codes, a.Total.Errors)
				}
			}
			// default, tuned-h2 and client-go negotiate HTTP/2 with the server.
			for _, name := range []string{transport.ProfileDefault, transport.ProfileTunedH2, transport.ProfileClientGo} {
				if p := arms[name].Total.Client.Protocols; p["HTTP/2.0"] == 0 {
					t.Errorf("arm %s: protocols %v, want HTTP/2.0", name, p)
				}
			}
			if n := srv.denied.Load(); n != 0 {
				t.Errorf("the server refused %d requests (the set-up's included); want none", n)
			}
		})
	}
	if b, err := os.ReadFile(marks); err != nil || !strings.Contains(string(b), "ExecCredential") {
		t.Errorf("the exec plugin did not run with KUBERNETES_EXEC_INFO: %q, %v", b, err)
	}
}

// A wrong or absent credential is not passed over: the server's 401s are
// the arms' results.
func TestAWrongCredentialShowsAs401(t *testing.T) {
	srv := newAuthServer(t)
	for _, tc := range []struct{ name, user string }{
		{"wrong token", "    token: bad"},
		{"no credential", "    {}"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			arms, _ := runKube(t, kubeScenario(t, kubeconfig(t, srv.srv.URL, srv.caPEM, tc.user)))
			for name, a := range arms {
				if a.Total.Requests == 0 || a.Total.Successes != 0 || a.Total.Codes["401"] != a.Total.Requests {
					t.Errorf("arm %s: %d successes, codes %v; want every request a 401", name, a.Total.Successes, a.Total.Codes)
				}
			}
		})
	}
}

// The kubeconfig's server is held to the loopback rule, and a context it
// does not have, or a file that is not there, is one line naming the field.
func TestAKubeconfigIsCheckedBeforeTheLoad(t *testing.T) {
	srv := newAuthServer(t)
	remote := kubeconfig(t, "https://203.0.113.7:6443", srv.caPEM, "    token: x")
	err := CheckBackend(kubeScenario(t, remote), false)
	if err == nil || !strings.Contains(err.Error(), "backend.kubeconfig") || !strings.Contains(err.Error(), "--allow-remote") {
		t.Errorf("remote server: %v, want a refusal naming backend.kubeconfig and --allow-remote", err)
	}
	if err := CheckBackend(kubeScenario(t, remote), true); err != nil {
		t.Errorf("remote server with --allow-remote: %v", err)
	}
	local := kubeconfig(t, srv.srv.URL, srv.caPEM, "    token: x")
	p, err := kubeScenario(t, local).WithKubeconfig(local, "", transport.NewRegistry())
	if err == nil {
		t.Errorf("--kubeconfig over a scenario's own kubeconfig: %v, want a conflict", p)
	}
	spec := kubeScenario(t, local).Spec()
	spec.Backend.Context = "missing"
	missing, err := scenario.NewPlan(spec, transport.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckBackend(missing, false); err == nil || !strings.Contains(err.Error(), "backend.context") || strings.Contains(err.Error(), "\n") {
		t.Errorf("missing context: %v, want one line naming backend.context", err)
	}
	spec.Backend.Kubeconfig, spec.Backend.Context = filepath.Join(t.TempDir(), "nothing"), ""
	absent, err := scenario.NewPlan(spec, transport.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckBackend(absent, false); err == nil || !strings.Contains(err.Error(), "backend.kubeconfig") {
		t.Errorf("absent file: %v, want an error naming backend.kubeconfig", err)
	}
}

// The scenario's headers reach every request of every arm and of the
// set-up, their values come from the environment, and neither the results
// nor their JSON hold the value.
func TestScenarioHeadersReachEveryRequestAndStayOutOfTheResults(t *testing.T) {
	const secret = "s3cr3t-api-key"
	t.Setenv("ORANBENCH_TEST_API_KEY", secret)
	var allowed, denied atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Api-Key") != "Key "+secret {
			denied.Add(1)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		allowed.Add(1)
		_, _ = w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	p := mustParse(t, `apiVersion: oranbench/v1
kind: Scenario
name: headers
backend: {target: `+srv.URL+`}
headers: {X-Api-Key: "Key ${ORANBENCH_TEST_API_KEY}"}
mix: [{request: {method: GET, path: /v1/models}}]
load: {model: closed, concurrency: 2}
arms: [default, tuned]
duration: 200ms
repetitions: 1
`)
	res, err := Run(context.Background(), p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if denied.Load() != 0 || allowed.Load() == 0 {
		t.Errorf("server: %d allowed, %d denied; want every request to carry the header", allowed.Load(), denied.Load())
	}
	js, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(js), secret) {
		t.Error("the results hold the header's value")
	}
	if notes := strings.Join(res.Notes, " "); !strings.Contains(notes, "headers X-Api-Key") {
		t.Errorf("notes %q do not name the header", notes)
	}
}
