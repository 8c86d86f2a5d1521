package mockbackend

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// holder sends requests that hang on the server (fault hang: 1) and so
// hold their flow-control seats until release. They carry no body: net/http
// notices a client leaving only once the body is read.
type holder struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func holdSeats(t *testing.T, c *http.Client, n int, method, url, body string) *holder {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	h := &holder{cancel: cancel}
	for range n {
		req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		h.wg.Add(1)
		go func() {
			defer h.wg.Done()
			if resp, err := c.Do(req); err == nil { // the cancel ends it with an error
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}()
	}
	t.Cleanup(h.release)
	return h
}

func (h *holder) release() {
	h.cancel()
	h.wg.Wait()
}

// Issue 24 (6): Flow control as kube-apiserver's max-in-flight filter: beyond
// maxRequestsInflight reads and, separately, maxMutatingRequestsInflight
// writes, a request is answered 429 with Retry-After: 1 at once (a
// TooManyRequests Status on the Kubernetes API, the mock's error body on
// the others), counted by kind; watches, streamed completions and the
// operational routes are exempt.
func TestFlowControlRefusesBeyondTheInflightLimits(t *testing.T) {
	hang := Behavior{Faults: Faults{Hang: 1}}
	s := startServer(t, Config{TLS: true, MaxRequestsInflight: 2, MaxMutatingRequestsInflight: 1, LLMTokens: 2,
		Routes: map[string]Behavior{"porch.k8s.get": hang, "a1.policy.delete": hang}})
	c := newClient(t, s, nil)
	ns := s.URL() + "/apis/porch.kpt.dev/v1alpha1/namespaces/default/packagerevisions"
	prBody := `{"apiVersion":"porch.kpt.dev/v1alpha1","kind":"PackageRevision","metadata":{"name":"fc"},"spec":{"repository":"r","packageName":"p"}}`
	chat := func(stream bool) string {
		return `{"messages":[{"role":"user","content":"hi"}],"stream":` + map[bool]string{true: "true", false: "false"}[stream] + `}`
	}

	// Both seats of the read pool are held; writes have a pool of their own.
	reads := holdSeats(t, c, 2, "GET", ns+"/held", "")
	waitFor(t, func() bool { return len(s.flow.readOnly) == 2 })
	isK8s429 := func(what string, r response) {
		t.Helper()
		if r.code != http.StatusTooManyRequests || r.header.Get("Retry-After") != "1" {
			t.Fatalf("%s: code %d, Retry-After %q; want 429 and 1: %s", what, r.code, r.header.Get("Retry-After"), r.body)
		}
		if jsonField(t, r.body, "kind") != "Status" || jsonField(t, r.body, "reason") != "TooManyRequests" ||
			jsonField(t, r.body, "code") != 429.0 || jsonField(t, r.body, "details", "retryAfterSeconds") != 1.0 {
			t.Errorf("%s: body is not kube-apiserver's TooManyRequests Status: %s", what, r.body)
		}
	}
	isK8s429("a third read", do(t, c, "GET", ns, ""))
	isK8s429("discovery, also a read", do(t, c, "GET", s.URL()+"/apis", ""))
	if r := do(t, c, "POST", ns, prBody); r.code != http.StatusCreated {
		t.Fatalf("a write while the reads are full: code %d, want 201 (its own pool): %s", r.code, r.body)
	}
	if r := do(t, c, "GET", ns+"?watch=true&timeoutSeconds=1", ""); r.code != http.StatusOK {
		t.Errorf("a watch: code %d, want 200 (long-running, exempt): %s", r.code, r.body)
	}
	for _, p := range []string{"/healthz", "/metrics"} {
		if r := do(t, c, "GET", s.URL()+p, ""); r.code != http.StatusOK {
			t.Errorf("%s: code %d, want 200 (operational, exempt)", p, r.code)
		}
	}

	// The write seat is held: writes are refused, on every API.
	writes := holdSeats(t, c, 1, "DELETE", s.URL()+"/A1-P/v2/policytypes/1000/policies/held", "")
	waitFor(t, func() bool { return len(s.flow.mutating) == 1 })
	isK8s429("a second write", do(t, c, "POST", ns, strings.Replace(prBody, `"fc"`, `"fc2"`, 1)))
	for _, w := range []struct{ what, path, body string }{
		{"a RAG query", "/query", `{"question":"q"}`},
		{"an LLM completion", "/v1/chat/completions", chat(false)},
	} {
		r := do(t, c, "POST", s.URL()+w.path, w.body)
		if r.code != http.StatusTooManyRequests || r.header.Get("Retry-After") != "1" ||
			!strings.Contains(string(r.body), "maxMutatingRequestsInflight 1") {
			t.Errorf("%s: code %d, Retry-After %q, body %s; want 429, 1 and the limit named", w.what, r.code, r.header.Get("Retry-After"), r.body)
		}
	}
	if r := do(t, c, "POST", s.URL()+"/v1/chat/completions", chat(true)); r.code != http.StatusOK || !strings.Contains(string(r.body), "data: [DONE]") {
		t.Errorf("a streamed LLM completion: code %d, want 200 with the whole stream (long-running, exempt): %s", r.code, r.body)
	}

	st := s.Stats()
	if st.InflightRejectedReadOnly != 2 || st.InflightRejectedMutating != 3 || st.InflightRejected() != 5 {
		t.Errorf("Stats: %d read-only and %d mutating refusals, want 2 and 3", st.InflightRejectedReadOnly, st.InflightRejectedMutating)
	}
	m := string(do(t, c, "GET", s.URL()+"/metrics", "").body)
	for _, want := range []string{`oranbench_mock_inflight_rejected_total{request_kind="readOnly"} 2`,
		`oranbench_mock_inflight_rejected_total{request_kind="mutating"} 3`,
		`oranbench_mock_current_inflight_requests{request_kind="readOnly"} 2`,
		`oranbench_mock_current_inflight_requests{request_kind="mutating"} 1`} {
		if !strings.Contains(m, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}

	// Seats come back when the requests end.
	reads.release()
	writes.release()
	waitFor(t, func() bool { return len(s.flow.readOnly) == 0 && len(s.flow.mutating) == 0 })
	if r := do(t, c, "GET", ns, ""); r.code != http.StatusOK {
		t.Errorf("a read after the seats came back: code %d: %s", r.code, r.body)
	}
	if d := s.Stats().Sub(st); d.InflightRejected() != 0 {
		t.Errorf("Sub: %d refusals since the snapshot, want 0", d.InflightRejected())
	}
}

// Issue 24 (6): With latency instead of hangs, concurrent reads beyond the limit get
// 429s, and every request is either served or refused.
func TestFlowControlUnderConcurrentReads(t *testing.T) {
	s := startServer(t, Config{MaxRequestsInflight: 2, Latency: 200 * time.Millisecond})
	c := newClient(t, s, nil)
	const n = 6
	codes := make(chan int, n)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes <- do(t, c, "GET", s.URL()+"/A1-P/v2/policytypes", "").code
		}()
	}
	wg.Wait()
	close(codes)
	got := map[int]int{}
	for code := range codes {
		got[code]++
	}
	st := s.Stats()
	if got[200]+got[429] != n || got[429] == 0 || got[200] < 2 || int64(got[429]) != st.InflightRejectedReadOnly {
		t.Errorf("codes %v, %d refusals counted; want only 200 and 429, at least two 200s and one 429, each 429 counted", got, st.InflightRejectedReadOnly)
	}
}

