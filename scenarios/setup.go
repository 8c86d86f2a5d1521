package scenarios

import (
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"sort"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/oranbench/oranbench/reports/results"
	"github.com/oranbench/oranbench/targets/transport"
)

// Bounds of the connection-cost probe: at most setupN requests of each kind,
// and at most setupBudget of sending per kind.
const (
	setupN      = 15
	setupBudget = time.Second
)

// measureSetup sends the mix's first route one request at a time, first each
// on a fresh connection (keep-alives off: a dial and, with TLS, a full
// handshake every time), then on one kept-alive connection, and returns both
// medians. With TLS it also sends them on fresh connections that resume a
// TLS session from a session cache, which is what a session cache buys a
// transport that has to dial. It runs before the arms, outside their
// measured windows.
func measureSetup(ctx context.Context, p *Plan, be *backend) *results.SetupCost {
	m, err := newMixTargeter(be.url, "setup", p.SetupMix(), p.Resolved().Seed)
	if err != nil || len(m.schedule) == 0 {
		return nil
	}
	m.label = be.runID
	tg := m.targeter()
	resumed, proto := 0, ""
	run := func(disableKeepAlives, sessionCache bool) []time.Duration {
		tr := transport.DefaultTransport(be.tls)
		tr.DisableKeepAlives = disableKeepAlives
		if sessionCache && tr.TLSClientConfig != nil {
			tr.TLSClientConfig.ClientSessionCache = tls.NewLRUClientSessionCache(8)
		}
		defer tr.CloseIdleConnections()
		client := &http.Client{Transport: be.wrap(tr), Timeout: 10 * time.Second}
		var out []time.Duration
		deadline := time.Now().Add(setupBudget)
		for i := 0; i <= setupN && time.Now().Before(deadline) && ctx.Err() == nil; i++ {
			var t vegeta.Target
			if tg(&t) != nil {
				return nil
			}
			req, err := t.Request()
			if err != nil {
				return nil
			}
			start := time.Now()
			resp, err := client.Do(req.WithContext(ctx))
			if err != nil {
				continue
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			proto = resp.Proto
			if resp.StatusCode >= 300 {
				continue
			}
			if i == 0 && (!disableKeepAlives || sessionCache) {
				continue // the first request opens the connection (or gets the ticket) the rest reuse
			}
			if sessionCache {
				if resp.TLS == nil || !resp.TLS.DidResume {
					continue // only resumed handshakes are what this measures
				}
				resumed++
			}
			out = append(out, time.Since(start))
		}
		return out
	}
	fresh, reused := run(true, false), run(false, false)
	if len(fresh) == 0 || len(reused) == 0 {
		return nil
	}
	var resumedP50 time.Duration
	if be.tls != nil {
		if r := run(true, true); len(r) > 0 {
			resumedP50 = medianDur(r)
		}
	}
	name := "?"
	if e := p.SetupMix(); len(e) > 0 {
		name = e[0].Route
		if name == "" && e[0].Request != nil {
			name = e[0].Request.Method + " " + e[0].Request.Path
		}
	}
	return &results.SetupCost{Route: name, N: min(len(fresh), len(reused)), TLS: be.tls != nil,
		FreshP50: medianDur(fresh), ReusedP50: medianDur(reused), ResumedP50: resumedP50, Resumed: resumed, Protocol: proto}
}

func medianDur(xs []time.Duration) time.Duration {
	s := append([]time.Duration(nil), xs...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
