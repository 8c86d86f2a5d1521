package markdown

import (
	"fmt"
	"strings"

	"github.com/oranbench/oranbench/reports/results"
)

// flowControlNote says how many requests the mock's API-server flow control
// (maxRequestsInflight, maxMutatingRequestsInflight) answered 429, per arm,
// e.g. "API-server flow control answered 1,204 requests 429 with
// Retry-After: `default` 1,204 (1,204 read-only, 0 mutating)." It is ""
// when it refused none.
func flowControlNote(s results.Scenario) string {
	var total int64
	var parts []string
	for _, a := range s.Arms {
		sc := a.Total.Server
		n := sc.InflightRejectedReadOnly + sc.InflightRejectedMutating
		if n == 0 {
			continue
		}
		total += n
		parts = append(parts, fmt.Sprintf("`%s` %s (%s read-only, %s mutating)", a.Name, results.Int(n),
			results.Int(sc.InflightRejectedReadOnly), results.Int(sc.InflightRejectedMutating)))
	}
	if total == 0 {
		return ""
	}
	return fmt.Sprintf("API-server flow control answered %s requests 429 with Retry-After: %s.", results.Int(total), strings.Join(parts, "; "))
}
