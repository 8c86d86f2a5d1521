// Package sockstat asks the operating system two questions a load test needs
// answered around a run.
//
// How many sockets did the client leave in TIME_WAIT towards the backend?
// The side that closes a TCP connection first keeps its end in TIME_WAIT for
// a minute, holding on to a local (ephemeral) port. A client that does not
// reuse connections, or that closes them under load, churns through ports
// that way; TimeWait snapshots those sockets and Snapshot.NewSince counts the
// ones a piece of work created, so the churn is visible next to the latency
// numbers. This reads /proc/net/tcp and /proc/net/tcp6 and works on Linux
// only; elsewhere TimeWait returns ErrNotSupported and callers report the
// count as "not measured".
//
// Is the file-descriptor limit high enough for the connections a run is
// about to open? FDLimit reads it and CheckConns compares it with what a
// given concurrency needs, so a run fails up front with an explanation
// instead of half way through with "too many open files".
package sockstat

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"net/netip"
	"strconv"
	"time"
)

// ErrNotSupported is returned (possibly wrapped; test with errors.Is) when
// the information is not available on this system: TimeWait outside Linux
// or without /proc, FDLimit and CheckConns where getrlimit does not exist.
// Callers report the value as "not measured" rather than failing.
var ErrNotSupported = errors.New("sockstat: not supported on this system")

const (
	// stateTimeWait is the st column of a socket in TCP_TIME_WAIT. Sockets
	// held by the kernel in FIN_WAIT2 after close are listed as 05 and are
	// not counted.
	stateTimeWait = "06"

	// clockTick is the unit of the tm->when column: clock_t, USER_HZ per
	// second, which is 100 on every architecture Go supports.
	clockTick = time.Second / 100

	// reuseTolerance is how far apart the expiry times of two TIME_WAIT
	// entries with the same local address may be and still be the same
	// socket. It covers the 10 ms resolution of tm->when and the time it
	// takes to read the /proc files; a new socket on a reused port expires
	// at least as much later as passed between the two closes.
	reuseTolerance = 250 * time.Millisecond
)

// Snapshot is the set of a client's sockets in TIME_WAIT towards one backend
// address:port, as returned by TimeWait, keyed by their local address:port so
// that two snapshots can be compared with NewSince. The zero Snapshot is
// empty.
type Snapshot struct {
	// taken is when the /proc files were read.
	taken time.Time
	// sockets maps the local address:port of each matching socket
	// (IPv4-mapped IPv6 addresses unmapped) to what was left of its
	// TIME_WAIT timer when it was read, in clock ticks.
	sockets map[netip.AddrPort]int64
}

// Len returns the number of sockets in s.
func (s Snapshot) Len() int { return len(s.sockets) }

// NewSince returns how many sockets in s were not in before: those the work
// done between the two snapshots closed and left in TIME_WAIT. Sockets of
// before that have expired since are ignored. A local port that was in
// TIME_WAIT in both snapshots counts as new when its TIME_WAIT timer expires
// later than the old one's did, that is when the port was reused by a new
// connection which was then closed too (with Linux's net.ipv4.tcp_tw_reuse,
// or after the old entry expired).
//
// TIME_WAIT lasts 60 s on Linux, so for work longer than that the sockets it
// closed early have expired and the count is a lower bound. The kernel can
// also drop TIME_WAIT entries early (tcp_tw_reuse handing the port to a new
// connection, or more than net.ipv4.tcp_max_tw_buckets of them).
func (s Snapshot) NewSince(before Snapshot) int {
	// gap is the difference between the expiry times of the same local
	// address in s and in before: the time between the two reads plus the
	// difference of the remaining times.
	elapsed := s.taken.Sub(before.taken)
	n := 0
	for local, ticks := range s.sockets {
		old, ok := before.sockets[local]
		if !ok {
			n++
			continue
		}
		if gap := elapsed + time.Duration(ticks-old)*clockTick; gap > reuseTolerance {
			n++
		}
	}
	return n
}

