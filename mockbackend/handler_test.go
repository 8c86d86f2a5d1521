package mockbackend

import (
	"context"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestHandlerServesTheMockFromTheCallersServer(t *testing.T) {
	if _, err := NewHandler(Config{H2MaxStreams: 50}); err == nil || !strings.Contains(err.Error(), "h2MaxStreams") {
		t.Fatalf("NewHandler with an h2 stream limit: %v; want a refusal naming h2MaxStreams", err)
	}
	if _, err := NewHandler(Config{TLS: true}); err == nil || !strings.Contains(err.Error(), "tls") {
		t.Fatalf("NewHandler with TLS: %v, want a refusal naming tls", err)
	}
	if _, err := NewHandler(Config{Routes: map[string]Behavior{"a1.policy.pat": {}}}); err == nil {
		t.Fatal("NewHandler accepted an unknown route key")
	}
	h, err := NewHandler(Config{Routes: map[string]Behavior{"a1.policy.put": {Faults: Faults{Hang: 1}}}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.Start()
	defer srv.Close()
	defer h.Close()
	c := srv.Client()

	types, _ := LookupRoute("a1.types.list")
	r := do(t, c, "GET", srv.URL+types.Fill(), "")
	if r.code != 200 || !strings.Contains(string(r.body), "1000") {
		t.Fatalf("a1.types.list: %d %s", r.code, r.body)
	}
	if st := h.Stats().Routes["a1.types.list"]; st.Requests != 1 || st.Codes[200] != 1 {
		t.Fatalf("stats %+v, want the request counted", st)
	}

	// A request that hangs returns once the Handler is closed.
	put, _ := LookupRoute("a1.policy.put")
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, put.Method, srv.URL+put.Fill("1000", "p"), strings.NewReader(`{}`))
		resp, err := c.Do(req)
		if err == nil {
			resp.Body.Close()
			err = errors.New(resp.Status)
		}
		done <- err
	}()
	for h.Stats().InFlight == 0 {
		time.Sleep(time.Millisecond)
	}
	start := time.Now()
	h.Close()
	select {
	case err := <-done:
		if errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 2*time.Second {
			t.Fatalf("the hung request ended with %v after %v, want an abort at Close", err, time.Since(start))
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the hung request is still waiting after Close")
	}
}
