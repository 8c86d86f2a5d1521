package soak

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// F25: the soak's goroutine series leaves out the loops of open client
// connections (the pool's size swings with idle timeouts and is bounded by
// the transport; each connection is an fd) and counts every other
// goroutine, so a pool that shrinks cannot pass for, or hide, a leak.
func TestGoroutinesOfOpenConnectionsAreToldApart(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") }))
	defer srv.Close()
	tr := &http.Transport{MaxIdleConnsPerHost: 4}
	defer tr.CloseIdleConnections()
	var g goroutineCounter
	_, before, err := g.count()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := (&http.Client{Transport: tr}).Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	total, conn, err := g.count()
	if err != nil {
		t.Fatal(err)
	}
	if conn-before != 2 {
		t.Errorf("one idle HTTP/1.1 connection: %d connection goroutines, want 2 (read and write loops); total %d", conn-before, total)
	}
	// Goroutines of anything else count as the subject's own.
	const plain = 10
	stop := make(chan struct{})
	var started, done sync.WaitGroup
	for range plain {
		started.Add(1)
		done.Go(func() {
			started.Done()
			<-stop
		})
	}
	started.Wait()
	total2, conn2, err := g.count()
	close(stop)
	done.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if conn2 != conn || total2-conn2 != total-conn+plain {
		t.Errorf("%d more plain goroutines: own %d → %d, connections %d → %d; want own +%d, connections unchanged", plain, total-conn, total2-conn2, conn, conn2, plain)
	}
	tr.CloseIdleConnections()
	deadline := time.Now().Add(5 * time.Second)
	for ; conn > before && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if _, conn, err = g.count(); err != nil {
			t.Fatal(err)
		}
	}
	if conn != before {
		t.Errorf("after closing the connection: %d connection goroutines, want %d", conn, before)
	}
}

func TestParseGoroutineProfile(t *testing.T) {
	prof := "goroutine profile: total 7\n" +
		"3 @ 0x1 0x2\n#\t0x1\tnet/http.(*persistConn).readLoop+0x5\t/go/src/net/http/transport.go:2200\n#\t0x2\truntime.goexit+0x1\t/go/src/runtime/asm.s:1\n\n" +
		"1 @ 0x3\n#\t0x3\tgolang.org/x/net/http2.(*ClientConn).readLoop+0x9\t/x/net/http2/transport.go:1\n\n" +
		"3 @ 0x4\n#\t0x4\tmain.worker+0x1\t/app/main.go:3\n"
	total, conn, err := parseGoroutineProfile([]byte(prof))
	if err != nil || total != 7 || conn != 4 {
		t.Errorf("parse = %d total, %d on connections, %v; want 7, 4", total, conn, err)
	}
}
