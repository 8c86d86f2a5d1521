package mockbackend

import (
	"net/http"
	"sync"
	"testing"
	"time"
)

// h2ConnsFor sends one request to learn the server's SETTINGS, then n
// concurrent 200 ms requests over h2 from one transport, and returns how
// many connections the server accepted for them: a Go client opens another
// connection when the server's stream limit is reached.
func h2ConnsFor(t *testing.T, s *Server, n int) int64 {
	t.Helper()
	c := newClient(t, s, func(tr *http.Transport) { tr.ForceAttemptHTTP2 = true })
	url := s.URL() + "/e2ap/v1/service-models"
	do(t, c, "GET", url, "")
	before := s.Stats()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			req, _ := http.NewRequest("GET", url, nil)
			req.Header.Set(LatencyHeader, "200ms")
			resp, err := c.Do(req)
			if err != nil {
				errs <- err
				return
			}
			resp.Body.Close()
			if resp.ProtoMajor != 2 {
				errs <- &protoError{resp.Proto}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	return s.Stats().Sub(before).ConnsAccepted
}

type protoError struct{ proto string }

func (e *protoError) Error() string { return "response over " + e.proto + ", want HTTP/2" }

func TestH2MaxStreamsLimitsStreamsPerConnection(t *testing.T) {
	for _, tc := range []struct {
		name       string
		maxStreams int
		minConns   int64
		maxConns   int64
	}{
		{"the default 100 carries 12 requests on one connection", 0, 0, 0},
		{"a limit of 3 makes the client open at least 3 more for 12", 3, 3, 24}, // net/http dials per waiting request
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := startServer(t, Config{TLS: true, HTTP2: true, H2MaxStreams: tc.maxStreams, ShutdownTimeout: time.Second})
			if tc.maxStreams == 0 && s.Config().H2MaxStreams != DefaultH2MaxStreams {
				t.Fatalf("H2MaxStreams defaults to %d, want %d", s.Config().H2MaxStreams, DefaultH2MaxStreams)
			}
			got := h2ConnsFor(t, s, 12)
			if got < tc.minConns || got > tc.maxConns {
				t.Fatalf("%d new connections for 12 concurrent requests, want %d to %d", got, tc.minConns, tc.maxConns)
			}
		})
	}
}
