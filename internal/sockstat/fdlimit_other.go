//go:build !unix

package sockstat

// FDLimit returns the process's soft and hard limits on open file
// descriptors. This system has no getrlimit, so it always returns
// ErrNotSupported.
func FDLimit() (soft, hard uint64, err error) {
	return 0, 0, ErrNotSupported
}
