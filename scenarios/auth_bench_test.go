package scenarios

import (
	"net/http"
	"testing"

	"k8s.io/client-go/rest"

	"github.com/oranbench/oranbench/targets/transport"
)

// okRoundTripper answers every request at once, so a benchmark over it
// measures only the wrappers in front of it.
type okRoundTripper struct{ resp *http.Response }

func (o okRoundTripper) RoundTrip(*http.Request) (*http.Response, error) { return o.resp, nil }

// What the credentials, headers and limiter cost per request, against a
// RoundTripper that costs nothing: go test -run - -bench Wrap -benchmem
// ./scenarios/ (figures in the README).
func BenchmarkWrap(b *testing.B) {
	next := okRoundTripper{resp: &http.Response{StatusCode: 200, Body: http.NoBody}}
	token := func() *backend {
		tc, err := (&rest.Config{BearerToken: "abc"}).TransportConfig()
		if err != nil {
			b.Fatal(err)
		}
		return &backend{backendAuth: backendAuth{kube: &rest.Config{}, kubeTransport: tc}}
	}
	headers := http.Header{"X-Api-Key": {"abc"}}
	for _, bc := range []struct {
		name string
		rt   func() http.RoundTripper
	}{
		{"none", func() http.RoundTripper { return next }},
		{"bearer", func() http.RoundTripper { return token().wrap(next) }},
		{"headers", func() http.RoundTripper { return (&backend{backendAuth: backendAuth{headers: headers}}).wrap(next) }},
		{"bearer+headers", func() http.RoundTripper {
			be := token()
			be.headers = headers
			return be.wrap(next)
		}},
		{"limiter-unbound", func() http.RoundTripper { return transport.NewLimited(next, 1e9, 1e9) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			rt := bc.rt()
			req, _ := http.NewRequest(http.MethodGet, "https://127.0.0.1/api/v1/namespaces", nil)
			req.Header.Set("Accept", "application/json")
			b.ReportAllocs()
			for b.Loop() {
				if _, err := rt.RoundTrip(req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
