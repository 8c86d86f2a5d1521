package scenarios

import (
	"crypto/tls"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	kubetransport "k8s.io/client-go/transport"

	"github.com/oranbench/oranbench/internal/loopback"
	"github.com/oranbench/oranbench/scenarios/scenario"
	"github.com/oranbench/oranbench/targets/transport"
)

// backendAuth is what every request to a backend carries besides its own
// headers: the credentials of a kubeconfig and the scenario's headers.
type backendAuth struct {
	// kube is the kubeconfig's rest.Config (nil without backend.kubeconfig),
	// and kubeTransport its transport configuration, whose wrappers
	// (k8s.io/client-go/transport.HTTPWrappersForConfig: bearer token or
	// token file, exec plugin, basic auth, impersonation, user agent) wrap
	// every arm's transport but the "client-go" profile's, built from kube
	// itself.
	kube          *rest.Config
	kubeTransport *kubetransport.Config
	// headers are the scenario's headers, expanded (scenario.Plan.Headers).
	headers http.Header
}

// wrap returns rt with the backend's credentials and the scenario's headers
// on every request: the set-up's and the fixtures' clients, and every arm's
// transport (through wrapArm). Without either it returns rt.
func (b *backend) wrap(rt http.RoundTripper) http.RoundTripper {
	if b.kubeTransport != nil {
		// Checked once by kubeBackend: it fails only for a kubeconfig with
		// both a token and a username.
		if w, err := kubetransport.HTTPWrappersForConfig(b.kubeTransport, rt); err == nil {
			rt = w
		}
	}
	return b.wrapHeaders(rt)
}

// wrapArm is wrap for an arm's transport built from profile: the
// "client-go" profile, given the kubeconfig (buildOptions), carries its
// credentials itself and gets only the headers.
func (b *backend) wrapArm(profile transport.Profile, rt http.RoundTripper) http.RoundTripper {
	if b.kube != nil && profile.Name == transport.ProfileClientGo && !profile.Custom() {
		return b.wrapHeaders(rt)
	}
	return b.wrap(rt)
}

// buildOptions are what an arm's profile is built with: the CA as PEM, and
// the kubeconfig's rest.Config for the "client-go" profile.
func (b *backend) buildOptions() []transport.BuildOption {
	opts := []transport.BuildOption{transport.WithCAPEM(b.caPEM)}
	if b.kube != nil {
		opts = append(opts, transport.WithRESTConfig(b.kube))
	}
	return opts
}

func (b *backend) wrapHeaders(rt http.RoundTripper) http.RoundTripper {
	if len(b.headers) == 0 {
		return rt
	}
	return &headerRoundTripper{next: rt, headers: b.headers}
}

// headerRoundTripper adds the scenario's headers to each request that does
// not set them itself (a mix entry's request.headers, a body's
// Content-Type win), on a copy of the request: a RoundTripper must not
// change the one it is given.
type headerRoundTripper struct {
	next    http.RoundTripper
	headers http.Header
}

func (h *headerRoundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	r := *req
	r.Header = make(http.Header, len(req.Header)+len(h.headers))
	for k, v := range req.Header {
		r.Header[k] = v
	}
	for k, v := range h.headers {
		if _, ok := r.Header[k]; !ok {
			r.Header[k] = v
		}
	}
	return h.next.RoundTrip(&r)
}

// WrappedRoundTripper lets transport.CloseIdle and transport.Base see
// through the headers.
func (h *headerRoundTripper) WrappedRoundTripper() http.RoundTripper { return h.next }

// loadKubeconfig reads the kubeconfig at path as kubectl --kubeconfig
// --context does (k8s.io/client-go/tools/clientcmd, never prompting: an exec
// plugin gets no stdin) and returns the rest.Config of the context
// kubeContext ("" for its current-context) with the base URL of its server.
func loadKubeconfig(path, kubeContext string) (*rest.Config, string, error) {
	rules := &clientcmd.ClientConfigLoadingRules{ExplicitPath: path}
	overrides := &clientcmd.ConfigOverrides{CurrentContext: kubeContext}
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, overrides).ClientConfig()
	if err != nil {
		return nil, "", err
	}
	u, _, err := rest.DefaultServerUrlFor(cfg)
	if err != nil {
		return nil, "", err
	}
	u.RawQuery, u.Fragment = "", ""
	return cfg, strings.TrimSuffix(u.String(), "/"), nil
}

