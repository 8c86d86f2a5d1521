package mockbackend

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestBadInputGetsTheRightStatus(t *testing.T) {
	s := startServer(t, Config{TLS: true, MaxBodyBytes: 1024})
	big := `{"x":"` + strings.Repeat("a", 2000) + `"}`
	runSteps(t, s, []step{
		{name: "a body over the cap is 413", method: "PUT", path: "/A1-P/v2/policytypes/1000/policies/p", body: big, wantCode: 413, wantField: "body"},
		{name: "malformed JSON is 400", method: "POST", path: "/query", body: `{"question":`, wantCode: 400, wantField: "body"},
		{name: "an empty body is 400", method: "POST", path: "/query", wantCode: 400, wantField: "body"},
		{name: "trailing garbage is 400", method: "POST", path: "/query", body: `{"question":"q"} x`, wantCode: 400, wantField: "body"},
		{name: "an unknown route is 404", method: "GET", path: "/A1-P/v3/policytypes", wantCode: 404},
		{name: "a wrong method is 405 with Allow", method: "PATCH", path: "/A1-P/v2/policytypes/1000", wantCode: 405,
			wantHeader: map[string]string{"Allow": "DELETE, GET, HEAD, PUT", "Content-Type": "application/json"}},
	})
	st := s.Stats()
	if got := st.Routes[RouteUnmatched].Codes; got[404] != 1 || got[405] != 1 {
		t.Errorf("unmatched codes = %v, want one 404 and one 405", got)
	}
	if got := st.Routes["a1.policy.put"].Codes[413]; got != 1 {
		t.Errorf("413s on a1.policy.put = %d, want 1", got)
	}
}

func TestSlowlorisIsCutOffByReadHeaderTimeout(t *testing.T) {
	s := startServer(t, Config{ReadHeaderTimeout: 200 * time.Millisecond})
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL(), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	// Headers trickle in and never finish.
	if _, err := io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: mock\r\nX-Slow: "); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	took := time.Since(start)
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode < 400 {
			t.Errorf("a request with unfinished headers got %d", resp.StatusCode)
		}
	}
	if took > 2*time.Second {
		t.Errorf("server held the slow connection for %v, want it cut after about 200ms", took)
	}
	waitFor(t, func() bool { return s.Stats().ConnsActive == 0 })
}
