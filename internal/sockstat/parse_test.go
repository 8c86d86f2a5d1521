package sockstat

import (
	"encoding/binary"
	"fmt"
	"maps"
	"net/netip"
	"strings"
	"testing"
	"time"
)

// The fixtures are what a little-endian (x86, arm64) kernel prints; the
// parser is given the byte order explicitly, so they pass on any host.

// tcp4Fixture: the backend is 127.0.0.1:8080 (0100007F:1F90).
const tcp4Fixture = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 41234 1 0000000000000000 100 0 0 10 0
   1: 0100007F:C350 0100007F:1F90 06 00000000:00000000 03:00001770 00000000     0        0 0 3 0000000000000000
   2: 0100007F:C351 0100007F:1F90 06 00000000:00000000 03:000016A8 00000000     0        0 0 3 0000000000000000
   3: 0100007F:C352 0100007F:1F90 01 00000000:00000000 00:00000000 00000000  1000        0 41235 1 0000000000000000 20 4 30 10 -1
   4: 0100007F:C353 0100007F:1F91 06 00000000:00000000 03:00001770 00000000     0        0 0 3 0000000000000000
   5: 0100007F:1F90 0100007F:C354 06 00000000:00000000 03:00001770 00000000     0        0 0 3 0000000000000000
   6: 0100007F:C355 0200007F:1F90 06 00000000:00000000 03:00001770 00000000     0        0 0 3 0000000000000000
   7: 0100007F:C356 0100007F:1F90 05 00000000:00000000 03:00001770 00000000     0        0 0 3 0000000000000000
   8: 0500007F:C357 0500007F:01BB 06 00000000:00000000 03:00000BB8 00000000     0        0 0 3 0000000000000000
`

// tcp6Fixture: 2001:db8::1 → [2001:db8::10]:443, ::ffff:127.0.0.1 →
// ::ffff:127.0.0.1:8080 (an IPv6 socket connected to an IPv4 address), and
// a ::1 socket in TIME_WAIT towards [::1]:8080.
const tcp6Fixture = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 51234 1 0000000000000000 100 0 0 10 0
   1: B80D0120000000000000000001000000:D431 B80D0120000000000000000010000000:01BB 06 00000000:00000000 03:00001700 00000000     0        0 0 3 0000000000000000
   2: 0000000000000000FFFF00000100007F:C360 0000000000000000FFFF00000100007F:1F90 06 00000000:00000000 03:00001600 00000000     0        0 0 3 0000000000000000
   3: 00000000000000000000000001000000:C361 00000000000000000000000001000000:1F90 06 00000000:00000000 03:00001500 00000000     0        0 0 3 0000000000000000
   4: 0000000000000000FFFF00000100007F:C362 0000000000000000FFFF00000100007F:1F90 01 00000000:00000000 00:00000000 00000000  1000        0 51235 1 0000000000000000 20 4 30 10 -1
`

func parseString(t *testing.T, name, text string, remote string) map[netip.AddrPort]int64 {
	t.Helper()
	got := make(map[netip.AddrPort]int64)
	if err := parseProcNetTCP(strings.NewReader(text), name, binary.LittleEndian, netip.MustParseAddrPort(remote), got); err != nil {
		t.Fatalf("parseProcNetTCP(%s, %s): %v", name, remote, err)
	}
	return got
}

func ap(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }

func TestParseIPv4(t *testing.T) {
	// Only lines 1 and 2: line 0 listens, 3 is established, 4 goes to
	// another port, 5 is the server side (remote is the client), 6 goes to
	// another address, 7 is FIN_WAIT2.
	got := parseString(t, "tcp", tcp4Fixture, "127.0.0.1:8080")
	want := map[netip.AddrPort]int64{
		ap("127.0.0.1:50000"): 6000,
		ap("127.0.0.1:50001"): 5800,
	}
	if !maps.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}

	got = parseString(t, "tcp", tcp4Fixture, "127.0.0.5:443")
	want = map[netip.AddrPort]int64{ap("127.0.0.5:50007"): 3000}
	if !maps.Equal(got, want) {
		t.Errorf("127.0.0.5:443: got %v, want %v", got, want)
	}

	if got := parseString(t, "tcp", tcp4Fixture, "127.0.0.1:9999"); len(got) != 0 {
		t.Errorf("127.0.0.1:9999: got %v, want nothing", got)
	}
}

func TestParseIPv6(t *testing.T) {
	got := parseString(t, "tcp6", tcp6Fixture, "[2001:db8::10]:443")
	want := map[netip.AddrPort]int64{ap("[2001:db8::1]:54321"): 0x1700}
	if !maps.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}

	got = parseString(t, "tcp6", tcp6Fixture, "[::1]:8080")
	want = map[netip.AddrPort]int64{ap("[::1]:50017"): 0x1500}
	if !maps.Equal(got, want) {
		t.Errorf("[::1]:8080: got %v, want %v", got, want)
	}

	// A zone on the remote is ignored: the files have none.
	got = parseString(t, "tcp6", tcp6Fixture, "[2001:db8::10%eth0]:443")
	if len(got) != 1 {
		t.Errorf("with zone: got %v, want one socket", got)
	}
}

