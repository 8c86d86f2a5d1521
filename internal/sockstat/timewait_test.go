package sockstat

import (
	"errors"
	"io"
	"net"
	"net/netip"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestTimeWaitLoopback makes n real connections to a loopback listener,
// closes the client ends first so that they go to TIME_WAIT, and checks that
// NewSince counts exactly them.
func TestTimeWaitLoopback(t *testing.T) {
	t.Run("IPv4", func(t *testing.T) { testClientTimeWait(t, "tcp4", "127.0.0.1:0") })
	t.Run("IPv6", func(t *testing.T) { testClientTimeWait(t, "tcp6", "[::1]:0") })
}

func testClientTimeWait(t *testing.T, network, address string) {
	const n = 5
	if _, err := TimeWait(netip.MustParseAddrPort("127.0.0.1:1")); err != nil {
		if runtime.GOOS != "linux" && !errors.Is(err, ErrNotSupported) {
			t.Fatalf("TimeWait on %s: %v, want ErrNotSupported", runtime.GOOS, err)
		}
		if errors.Is(err, ErrNotSupported) {
			t.Skip(err)
		}
		t.Fatal(err)
	}

	ln, err := net.Listen(network, address)
	if err != nil {
		if network == "tcp6" {
			t.Skipf("no IPv6 loopback: %v", err)
		}
		t.Fatal(err)
	}
	defer ln.Close()
	remote := ln.Addr().(*net.TCPAddr).AddrPort()

	before, err := TimeWait(remote)
	if err != nil {
		t.Fatal(err)
	}

	// The server accepts n connections and echoes one byte on each; it
	// hands the connections back so that they are closed after the
	// clients'.
	type served struct {
		conns []net.Conn
		err   error
	}
	done := make(chan served, 1)
	go func() {
		var s served
		defer func() { done <- s }()
		for range n {
			c, err := ln.Accept()
			if err != nil {
				s.err = err
				return
			}
			s.conns = append(s.conns, c)
			var b [1]byte
			if err := c.SetDeadline(time.Now().Add(5 * time.Second)); err != nil {
				s.err = err
				return
			}
			if _, err := io.ReadFull(c, b[:]); err != nil {
				s.err = err
				return
			}
			if _, err := c.Write(b[:]); err != nil {
				s.err = err
				return
			}
		}
	}()

	// Whatever happens below, the server goroutine ends and is waited for:
	// closing the clients and the listener unblocks its Read or Accept.
	var clients []net.Conn
	var server *served
	wait := func() served {
		if server == nil {
			s := <-done
			server = &s
		}
		return *server
	}
	defer func() {
		closeAll(clients)
		ln.Close()
		closeAll(wait().conns)
	}()

	d := net.Dialer{Timeout: 5 * time.Second}
	for range n {
		c, err := d.Dial(network, ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		clients = append(clients, c)
		if err := c.SetDeadline(time.Now().Add(5 * time.Second)); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Write([]byte{'x'}); err != nil {
			t.Fatal(err)
		}
		var b [1]byte
		if _, err := io.ReadFull(c, b[:]); err != nil {
			t.Fatal(err)
		}
	}
	s := wait()
	if s.err != nil {
		t.Fatalf("server: %v", s.err)
	}

	// Client first: its sockets go through FIN_WAIT to TIME_WAIT once the
	// server closes too.
	closeAll(clients)
	closeAll(s.conns)

	var after Snapshot
	for deadline := time.Now().Add(time.Second); ; {
		after, err = TimeWait(remote)
		if err != nil {
			t.Fatal(err)
		}
		got := after.NewSince(before)
		if got == n {
			break
		}
		if got > n || time.Now().After(deadline) {
			t.Fatalf("NewSince = %d after closing %d client connections to %v, want %d (now %d in TIME_WAIT, %d before)",
				got, n, remote, n, after.Len(), before.Len())
		}
		time.Sleep(10 * time.Millisecond)
	}

	// The snapshot is keyed by the clients' local addresses.
	for _, c := range clients {
		local := c.LocalAddr().(*net.TCPAddr).AddrPort()
		local = netip.AddrPortFrom(local.Addr().Unmap(), local.Port())
		if _, ok := after.sockets[local]; !ok {
			t.Errorf("client %v is not in the snapshot %v", local, after.sockets)
		}
	}
}

func closeAll(cs []net.Conn) {
	for _, c := range cs {
		c.Close()
	}
}

func TestTimeWaitInvalidRemote(t *testing.T) {
	_, err := TimeWait(netip.AddrPort{})
	if err == nil {
		t.Fatal("no error for the zero AddrPort")
	}
	if runtime.GOOS == "linux" && !strings.Contains(err.Error(), "invalid remote address") {
		t.Errorf("error %q does not say the remote address is invalid", err)
	}
}
