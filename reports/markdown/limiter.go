package markdown

import (
	"strconv"

	"github.com/oranbench/oranbench/reports/results"
)

// limiter renders the arms' client-side rate limiters: what was set, how
// long requests waited for a token, and whether the limiter bounded the arm.
func (p *printer) limiter(s results.Scenario) {
	var rows [][]string
	for _, a := range s.Arms {
		l := a.Total.Limiter
		if l == nil {
			continue
		}
		bounded := "no"
		if l.Bounded {
			bounded = "**yes**: " + l.Reason
		}
		rows = append(rows, []string{"`" + a.Name + "`", strconv.FormatFloat(l.QPS, 'g', -1, 64), strconv.Itoa(l.Burst), results.Num(a.Total.ReqPerSec),
			results.Dur(l.WaitP50), results.Dur(l.WaitP99), results.Pct(l.WaitPct), bounded})
	}
	if len(rows) == 0 {
		return
	}
	p.h(3, "Client-side rate limiter")
	p.f("client-go's token bucket (`qps`, `burst`) in front of the arm. The wait for a token is part of each request's latency, as in client-go's `Request.Do`; *wait share* is the waits' part of the requests' summed latency.\n\n")
	p.compactTable([]string{"arm", "qps", "burst", "req/s", "wait p50", "wait p99", "wait share", "bounded by the limiter"}, rows)
}