func TestParseIPv4Mapped(t *testing.T) {
	// An IPv4 remote matches the IPv4-mapped line of tcp6, stored under its
	// unmapped local address, and a mapped remote matches plain IPv4 lines.
	want6 := map[netip.AddrPort]int64{ap("127.0.0.1:50016"): 0x1600}
	for _, remote := range []string{"127.0.0.1:8080", "[::ffff:127.0.0.1]:8080"} {
		if got := parseString(t, "tcp6", tcp6Fixture, remote); !maps.Equal(got, want6) {
			t.Errorf("tcp6, %s: got %v, want %v", remote, got, want6)
		}
	}
	if got := parseString(t, "tcp", tcp4Fixture, "[::ffff:127.0.0.1]:8080"); len(got) != 2 {
		t.Errorf("tcp, mapped remote: got %v, want 2 sockets", got)
	}

	// Both files into one map, as TimeWait does.
	both := parseString(t, "tcp", tcp4Fixture, "127.0.0.1:8080")
	maps.Copy(both, parseString(t, "tcp6", tcp6Fixture, "127.0.0.1:8080"))
	if len(both) != 3 {
		t.Errorf("both files: got %v, want 3 sockets", both)
	}
}

func TestParseEmptyAndHeaderOnly(t *testing.T) {
	header := strings.SplitAfter(tcp4Fixture, "\n")[0]
	for _, text := range []string{"", "\n", header, header + "\n\n"} {
		if got := parseString(t, "tcp", text, "127.0.0.1:8080"); len(got) != 0 {
			t.Errorf("%q: got %v, want nothing", text, got)
		}
	}
}

