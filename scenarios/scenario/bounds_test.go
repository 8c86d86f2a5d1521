package scenario

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/oranbench/oranbench/targets/transport"
)

// F2: a rate below 0.001/s is paced at that rate, not as a flood: the
// scenario's offer waits 1/rate for its first hit, and the ramp and sine
// shapes, which take vegeta's Rate, never get Freq 0 from a positive rate.
func TestATinyRateIsPacedAsAskedNotAsAFlood(t *testing.T) {
	doc := strings.Replace(base, "model: closed\n  concurrency: 2", "model: open\n  rate: 0.0001", 1)
	doc = strings.Replace(doc, "  - p99 < 250ms", "  - expr: p99 < 250ms\n    required: false", 1)
	s, err := Parse("tiny.yaml", []byte(doc), transport.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	o := s.spec.Load.Offered(5 * time.Second)
	if o.Shape != "constant 0.0001/s" {
		t.Fatalf("shape %q", o.Shape)
	}
	wait, stop := o.Pacer.Pace(0, 0)
	if stop || wait < 9999*time.Second || wait > 10001*time.Second {
		t.Fatalf("first hit due in %v (stop %v), want 10000s", wait, stop)
	}
	if got := o.Expected(5 * time.Second); got != 0 {
		t.Fatalf("expected %v hits in 5s, want 0", got)
	}
	for _, r := range []float64{0.0009, 0.0004, 1e-9, 1e-300, 0.0015, 0.5, 3, 1e6} {
		p := ratePacer(r)
		if p.Freq < 1 || p.Per <= 0 || p.Per.Nanoseconds() < int64(p.Freq) {
			t.Errorf("ratePacer(%v) = %v: Freq 0 floods, Per/Freq under 1ns divides by zero", r, p)
		}
		if got := p.Rate(0); r > 1e-10 && math.Abs(got-r)/r > 1e-9 {
			t.Errorf("ratePacer(%v) paces %v/s", r, got)
		}
	}
}

// F11, F15: the bounds scenario files and `oranbench attack` share.
func TestSharedBoundsRefuseWhatCannotRun(t *testing.T) {
	bad := []struct {
		name string
		err  error
	}{
		{"concurrency 0", CheckConcurrency(0)},
		{"concurrency -1", CheckConcurrency(-1)},
		{"concurrency 100000", CheckConcurrency(100000)},
		{"rate 0", CheckRate(0)},
		{"rate -1", CheckRate(-1)},
		{"rate NaN", CheckRate(math.NaN())},
		{"rate Inf", CheckRate(math.Inf(1))},
		{"rate 1e12", CheckRate(1e12)},
		{"a method with a space", CheckMethod("GET /x")},
		{"an empty method", CheckMethod("")},
		{"CRLF in a header value", CheckHeader("X-A", "a\r\nInjected: 1")},
		{"an empty header name", CheckHeader("", "value")},
		{"a space in a header name", CheckHeader("X A", "value")},
	}
	for _, c := range bad {
		if c.err == nil {
			t.Errorf("%s: accepted", c.name)
		}
	}
	good := []struct {
		name string
		err  error
	}{
		{"concurrency 1", CheckConcurrency(1)},
		{"concurrency 10000", CheckConcurrency(10000)},
		{"rate 0.0009", CheckRate(0.0009)},
		{"rate 1e6", CheckRate(1e6)},
		{"method PATCH", CheckMethod("PATCH")},
		{"header X-Request-Id", CheckHeader("X-Request-Id", "abc; q=1")},
	}
	for _, c := range good {
		if c.err != nil {
			t.Errorf("%s: refused: %v", c.name, c.err)
		}
	}
}

// F15: a custom request's headers and method are checked before anything
// is sent: a CRLF in a value, an empty name and a method with a space.
func TestBadRequestHeadersAndMethodsAreRefused(t *testing.T) {
	req := func(method, headers string) string {
		return strings.Replace(base, "  - route: a1.policy.put\n", "  - request:\n      method: \""+method+"\"\n      path: /x\n"+headers, 1)
	}
	cases := []struct {
		name, doc string
		want      []string
	}{
		{"CRLF in a header value", req("GET", "      headers: {X-A: \"a\\r\\nInjected: 1\"}\n"), []string{"mix[0].request.headers.X-A", "CR or LF"}},
		{"an empty header name", req("GET", "      headers: {\"\": value}\n"), []string{"mix[0].request.headers.", "header name"}},
		{"a method with a space", req("GET /x", ""), []string{"mix[0].request.method", "GET /x"}},
		{"rate NaN", strings.Replace(base, "model: closed\n  concurrency: 2", "model: open\n  rate: .nan", 1), []string{"load.rate", "NaN"}},
		{"rate Inf", strings.Replace(base, "model: closed\n  concurrency: 2", "model: open\n  rate: .inf", 1), []string{"load.rate", "+Inf"}},
		{"concurrency 100000", strings.Replace(base, "concurrency: 2", "concurrency: 100000", 1), []string{"load.concurrency", "1 to 10000"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("bad.yaml", []byte(c.doc), transport.NewRegistry())
			if err == nil {
				t.Fatal("want an error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q spans lines", err)
			}
		})
	}
}
