//go:build !unix

package scenarios

import "time"

// cpuTime is unknown on this platform; CPU use is then reported as 0.
func cpuTime() time.Duration { return 0 }
