//go:build linux

package sockstat

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"time"
)

// The files the kernel lists the TCP sockets of the process's network
// namespace in, IPv4 and IPv6.
const (
	procNetTCP  = "/proc/net/tcp"
	procNetTCP6 = "/proc/net/tcp6"
)

// TimeWait returns the sockets in TIME_WAIT whose remote address and port
// equal remote: the client ends of connections to that backend that the
// client closed first. It reads /proc/net/tcp and /proc/net/tcp6 (a missing
// tcp6 just means no IPv6). An IPv4 remote also matches IPv4-mapped IPv6
// sockets (::ffff:127.0.0.1); the address and port must otherwise be equal,
// so a backend reached as "localhost" must be given as the address the
// client actually connected to (127.0.0.1 or ::1). Without /proc the error
// wraps ErrNotSupported.
func TimeWait(remote netip.AddrPort) (Snapshot, error) {
	if !remote.IsValid() {
		return Snapshot{}, fmt.Errorf("sockstat: TimeWait: invalid remote address %v", remote)
	}
	s := Snapshot{taken: time.Now(), sockets: make(map[netip.AddrPort]int64)}
	if err := readProcNetTCP(procNetTCP, remote, s.sockets); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return Snapshot{}, fmt.Errorf("%w: %v", ErrNotSupported, err)
		}
		return Snapshot{}, err
	}
	if err := readProcNetTCP(procNetTCP6, remote, s.sockets); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return Snapshot{}, err
	}
	return s, nil
}

// readProcNetTCP parses the file name into into; see parseProcNetTCP.
func readProcNetTCP(name string, remote netip.AddrPort, into map[netip.AddrPort]int64) error {
	f, err := os.Open(name)
	if err != nil {
		return fmt.Errorf("sockstat: %w", err)
	}
	defer f.Close()
	return parseProcNetTCP(f, name, binary.NativeEndian, remote, into)
}
