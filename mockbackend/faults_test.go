package mockbackend

import (
	"context"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"
)

func TestEachFaultAsAClientSeesIt(t *testing.T) {
	cases := []struct {
		name   string
		faults Faults
		check  func(t *testing.T, resp *http.Response, err error, body []byte, bodyErr error)
		code   int // server-side recorded code
	}{
		{"an error rate of 1 at 503 answers 503 with Retry-After", Faults{ErrorRates: map[int]float64{503: 1}, RetryAfter: 2 * time.Second},
			func(t *testing.T, resp *http.Response, err error, body []byte, _ error) {
				if err != nil || resp.StatusCode != 503 || resp.Header.Get("Retry-After") != "2" {
					t.Errorf("got %v %v Retry-After %q, want 503 with Retry-After 2", statusOf(resp), err, retryAfter(resp))
				}
			}, 503},
		{"an error rate of 1 at 500 answers 500", Faults{ErrorRates: map[int]float64{500: 1}},
			func(t *testing.T, resp *http.Response, err error, _ []byte, _ error) {
				if err != nil || resp.StatusCode != 500 {
					t.Errorf("got %v %v, want 500", statusOf(resp), err)
				}
			}, 500},
		{"rate limiting answers 429 with Retry-After rounded up", Faults{RateLimit: 1, RetryAfter: 1500 * time.Millisecond},
			func(t *testing.T, resp *http.Response, err error, _ []byte, _ error) {
				if err != nil || resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "2" {
					t.Errorf("got %v %v Retry-After %q, want 429 with Retry-After 2", statusOf(resp), err, retryAfter(resp))
				}
			}, 429},
		{"a hang lasts until the client gives up", Faults{Hang: 1},
			func(t *testing.T, _ *http.Response, err error, _ []byte, _ error) {
				if !errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("err = %v, want the client's deadline", err)
				}
			}, StatusClientClosed},
		{"a mid-response close cuts the body after a 200", Faults{CloseMidResponse: 1},
			func(t *testing.T, resp *http.Response, err error, body []byte, bodyErr error) {
				if err != nil || resp.StatusCode != 200 {
					t.Fatalf("got %v %v, want a 200 header first", statusOf(resp), err)
				}
				if !errors.Is(bodyErr, io.ErrUnexpectedEOF) || len(body) == 0 {
					t.Errorf("body read: %d bytes, err %v, want a partial body then unexpected EOF", len(body), bodyErr)
				}
			}, 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := startServer(t, Config{TLS: true, Routes: map[string]Behavior{"a1.policy.get": {Faults: tc.faults}}})
			c := newClient(t, s, nil)
			ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, "GET", s.URL()+"/A1-P/v2/policytypes/1000/policies/x", nil)
			resp, err := c.Do(req)
			var body []byte
			var bodyErr error
			if err == nil {
				body, bodyErr = io.ReadAll(resp.Body)
				resp.Body.Close()
			}
			tc.check(t, resp, err, body, bodyErr)
			// The fault is local to its route: other routes answer normally.
			if got := do(t, c, "GET", s.URL()+"/A1-P/v2/policytypes", ""); got.code != 200 {
				t.Errorf("another route: code %d, want 200", got.code)
			}
			waitFor(t, func() bool { return s.Stats().Routes["a1.policy.get"].Codes[tc.code] == 1 })
		})
	}
}

func statusOf(resp *http.Response) any {
	if resp == nil {
		return "no response"
	}
	return resp.StatusCode
}

func retryAfter(resp *http.Response) string {
	if resp == nil {
		return ""
	}
	return resp.Header.Get("Retry-After")
}

// codeSequence returns the status codes of n sequential requests.
func codeSequence(t *testing.T, seed uint64, n int) []int {
	s := startServer(t, Config{Seed: seed, Default: Behavior{Faults: Faults{ErrorRates: map[int]float64{500: 0.3, 503: 0.2}}}})
	c := newClient(t, s, nil)
	out := make([]int, n)
	for i := range out {
		out[i] = do(t, c, "GET", s.URL()+"/A1-P/v2/policytypes", "").code
	}
	return out
}

func TestFaultsAreReproducibleFromTheSeed(t *testing.T) {
	const n = 60
	a, b, other := codeSequence(t, 42, n), codeSequence(t, 42, n), codeSequence(t, 43, n)
	if !equalInts(a, b) {
		t.Errorf("same seed, different codes:\n%v\n%v", a, b)
	}
	if equalInts(a, other) {
		t.Errorf("different seeds gave the same %d codes", n)
	}
	fails := 0
	for _, c := range a {
		if c != 200 {
			fails++
		}
	}
	// 50% configured; 60 draws land well inside 15..45 for any sane RNG.
	if fails < 15 || fails > 45 {
		t.Errorf("%d of %d requests failed, want about half", fails, n)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestFaultPlanWalksCumulativeRates(t *testing.T) {
	p := newFaultPlan(Faults{ErrorRates: map[int]float64{503: 0.1, 500: 0.1}, RateLimit: 0.1, Hang: 0.1, CloseMidResponse: 0.1})
	cases := []struct {
		u        float64
		wantKind faultKind
		wantCode int
	}{
		{0.05, faultStatus, 500}, // codes in ascending order, whatever the map order
		{0.15, faultStatus, 503},
		{0.25, faultRateLimit, 429},
		{0.35, faultHang, 0},
		{0.45, faultCloseMid, 0},
		{0.55, faultNone, 0},
	}
	for _, tc := range cases {
		if k, c := p.pick(tc.u); k != tc.wantKind || c != tc.wantCode {
			t.Errorf("pick(%v) = %v/%d, want %v/%d", tc.u, k, c, tc.wantKind, tc.wantCode)
		}
	}
	if newFaultPlan(Faults{}) != nil {
		t.Errorf("an empty Faults compiled to a plan, want nil (no RNG on the hot path)")
	}
}

func TestFailFirstAnswersTheFirstRequestsOfEachRouteWith503ThenServes(t *testing.T) {
	s := startServer(t, Config{Routes: map[string]Behavior{"a1": {Faults: Faults{FailFirst: 2, RetryAfter: 3 * time.Second}}}})
	c := newClient(t, s, nil)
	types, _ := LookupRoute("a1.types.list")
	policy, _ := LookupRoute("a1.policy.get")
	e2, _ := LookupRoute("e2.servicemodels.list")
	steps := []struct {
		path string
		want int
	}{
		{types.Fill(), 503},
		{e2.Fill(), 200}, // another group: not configured
		{types.Fill(), 503},
		{types.Fill(), 200},
		{policy.Fill("1000", "nope"), 503}, // each route counts its own first requests
		{policy.Fill("1000", "nope"), 503},
		{policy.Fill("1000", "nope"), 404},
		{types.Fill(), 200},
	}
	for i, st := range steps {
		r := do(t, c, "GET", s.URL()+st.path, "")
		if r.code != st.want {
			t.Fatalf("request %d to %s: status %d, want %d", i, st.path, r.code, st.want)
		}
		if r.code == 503 && r.header.Get("Retry-After") != "3" {
			t.Fatalf("request %d: 503 without Retry-After 3: %v", i, r.header)
		}
	}
	if got := s.Stats().Routes["a1.types.list"].Codes; got[503] != 2 || got[200] != 2 {
		t.Fatalf("a1.types.list codes %v, want 2 × 503 then 2 × 200", got)
	}
}