// parseProcNetTCP reads the text of /proc/net/tcp or /proc/net/tcp6 from r
// and adds to into each socket in TIME_WAIT whose remote address and port
// equal remote, keyed by its local address:port and valued by the remaining
// TIME_WAIT time in clock ticks. IPv4-mapped IPv6 addresses are unmapped
// before they are compared or stored, and the zone of remote is ignored.
//
// The kernel prints each 32-bit word of an address as a hexadecimal number
// in host byte order; order is that byte order (binary.NativeEndian for the
// real files). name is used in error messages only. The header line is
// skipped; a line that does not have the expected columns is an error that
// names the file and the line number. Addresses and timers are decoded only
// on lines in TIME_WAIT, which keeps a file of tens of thousands of entries
// cheap to scan.
func parseProcNetTCP(r io.Reader, name string, order binary.ByteOrder, remote netip.AddrPort, into map[netip.AddrPort]int64) error {
	want := netip.AddrPortFrom(remote.Addr().Unmap().WithZone(""), remote.Port())
	// A concrete byte order keeps the address arrays on the stack.
	var probe [4]byte
	order.PutUint32(probe[:], 1)
	little := probe[0] == 1
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	// sl local_address rem_address st tx_queue:rx_queue tr:tm->when ...
	var f [6][]byte
	for line := 1; sc.Scan(); line++ {
		text := sc.Bytes()
		n := splitFields(text, f[:])
		if n == 0 {
			continue
		}
		if line == 1 && string(f[0]) == "sl" {
			continue
		}
		if n < len(f) {
			return lineError(name, line, text, "want at least %d columns, got %d", len(f), n)
		}
		if sl := f[0]; len(sl) < 2 || sl[len(sl)-1] != ':' {
			return lineError(name, line, text, "first column %q is not a slot number", sl)
		}
		if st := f[3]; len(st) != 2 || !isHex(st) {
			return lineError(name, line, text, "state %q is not two hexadecimal digits", st)
		}
		if string(f[3]) != stateTimeWait {
			continue
		}
		rem, err := parseAddrPort(f[2], little)
		if err != nil {
			return lineError(name, line, text, "remote address %q: %v", f[2], err)
		}
		if rem != want {
			continue
		}
		local, err := parseAddrPort(f[1], little)
		if err != nil {
			return lineError(name, line, text, "local address %q: %v", f[1], err)
		}
		ticks, err := parseTimer(f[5])
		if err != nil {
			return lineError(name, line, text, "timer %q: %v", f[5], err)
		}
		into[local] = ticks
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("sockstat: reading %s: %w", name, err)
	}
	return nil
}

// lineError formats a parse error naming the file, the line number and (the
// start of) the line.
func lineError(name string, line int, text []byte, format string, args ...any) error {
	const maxShown = 120
	shown := string(text)
	if len(shown) > maxShown {
		shown = shown[:maxShown] + "..."
	}
	return fmt.Errorf("sockstat: %s line %d: %s (line %q)", name, line, fmt.Sprintf(format, args...), shown)
}

// splitFields stores the first len(dst) space-separated fields of b in dst
// without allocating and returns how many it found.
func splitFields(b []byte, dst [][]byte) int {
	n := 0
	for i := 0; i < len(b) && n < len(dst); {
		for i < len(b) && (b[i] == ' ' || b[i] == '\t') {
			i++
		}
		start := i
		for i < len(b) && b[i] != ' ' && b[i] != '\t' {
			i++
		}
		if i > start {
			dst[n] = b[start:i]
			n++
		}
	}
	return n
}

// parseAddrPort decodes "ADDR:PORT" as printed by the kernel: ADDR is 8 hex
// digits (IPv4) or 32 (IPv6), each group of 8 a 32-bit word in little- or
// big-endian byte order; PORT is the port number in hex. An IPv4-mapped IPv6 address is
// returned unmapped.
func parseAddrPort(b []byte, little bool) (netip.AddrPort, error) {
	i := bytes.IndexByte(b, ':')
	if i < 0 {
		return netip.AddrPort{}, errors.New("no ':' between address and port")
	}
	hexAddr, hexPort := b[:i], b[i+1:]
	port, ok := parseHex(hexPort, 4)
	if !ok {
		return netip.AddrPort{}, errors.New("port is not 1 to 4 hexadecimal digits")
	}
	var addr netip.Addr
	switch len(hexAddr) {
	case 8:
		w, ok := parseHex(hexAddr, 8)
		if !ok {
			return netip.AddrPort{}, errors.New("address is not hexadecimal")
		}
		var a [4]byte
		putUint32(a[:], uint32(w), little)
		addr = netip.AddrFrom4(a)
	case 32:
		var a [16]byte
		for k := 0; k < 4; k++ {
			w, ok := parseHex(hexAddr[8*k:8*k+8], 8)
			if !ok {
				return netip.AddrPort{}, errors.New("address is not hexadecimal")
			}
			putUint32(a[4*k:], uint32(w), little)
		}
		addr = netip.AddrFrom16(a).Unmap()
	default:
		return netip.AddrPort{}, fmt.Errorf("address has %d hexadecimal digits, want 8 or 32", len(hexAddr))
	}
	return netip.AddrPortFrom(addr, uint16(port)), nil
}

