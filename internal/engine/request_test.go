package engine

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// mutatingRT changes every request it sends, as a careless wrapper might:
// the change must not reach the worker's next request.
type mutatingRT struct{ next http.RoundTripper }

func (m mutatingRT) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Header.Get("X-Mutated") != "" {
		return nil, fmt.Errorf("request %s %s carries the previous request's header", r.Method, r.URL)
	}
	resp, err := m.next.RoundTrip(r)
	r.Header.Set("X-Mutated", "1")
	r.URL.Path = "/mutated"
	r.Host = "mutated.invalid"
	return resp, err
}

// F26: a worker reuses its last parsed request for the next hit with the
// same method and URL; every hit still goes out as its own target says,
// whatever the targeter alternates and whatever the previous request's
// transport did to it.
func TestEachHitIsSentAsItsTargetSaysWhenRequestsAreReused(t *testing.T) {
	var mu sync.Mutex
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, fmt.Sprintf("%s %s host=%s x=%s", r.Method, r.URL.Path, r.Host, r.Header.Get("X")))
		mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	hostPort := srv.Listener.Addr().String()
	targets := []vegeta.Target{
		{Method: http.MethodGet, URL: srv.URL + "/a", Header: http.Header{"X": {"1"}}},
		{Method: http.MethodGet, URL: srv.URL + "/a"},
		{Method: http.MethodGet, URL: srv.URL + "/a", Header: http.Header{"Host": {"named.example"}}},
		{Method: http.MethodDelete, URL: srv.URL + "/a"},
		{Method: http.MethodGet, URL: srv.URL + "/b", Header: http.Header{"X": {"2"}}},
		{Method: http.MethodGet, URL: srv.URL + "/b"},
	}
	want := []string{
		"GET /a host=" + hostPort + " x=1",
		"GET /a host=" + hostPort + " x=",
		"GET /a host=named.example x=",
		"DELETE /a host=" + hostPort + " x=",
		"GET /b host=" + hostPort + " x=2",
		"GET /b host=" + hostPort + " x=",
	}
	for _, model := range []Model{Closed, Open} {
		t.Run(string(model), func(t *testing.T) {
			mu.Lock()
			got = nil
			mu.Unlock()
			var n int
			tr := func(tgt *vegeta.Target) error {
				*tgt = targets[n%len(targets)]
				n++
				return nil
			}
			client := &http.Client{Transport: mutatingRT{newClient(t).Transport}}
			rec, err := Run(context.Background(), Attack{Targeter: tr, Client: client, Model: model,
				Concurrency: 1, Pacer: ConstantRate{PerSec: 1e6}, Workers: 1, MaxWorkers: 1,
				Duration: time.Minute, MaxHits: 2 * uint64(len(targets))})
			if err != nil {
				t.Fatal(err)
			}
			if rec.Successes != rec.Hits || rec.Hits != 2*int64(len(targets)) {
				t.Fatalf("hits %d, successes %d, errors %v", rec.Hits, rec.Successes, rec.Errors)
			}
			mu.Lock()
			defer mu.Unlock()
			for i, g := range got {
				if w := want[i%len(want)]; g != w {
					t.Errorf("request %d: server saw %q, want %q", i, g, w)
				}
			}
		})
	}
}
