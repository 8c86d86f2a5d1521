package transport

import (
	"crypto/tls"
	"errors"
	"net/http"

	"k8s.io/client-go/rest"
)

// ClientGoBearerToken is the bearer token in the "client-go" profile's rest.Config.
// Every Kubernetes client sends one; the mock checks it only when its Config sets
// a BearerToken.
const ClientGoBearerToken = "oranbench"

// ClientGoProfile is the transport every Kubernetes client (kubectl, porchctl,
// controller-runtime, client-go) uses: k8s.io/client-go/rest.TransportFor on a
// rest.Config holding the backend's CA (CAData) and a bearer token. As client-go
// v0.37 builds it, it is an *http.Transport with MaxIdleConnsPerHost 25, no
// MaxIdleConns or MaxConnsPerHost limit, IdleConnTimeout 90s, TLSHandshakeTimeout
// 10s, a dialer with a 30s timeout and 30s keep-alive, proxies from the
// environment (NO_PROXY may hold CIDRs), TLS 1.2 at least and no TLS session
// cache; HTTP/2 comes from golang.org/x/net/http2.ConfigureTransports, with
// health-check pings on a connection idle for 30s (ReadIdleTimeout) answered
// within 15s (PingTimeout); the environment variables DISABLE_HTTP2,
// HTTP2_READ_IDLE_TIMEOUT_SECONDS and HTTP2_PING_TIMEOUT_SECONDS change that, as
// they do for every client-go program. (Closing a connection leaves its
// health-check timer armed; when it fires it finds the connection closed and
// returns at once.) Wrapped around it, a RoundTripper adds
// "Authorization: Bearer ..." to each request. There is no client timeout (a
// rest.Config's Timeout is 0 unless set).
//
// The arm measures the transport only: client-go's RESTClient adds a client-side
// rate limiter (QPS 5, burst 10 unless the rest.Config sets others) above it,
// which this profile does not have.
//
// Given a kubeconfig's rest.Config (WithRESTConfig), the profile builds from
// a copy of it instead: the kubeconfig's CA and credentials, whatever kind
// (bearer token or token file, client certificate, exec plugin), as any
// client-go program would use them.
//
// Each build is a new transport with a pool of its own: see ClientGoRESTConfig
// for how the profile keeps client-go's transport cache from handing every build
// the same one. Give the builder the CA as PEM with WithCAPEM when the TLS
// configuration holds a pool of CAs; it fails otherwise.
func ClientGoProfile() Profile {
	return Profile{
		Name: ProfileClientGo,
		Description: "k8s.io/client-go rest.TransportFor, as every Kubernetes client builds it: 25 idle conns per host, no MaxConnsPerHost, " +
			"HTTP/2 via x/net http2.ConfigureTransports (health pings after 30s idle), TLS handshake timeout 10s, bearer token, no client timeout",
		build: func(in buildInput) (http.RoundTripper, error) {
			if in.rest != nil {
				return rest.TransportFor(ClientGoKubeconfig(in.rest))
			}
			cfg, err := ClientGoRESTConfig(in.tls, in.caPEM)
			if err != nil {
				return nil, err
			}
			return rest.TransportFor(cfg)
		},
	}
}

// ClientGoKubeconfig is the rest.Config the "client-go" profile builds from
// when given a kubeconfig's (WithRESTConfig): a copy of cfg, with its
// credentials, CA and TLS settings, and Proxy set to
// http.ProxyFromEnvironment when cfg has none, for the reason
// ClientGoRESTConfig gives: a new pool on every build.
func ClientGoKubeconfig(cfg *rest.Config) *rest.Config {
	c := rest.CopyConfig(cfg)
	if c.Proxy == nil {
		c.Proxy = http.ProxyFromEnvironment
	}
	return c
}

// ClientGoRESTConfig returns the rest.Config that the "client-go" profile hands to
// rest.TransportFor: a bearer token (ClientGoBearerToken), and the TLS settings
// of tlsConf as a kubeconfig would give them: caPEM as CAData, ServerName,
// NextProtos, InsecureSkipVerify as Insecure; fields a rest.Config has no place
// for (MinVersion, cipher suites) are dropped, and client-go sets TLS 1.2 as its
// minimum. With a nil tlsConf, or one without
// RootCAs, client-go trusts the system's roots, as net/http does. It refuses a
// tlsConf with RootCAs but no caPEM (client-go takes the CA only as PEM or a
// file), and one with client certificates (the harness never sets them).
//
// Proxy is set to http.ProxyFromEnvironment, the function client-go uses when
// Proxy is nil, so requests go through the same proxies (client-go wraps both
// alike with its NO_PROXY CIDR support). The difference is in its transport
// cache (k8s.io/client-go/transport/cache.go): client-go cannot compare
// functions, so a config with a Proxy is not cached, and every call returns a
// new *http.Transport. A config without one is cached by its TLS settings, and
// every arm-repetition would then share one pool, warm connections included.
func ClientGoRESTConfig(tlsConf *tls.Config, caPEM []byte) (*rest.Config, error) {
	cfg := &rest.Config{
		BearerToken: ClientGoBearerToken,
		Proxy:       http.ProxyFromEnvironment,
	}
	if tlsConf == nil {
		if len(caPEM) > 0 {
			cfg.CAData = append([]byte(nil), caPEM...)
		}
		return cfg, nil
	}
	if len(tlsConf.Certificates) > 0 || tlsConf.GetClientCertificate != nil {
		return nil, errors.New("client-go: the TLS configuration has client certificates, which this profile does not pass on")
	}
	if tlsConf.RootCAs != nil && len(caPEM) == 0 {
		return nil, errors.New("client-go: the TLS configuration trusts a pool of CAs, but rest.Config takes the CA only as PEM: give it with transport.WithCAPEM(pem)")
	}
	cfg.CAData = append([]byte(nil), caPEM...)
	cfg.ServerName = tlsConf.ServerName
	cfg.NextProtos = append([]string(nil), tlsConf.NextProtos...)
	cfg.Insecure = tlsConf.InsecureSkipVerify
	return cfg, nil
}
