//go:build !linux

package sockstat

import "net/netip"

// TimeWait returns the sockets in TIME_WAIT whose remote address and port
// equal remote. It needs Linux's /proc/net/tcp; on this system it always
// returns ErrNotSupported.
func TimeWait(remote netip.AddrPort) (Snapshot, error) {
	return Snapshot{}, ErrNotSupported
}