// The limits are off by default, and out-of-range ones are refused naming
// the field and kube-apiserver's default.
func TestFlowControlConfig(t *testing.T) {
	if err := (Config{MaxRequestsInflight: -1}).Validate(); err == nil || !strings.Contains(err.Error(), "maxRequestsInflight: -1 is out of range") || !strings.Contains(err.Error(), "400") {
		t.Errorf("maxRequestsInflight -1: %v", err)
	}
	if err := (Config{MaxMutatingRequestsInflight: MaxInFlightLimit + 1}).Validate(); err == nil || !strings.Contains(err.Error(), "maxMutatingRequestsInflight") || !strings.Contains(err.Error(), "200") {
		t.Errorf("maxMutatingRequestsInflight too large: %v", err)
	}
	if r, w := APIServerInflight(0.5); r != 200 || w != 100 {
		t.Errorf("APIServerInflight(0.5) = %d, %d; want 200, 100", r, w)
	}
	if r, w := APIServerInflight(0.001); r != 1 || w != 1 {
		t.Errorf("APIServerInflight(0.001) = %d, %d; want 1, 1 (never 0, which is unlimited)", r, w)
	}
	s := startServer(t, Config{})
	if s.flow.readOnly != nil || s.flow.mutating != nil {
		t.Error("flow control is on without a limit configured")
	}
}