func TestParseBigEndianHost(t *testing.T) {
	// A big-endian kernel prints the bytes of each word in network order.
	text := "   0: 7F000001:C350 7F000001:1F90 06 00000000:00000000 03:00001770 00000000     0        0 0 3 0000000000000000\n" +
		"   1: 00000000000000000000FFFF7F000001:C351 00000000000000000000FFFF7F000001:1F90 06 00000000:00000000 03:00001770 00000000     0        0 0 3 0000000000000000\n"
	got := make(map[netip.AddrPort]int64)
	if err := parseProcNetTCP(strings.NewReader(text), "tcp", binary.BigEndian, ap("127.0.0.1:8080"), got); err != nil {
		t.Fatal(err)
	}
	want := map[netip.AddrPort]int64{ap("127.0.0.1:50000"): 6000, ap("127.0.0.1:50001"): 6000}
	if !maps.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestParseMalformed(t *testing.T) {
	header := strings.SplitAfter(tcp4Fixture, "\n")[0]
	good := "   0: 0100007F:C350 0100007F:1F90 06 00000000:00000000 03:00001770 00000000     0        0 0 3 0000000000000000\n"
	for _, tc := range []struct {
		name, line, want string
	}{
		{"too few columns", "   1: 0100007F:C351 0100007F:1F90", "want at least 6 columns, got 3"},
		{"no slot", "   x 0100007F:C351 0100007F:1F90 06 00000000:00000000 03:00001770", `first column "x" is not a slot number`},
		{"bad state", "   1: 0100007F:C351 0100007F:1F90 6 00000000:00000000 03:00001770", `state "6" is not two hexadecimal digits`},
		{"bad state hex", "   1: 0100007F:C351 0100007F:1F90 0G 00000000:00000000 03:00001770", `state "0G"`},
		{"remote not hex", "   1: 0100007F:C351 0100007Z:1F90 06 00000000:00000000 03:00001770", `remote address "0100007Z:1F90": address is not hexadecimal`},
		{"remote short", "   1: 0100007F:C351 100007F:1F90 06 00000000:00000000 03:00001770", "address has 7 hexadecimal digits, want 8 or 32"},
		{"remote no port", "   1: 0100007F:C351 0100007F 06 00000000:00000000 03:00001770", "no ':' between address and port"},
		{"remote long port", "   1: 0100007F:C351 0100007F:11F90 06 00000000:00000000 03:00001770", "port is not 1 to 4 hexadecimal digits"},
		{"local bad", "   1: 0100007F:C3S1 0100007F:1F90 06 00000000:00000000 03:00001770", `local address "0100007F:C3S1"`},
		{"timer bad", "   1: 0100007F:C351 0100007F:1F90 06 00000000:00000000 03-00001770", `timer "03-00001770"`},
		{"header not first", "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when", `first column "sl"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text := header + good + tc.line + "\n" + good
			err := parseProcNetTCP(strings.NewReader(text), "/proc/net/tcp", binary.LittleEndian, ap("127.0.0.1:8080"), make(map[netip.AddrPort]int64))
			if err == nil {
				t.Fatalf("no error for %q", tc.line)
			}
			for _, want := range []string{"/proc/net/tcp line 3: ", tc.want, fmt.Sprintf("%q", tc.line)} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
		})
	}
}

func TestParseLongLine(t *testing.T) {
	text := "   0: " + strings.Repeat("A", 300)
	err := parseProcNetTCP(strings.NewReader(text), "tcp", binary.LittleEndian, ap("127.0.0.1:8080"), make(map[netip.AddrPort]int64))
	if err == nil || !strings.Contains(err.Error(), "tcp line 1: ") || !strings.Contains(err.Error(), `..."`) {
		t.Errorf("got %v, want a line 1 error with the line cut short", err)
	}
	if len(err.Error()) > 250 {
		t.Errorf("error is %d bytes long", len(err.Error()))
	}
}

func TestNewSince(t *testing.T) {
	t0 := time.Now()
	before := Snapshot{taken: t0, sockets: map[netip.AddrPort]int64{
		ap("127.0.0.1:50000"): 6000, // still there, same socket
		ap("127.0.0.1:50001"): 100,  // expired by then
		ap("127.0.0.1:50002"): 1000, // port reused by a new connection
	}}
	after := Snapshot{taken: t0.Add(2 * time.Second), sockets: map[netip.AddrPort]int64{
		ap("127.0.0.1:50000"): 5800, // 2 s less: the same socket
		ap("127.0.0.1:50002"): 5950, // expires 49.5 s later than before's
		ap("127.0.0.1:50003"): 5990,
		ap("127.0.0.1:50004"): 5999,
	}}
	if got := after.NewSince(before); got != 3 {
		t.Errorf("NewSince = %d, want 3", got)
	}
	if got := after.Len(); got != 4 {
		t.Errorf("Len = %d, want 4", got)
	}
	if got := after.NewSince(Snapshot{}); got != 4 {
		t.Errorf("NewSince(zero) = %d, want 4", got)
	}
	if got := after.NewSince(after); got != 0 {
		t.Errorf("NewSince(itself) = %d, want 0", got)
	}
	if got := (Snapshot{}).NewSince(before); got != 0 || (Snapshot{}).Len() != 0 {
		t.Errorf("zero Snapshot: NewSince = %d, Len = %d, want 0, 0", got, (Snapshot{}).Len())
	}

	// Within the tolerance (tick rounding, read time) it is the same socket.
	jitter := Snapshot{taken: t0.Add(2*time.Second + 30*time.Millisecond), sockets: map[netip.AddrPort]int64{
		ap("127.0.0.1:50000"): 5800,
	}}
	if got := jitter.NewSince(before); got != 0 {
		t.Errorf("NewSince with 30 ms of jitter = %d, want 0", got)
	}
}

// encodeAddrPort prints a like a little-endian kernel: 8 hex digits for
// IPv4, 32 for IPv6, then the port.
func encodeAddrPort(a netip.AddrPort) string {
	var sb strings.Builder
	b := a.Addr().AsSlice()
	for i := 0; i < len(b); i += 4 {
		fmt.Fprintf(&sb, "%08X", binary.LittleEndian.Uint32(b[i:]))
	}
	fmt.Fprintf(&sb, ":%04X", a.Port())
	return sb.String()
}

func TestEncodeMatchesFixture(t *testing.T) {
	for a, want := range map[string]string{
		"127.0.0.1:8080":           "0100007F:1F90",
		"[2001:db8::10]:443":       "B80D0120000000000000000010000000:01BB",
		"[::ffff:127.0.0.1]:8080":  "0000000000000000FFFF00000100007F:1F90",
		"[2001:db8::1]:54321":      "B80D0120000000000000000001000000:D431",
		"[::1]:50017":              "00000000000000000000000001000000:C361",
		"[::ffff:127.0.0.1]:50016": "0000000000000000FFFF00000100007F:C360",
	} {
		if got := encodeAddrPort(ap(a)); got != want {
			t.Errorf("%s: %s, want %s", a, got, want)
		}
	}
}

// BenchmarkParse scans a table of 50,000 sockets, 20,000 of them in
// TIME_WAIT towards the backend.
func BenchmarkParse(b *testing.B) {
	const n = 50_000
	backend := ap("127.0.0.1:8080")
	var sb strings.Builder
	sb.WriteString(strings.SplitAfter(tcp4Fixture, "\n")[0])
	for i := range n {
		local := netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, byte(i >> 16), 1}), uint16(i))
		remote, st := backend, "06"
		switch i % 5 {
		case 0:
			st = "01"
		case 1:
			remote = ap("127.0.0.5:443")
		case 2:
			st = "08"
		}
		fmt.Fprintf(&sb, "%6d: %s %s %s 00000000:00000000 03:00001770 00000000     0        0 0 3 0000000000000000\n",
			i, encodeAddrPort(local), encodeAddrPort(remote), st)
	}
	text := sb.String()
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		got := make(map[netip.AddrPort]int64)
		if err := parseProcNetTCP(strings.NewReader(text), "tcp", binary.LittleEndian, backend, got); err != nil {
			b.Fatal(err)
		}
		if len(got) != 2*n/5 {
			b.Fatalf("got %d sockets, want %d", len(got), 2*n/5)
		}
	}
}