// kubeconfigErr is a kubeconfig that cannot be used, as one line naming the
// scenario's field.
func kubeconfigErr(p *Plan, err error) error {
	b := p.Resolved().Backend
	field, value := "backend.kubeconfig", b.Kubeconfig
	if b.Context != "" && strings.Contains(err.Error(), "context") {
		field, value = "backend.context", b.Context
	}
	return p.FieldErr(field, value, strings.ReplaceAll(err.Error(), "\n", "; "))
}

// kubeBackend is the backend of a scenario with backend.kubeconfig: the
// kubeconfig's server, trusted and authenticated as client-go would
// (k8s.io/client-go/transport.TLSConfigFor: its CA, client certificate and
// TLS settings; its other credentials through wrap).
func kubeBackend(p *Plan) (*backend, error) {
	b := p.Resolved().Backend
	cfg, server, err := loadKubeconfig(b.Kubeconfig, b.Context)
	if err != nil {
		return nil, kubeconfigErr(p, err)
	}
	tc, err := cfg.TransportConfig()
	if err != nil {
		return nil, kubeconfigErr(p, err)
	}
	if _, err := kubetransport.HTTPWrappersForConfig(tc, http.DefaultTransport); err != nil {
		return nil, kubeconfigErr(p, err)
	}
	be := &backend{url: server, isolation: isolationExternal}
	be.kube, be.kubeTransport = cfg, tc
	if strings.HasPrefix(server, "https://") {
		tlsConf, err := kubetransport.TLSConfigFor(tc)
		if err != nil {
			return nil, kubeconfigErr(p, err)
		}
		if tlsConf == nil {
			tlsConf = &tls.Config{MinVersion: tls.VersionTLS12} // the system's roots
		}
		be.tls = tlsConf
		if len(tc.TLS.CAData) > 0 {
			be.caPEM = tc.TLS.CAData // TLSConfigFor read a CA file into it
		}
	}
	return be, nil
}

// checkKubeconfig reads p's kubeconfig and refuses its server outside
// loopback unless allowRemote is set.
func checkKubeconfig(p *Plan, allowRemote bool) error {
	b := p.Resolved().Backend
	_, server, err := loadKubeconfig(b.Kubeconfig, b.Context)
	if err != nil {
		return kubeconfigErr(p, err)
	}
	if err := loopback.CheckURL(server, allowRemote); err != nil {
		return p.FieldErr("backend.kubeconfig", b.Kubeconfig, fmt.Sprintf("its server %s is not on loopback; want a loopback server (127.0.0.0/8, ::1, localhost), or pass --allow-remote", server))
	}
	return nil
}

// authNote says what every request carried, for the report: the kind of
// the kubeconfig's credentials and the names of the scenario's headers,
// never a value.
func (b *backend) authNote(p *scenario.Plan) string {
	var parts []string
	if c := b.kube; c != nil {
		var kinds []string
		switch {
		case c.BearerTokenFile != "":
			kinds = append(kinds, "token file")
		case c.BearerToken != "":
			kinds = append(kinds, "bearer token")
		}
		if c.CertData != nil || c.CertFile != "" {
			kinds = append(kinds, "client certificate")
		}
		if c.ExecProvider != nil {
			kinds = append(kinds, "exec plugin "+c.ExecProvider.Command)
		}
		if c.AuthProvider != nil {
			kinds = append(kinds, "auth provider "+c.AuthProvider.Name)
		}
		if c.Username != "" {
			kinds = append(kinds, "basic auth")
		}
		if c.Impersonate.UserName != "" {
			kinds = append(kinds, "impersonating "+c.Impersonate.UserName)
		}
		if len(kinds) == 0 {
			kinds = append(kinds, "none")
		}
		bk := p.Resolved().Backend
		ctx := bk.Context
		if ctx == "" {
			ctx = "its current context"
		}
		parts = append(parts, fmt.Sprintf("the credentials of kubeconfig %s (%s: %s)", bk.Kubeconfig, ctx, strings.Join(kinds, ", ")))
	}
	if len(b.headers) > 0 {
		names := make([]string, 0, len(b.headers))
		for k := range b.headers {
			names = append(names, k)
		}
		slices.Sort(names)
		parts = append(parts, "the scenario's headers "+strings.Join(names, ", ")+" (their values are not recorded)")
	}
	if len(parts) == 0 {
		return ""
	}
	return "Auth: every request, the set-up's included, carried " + strings.Join(parts, " and ") + "."
}
