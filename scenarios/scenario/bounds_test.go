package scenario

import (
	"math"
	"strings"
	"testing"

	"github.com/oranbench/oranbench/targets/transport"
)

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
