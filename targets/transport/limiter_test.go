package transport

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"k8s.io/client-go/rest"
)

type okTransport struct{}

func (okTransport) RoundTrip(*http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: 200, Body: http.NoBody}, nil
}

// The bucket lets burst requests through at once, then qps per second, and
// Waits reports how long they waited.
func TestLimitedLetsTheBurstThroughThenWaits(t *testing.T) {
	l := NewLimited(okTransport{}, 20, 3)
	req, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1/", nil)
	start := time.Now()
	for range 5 {
		if _, err := l.RoundTrip(req); err != nil {
			t.Fatal(err)
		}
	}
	// 3 at once, then 2 more at 20/s: at least ~100ms in all.
	if el := time.Since(start); el < 80*time.Millisecond {
		t.Errorf("5 requests at qps 20 burst 3 took %s, want at least ~100ms", el)
	}
	w := l.Waits()
	if w.QPS != 20 || w.Burst != 3 || w.Count != 5 || w.Total < 80*time.Millisecond || w.Max < 40*time.Millisecond {
		t.Errorf("waits = %+v", w)
	}
	if Base(l) != (okTransport{}) {
		t.Error("Base does not see through the limiter")
	}
}

// A request whose context ends before its token comes fails with the
// context's error when the context ends: not at once with the bucket's own
// "would exceed context deadline", which a run would count as a failure of
// the target rather than as cut off by its end.
func TestLimitedEndsAWaitWithItsContext(t *testing.T) {
	l := NewLimited(okTransport{}, 1, 1)
	req, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1/", nil)
	if _, err := l.RoundTrip(req); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := l.RoundTrip(req.WithContext(ctx))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want the context's deadline", err)
	}
	if el := time.Since(start); el < 40*time.Millisecond {
		t.Errorf("the wait ended after %s, before its context's 50ms", el)
	}
}

// Given a kubeconfig's rest.Config, the client-go profile builds from a
// copy of it (its credentials, not the fixed token), and each build is a
// pool of its own.
func TestClientGoBuildsFromAKubeconfigsRESTConfig(t *testing.T) {
	srv := newAuthServer(t, true)
	cfg := &rest.Config{Host: srv.URL, BearerToken: "from-kubeconfig", TLSClientConfig: rest.TLSClientConfig{CAData: srv.caPEM()}}
	p := ClientGoProfile()
	a, err := p.Build(nil, WithRESTConfig(cfg))
	if err != nil {
		t.Fatal(err)
	}
	defer CloseIdle(a)
	b, err := p.Build(nil, WithRESTConfig(cfg))
	if err != nil {
		t.Fatal(err)
	}
	defer CloseIdle(b)
	if Base(a) == Base(b) {
		t.Error("two builds share a transport")
	}
	if cfg.Proxy != nil {
		t.Error("the profile changed the rest.Config it was given")
	}
	get(t, &http.Client{Transport: a}, srv.URL)
	if _, auth := srv.counts(); auth["Bearer from-kubeconfig"] != 1 {
		t.Errorf("Authorization headers = %v, want the kubeconfig's token", auth)
	}
}