func putUint32(b []byte, v uint32, little bool) {
	if little {
		binary.LittleEndian.PutUint32(b, v)
	} else {
		binary.BigEndian.PutUint32(b, v)
	}
}

// parseTimer decodes the "tr:tm->when" column and returns tm->when, the time
// left on the socket's timer in clock ticks.
func parseTimer(b []byte) (int64, error) {
	i := bytes.IndexByte(b, ':')
	if i < 0 {
		return 0, errors.New("no ':' between timer kind and expiry")
	}
	v, ok := parseHex(b[i+1:], 15)
	if !ok {
		return 0, errors.New("expiry is not 1 to 15 hexadecimal digits")
	}
	return int64(v), nil
}

// parseHex decodes 1 to maxDigits hexadecimal digits (maxDigits <= 16).
func parseHex(b []byte, maxDigits int) (uint64, bool) {
	if len(b) == 0 || len(b) > maxDigits {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		d, ok := hexDigit(c)
		if !ok {
			return 0, false
		}
		v = v<<4 | uint64(d)
	}
	return v, true
}

func isHex(b []byte) bool {
	for _, c := range b {
		if _, ok := hexDigit(c); !ok {
			return false
		}
	}
	return true
}

func hexDigit(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}

// CheckConns returns nil when the process may open conns connections using
// fdsPerConn file descriptors each plus reserve descriptors for everything
// else (files, listeners, the runtime) without reaching its soft
// RLIMIT_NOFILE limit, and otherwise an error that says how many descriptors
// are needed, what the limit is and how to raise it ("ulimit -n N"). Go
// raises the soft limit to the hard limit when a program starts on Linux, so
// the limit read here at run time is the one that counts. Where FDLimit is
// not supported the error wraps ErrNotSupported and callers skip the check.
func CheckConns(conns, fdsPerConn, reserve int) error {
	soft, _, err := FDLimit()
	if err != nil {
		return err
	}
	return checkConns(conns, fdsPerConn, reserve, soft)
}

// CheckConnsAgainst is CheckConns against a given soft limit instead of the
// process's own.
func CheckConnsAgainst(conns, fdsPerConn, reserve int, soft uint64) error {
	return checkConns(conns, fdsPerConn, reserve, soft)
}

// checkConns is CheckConns against a given soft limit.
func checkConns(conns, fdsPerConn, reserve int, soft uint64) error {
	if conns < 0 || fdsPerConn < 0 || reserve < 0 {
		return fmt.Errorf("sockstat: CheckConns(%d, %d, %d): arguments must not be negative", conns, fdsPerConn, reserve)
	}
	need := fdsNeeded(uint64(conns), uint64(fdsPerConn), uint64(reserve))
	if need <= soft {
		return nil
	}
	return fmt.Errorf("concurrency %d needs about %s file descriptors (%d per connection + %d reserved), but the limit is %s (ulimit -n); raise it with \"ulimit -n %d\" or lower the concurrency",
		conns, groupDigits(need), fdsPerConn, reserve, groupDigits(soft), roundUp125(need))
}

// fdsNeeded returns conns*perConn+reserve, saturating at math.MaxUint64.
func fdsNeeded(conns, perConn, reserve uint64) uint64 {
	hi, lo := bits.Mul64(conns, perConn)
	if hi != 0 {
		return math.MaxUint64
	}
	sum, carry := bits.Add64(lo, reserve, 0)
	if carry != 0 {
		return math.MaxUint64
	}
	return sum
}

// roundUp125 returns the smallest number of the series 1, 2, 5, 10, 20, 50,
// ... that is at least n: a round value to suggest for "ulimit -n", with
// head room. It returns n itself when no such number fits in a uint64.
func roundUp125(n uint64) uint64 {
	for p := uint64(1); p <= math.MaxUint64/10; p *= 10 {
		for _, m := range [...]uint64{1, 2, 5} {
			if m*p >= n {
				return m * p
			}
		}
	}
	return n
}

// groupDigits formats n in decimal with a comma between groups of three
// digits: 10064 → "10,064".
func groupDigits(n uint64) string {
	digits := strconv.FormatUint(n, 10)
	out := make([]byte, 0, len(digits)+len(digits)/3)
	for i := 0; i < len(digits); i++ {
		if i > 0 && (len(digits)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, digits[i])
	}
	return string(out)
}
