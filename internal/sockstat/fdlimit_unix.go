//go:build unix

package sockstat

import (
	"fmt"
	"syscall"
)

// FDLimit returns the process's soft and hard limits on open file
// descriptors (RLIMIT_NOFILE, what "ulimit -n" shows and sets). An
// unlimited value is returned as the system's RLIM_INFINITY, a very large
// number.
func FDLimit() (soft, hard uint64, err error) {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return 0, 0, fmt.Errorf("sockstat: getrlimit(RLIMIT_NOFILE): %w", err)
	}
	return uint64(rl.Cur), uint64(rl.Max), nil
}
