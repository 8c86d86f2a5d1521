package analysis

import (
	"fmt"

	"github.com/oranbench/oranbench/reports/results"
)

// http2Claim is not a claim of the seed: it is what the seed's code does to
// HTTP/2, measured against a backend that offers it.
func http2Claim(rs Runs) results.Claim {
	var c results.Claim
	u, ok := busiest(rs, func(c results.Conditions) bool { return c.HTTP2 && c.TLS })
	if !ok {
		c.Verdict, c.Reason = VerdictNotMeasurable, "no scenario ran default and tuned against a TLS backend that offers HTTP/2"
		return c
	}
	base, tuned, h2 := u.Baseline(), u.Candidate(), u.Arm(seedFactory.H2)
	c.Measured = fmt.Sprintf("tuned spoke %s, default %s; tuned/default req/s %s", ProtocolOf(tuned), ProtocolOf(base), ArmRatio(tuned, base, results.MetricReqPerSec))
	if h2 != nil {
		c.Measured += fmt.Sprintf("; tuned-h2 (%s) %s tuned's req/s, %s default's", ProtocolOf(h2), ArmRatio(h2, tuned, results.MetricReqPerSec), ArmRatio(h2, base, results.MetricReqPerSec))
	}
	c.Conditions = u.Where()
	if tuned.Total.Client.Protocols[results.ProtoHTTP2] > 0 {
		c.Verdict = VerdictHolds
		return c
	}
	c.Verdict = VerdictDoesNotHold
	c.Reason = "the factory sets its own DialContext and not ForceAttemptHTTP2, and net/http then switches HTTP/2 off: against an HTTP/2 backend (Porch, any Kubernetes API server) it opens an HTTP/1.1 connection per request in flight where default multiplexes streams over one"
	if h2 != nil {
		c.Reason += "; ForceAttemptHTTP2: true (tuned-h2) restores it"
	}
	return c
}
