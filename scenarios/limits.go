package scenarios

import (
	"errors"
	"net"
	"net/netip"
	"net/url"

	"github.com/oranbench/oranbench/internal/sockstat"
)

// checkFDs is sockstat.CheckConns; tests put a small limit in its place.
var checkFDs = sockstat.CheckConns

// fdReserve is what a run keeps for everything but its connections: files,
// listeners, the runtime's own descriptors.
const fdReserve = 64

// CheckLimits fails, before anything runs, when p's highest
// concurrency (across its sweep, or its quick sweep when quick is set) needs
// more file descriptors than the process may open: each connection costs
// one on the client, one more on the in-process mock, and two more through
// the network emulation proxy. The error names the limit (ulimit -n). Where
// the limit cannot be read, nothing is checked.
func CheckLimits(p *Plan, quick bool) error {
	conns, field := p.PeakConns(quick)
	if conns == 0 {
		return nil
	}
	if err := CheckConns(conns, p.FDsPerConn(quick)); err != nil {
		return p.FieldErr(field, itoa(conns), err.Error())
	}
	return nil
}

// CheckConns fails when conns connections, each costing fdsPerConn file
// descriptors, would not fit under the process's limit (ulimit -n), with
// room kept for everything else; where the limit cannot be read it passes.
func CheckConns(conns, fdsPerConn int) error {
	err := checkFDs(conns, fdsPerConn, fdReserve)
	if err == nil || errors.Is(err, sockstat.ErrNotSupported) {
		return nil
	}
	return err
}

// addrPort is the backend's host:port as an address, for counting sockets
// towards it; false when the host is not an IP literal.
func (b *backend) addrPort() (netip.AddrPort, bool) {
	u, err := url.Parse(b.url)
	if err != nil {
		return netip.AddrPort{}, false
	}
	host, port := u.Hostname(), u.Port()
	if port == "" {
		port = map[string]string{"https": "443", "http": "80"}[u.Scheme]
	}
	ap, err := netip.ParseAddrPort(net.JoinHostPort(host, port))
	if err != nil {
		return netip.AddrPort{}, false
	}
	return ap, true
}

// timeWaitCounter counts the client's sockets towards the backend that enter
// TIME_WAIT between start and count; count returns nil where that cannot be
// measured.
type timeWaitCounter struct {
	addr   netip.AddrPort
	before sockstat.Snapshot
	ok     bool
}

func (b *backend) startTimeWait() *timeWaitCounter {
	c := &timeWaitCounter{}
	if c.addr, c.ok = b.addrPort(); !c.ok {
		return c
	}
	var err error
	c.before, err = sockstat.TimeWait(c.addr)
	c.ok = err == nil
	return c
}

func (c *timeWaitCounter) count() *int64 {
	if !c.ok {
		return nil
	}
	after, err := sockstat.TimeWait(c.addr)
	if err != nil {
		return nil
	}
	n := int64(after.NewSince(c.before))
	return &n
}
