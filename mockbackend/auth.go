package mockbackend

import (
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// authenticator checks a request's credentials as a Kubernetes API server
// does: a bearer token, or a client certificate signed by a trusted CA;
// either one is enough.
type authenticator struct {
	token     string         // "" when no token is accepted
	clientCAs *x509.CertPool // nil without ClientCAFile
}

// newAuthenticator returns nil when cfg requires no credentials.
func newAuthenticator(cfg Config) (*authenticator, error) {
	if cfg.BearerToken == "" && cfg.ClientCAFile == "" {
		return nil, nil
	}
	a := &authenticator{token: cfg.BearerToken}
	if cfg.ClientCAFile != "" {
		b, err := os.ReadFile(cfg.ClientCAFile)
		if err != nil {
			return nil, fmt.Errorf("clientCAFile: %w", err)
		}
		a.clientCAs = x509.NewCertPool()
		if !a.clientCAs.AppendCertsFromPEM(b) {
			return nil, fmt.Errorf("clientCAFile: %s holds no PEM certificate; valid: a PEM file of CA certificates", cfg.ClientCAFile)
		}
	}
	return a, nil
}

// authenticate reports whether r carries the bearer token or a client
// certificate that chains to a trusted CA for client authentication. The
// certificate is checked on every request, as kube-apiserver's x509
// authenticator does: the TLS listener only asks for it (RequestClientCert),
// so a certificate of another CA gets a 401 like a wrong token, not a
// failed handshake.
func (a *authenticator) authenticate(r *http.Request) bool {
	if a.token != "" {
		if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok && subtleEqual(tok, a.token) {
			return true
		}
	}
	if a.clientCAs == nil || r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
		return false
	}
	opts := x509.VerifyOptions{Roots: a.clientCAs, Intermediates: x509.NewCertPool(), CurrentTime: time.Now(),
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	for _, c := range r.TLS.PeerCertificates[1:] {
		opts.Intermediates.AddCert(c)
	}
	_, err := r.TLS.PeerCertificates[0].Verify(opts)
	return err == nil
}

// writeUnauthorized answers a request without valid credentials: for the
// Kubernetes API (and its discovery) the Status kube-apiserver sends, for
// the other APIs the mock's own error body.
func writeUnauthorized(w http.ResponseWriter, rt *route, a *authenticator) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="oranbench-mock"`)
	if rt.kube {
		writeJSON(w, http.StatusUnauthorized, &metav1.Status{TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"},
			Status: metav1.StatusFailure, Message: "Unauthorized", Reason: metav1.StatusReasonUnauthorized, Code: http.StatusUnauthorized})
		return
	}
	what := "a valid bearer token"
	switch {
	case a.token == "":
		what = "a client certificate signed by the clientCAFile CA"
	case a.clientCAs != nil:
		what += " or a client certificate signed by the clientCAFile CA"
	}
	writeError(w, http.StatusUnauthorized, "Authorization", what+" is required")
}
