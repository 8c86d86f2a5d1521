package mockproc

import (
	"context"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/oranbench/oranbench/mockbackend"
)

// TestAChildTakesTheH2StreamLimit checks that the HTTP/2 stream limit set
// in the parent's Config governs the child: 12 concurrent 200 ms requests
// over h2 fit the default 100 streams of the connection already open, while
// a limit of 3 makes the client open more connections.
func TestAChildTakesTheH2StreamLimit(t *testing.T) {
	for _, tc := range []struct {
		maxStreams         int
		minConns, maxConns int64
	}{{0, 0, 0}, {3, 3, 24}} {
		p, err := Start(childOptions(mockbackend.Config{Listen: "127.0.0.1:0", TLS: true, HTTP2: true, H2MaxStreams: tc.maxStreams}))
		if err != nil {
			t.Fatal(err)
		}
		tr := &http.Transport{TLSClientConfig: p.ClientTLSConfig(), ForceAttemptHTTP2: true}
		client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
		url := p.URL() + "/e2ap/v1/service-models"
		get := func() error {
			req, _ := http.NewRequest(http.MethodGet, url, nil)
			req.Header.Set(mockbackend.LatencyHeader, "200ms")
			resp, err := client.Do(req)
			if err != nil {
				return err
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.ProtoMajor != 2 {
				t.Errorf("response over %s, want HTTP/2", resp.Proto)
			}
			return nil
		}
		if err := get(); err != nil { // learn the server's SETTINGS
			t.Fatal(err)
		}
		ctx := context.Background()
		before, err := p.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for range 12 {
			wg.Go(func() {
				if err := get(); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		after, err := p.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		tr.CloseIdleConnections()
		if err := p.Close(); err != nil {
			t.Fatal(err)
		}
		if got := after.ConnsAccepted - before.ConnsAccepted; got < tc.minConns || got > tc.maxConns {
			t.Errorf("h2MaxStreams %d: %d new connections for 12 concurrent requests, want %d to %d", tc.maxStreams, got, tc.minConns, tc.maxConns)
		}
	}
}
