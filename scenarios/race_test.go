//go:build race

package scenarios

import "time"

// The race detector slows every request; latency bounds get this much slack.
const raceSlack = 2 * time.Millisecond
