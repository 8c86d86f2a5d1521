package soak

import (
	"bytes"
	"fmt"
	"net/netip"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"

	"github.com/oranbench/oranbench/internal/sockstat"
)

// Series names of ProcessSources, in order.
const (
	RSS        = "rss"        // resident set size, bytes
	Heap       = "heap"       // live heap after the last collection (/gc/heap/live:bytes), bytes
	Goroutines = "goroutines" // runtime.NumGoroutine
	FDs        = "fds"        // open file descriptors
	TimeWait   = "timewait"   // sockets in TIME_WAIT towards the backend
)

// Names lists the series of ProcessSources in order.
func Names() []string { return []string{RSS, Heap, Goroutines, FDs, Threads, TimeWait} }

// ProcessSources are the five resources of this process that a soak
// samples. backend is the address the load goes to, whose TIME_WAIT
// sockets are counted (an invalid address leaves that series unavailable).
// RSS and file descriptors come from /proc/self (Linux); elsewhere they are
// unavailable.
func ProcessSources(backend netip.AddrPort) []Source {
	return []Source{
		{Name: RSS, Read: readRSS},
		{Name: Heap, Read: func() (float64, error) {
			s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
			metrics.Read(s)
			return float64(s[0].Value.Uint64()), nil
		}},
		{Name: Goroutines, Read: func() (float64, error) { return float64(runtime.NumGoroutine()), nil }},
		{Name: FDs, Read: readFDs},
		{Name: Threads, Read: func() (float64, error) { return readThreadsIn(procSelf) }},
		{Name: TimeWait, Read: func() (float64, error) {
			if !backend.IsValid() {
				return 0, fmt.Errorf("%w: no loopback backend address to count towards", ErrUnavailable)
			}
			snap, err := sockstat.TimeWait(backend)
			if err != nil {
				return 0, err
			}
			return float64(snap.Len()), nil
		}},
	}
}

var pageSize = float64(os.Getpagesize())

// procSelf is where readRSS and readFDs look (a variable so tests can point
// it at a directory without the files).
var procSelf = "/proc/self"

// readRSS reads the resident pages from /proc/self/statm (second field).
func readRSS() (float64, error) { return readRSSIn(procSelf) }

// readRSSIn reads the resident pages from dir/statm.
func readRSSIn(procSelf string) (float64, error) {
	b, err := os.ReadFile(procSelf + "/statm")
	if err != nil {
		return 0, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	f := bytes.Fields(b)
	if len(f) < 2 {
		return 0, fmt.Errorf("%s/statm: %q: want at least 2 fields", procSelf, b)
	}
	pages, err := strconv.ParseUint(string(f[1]), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s/statm: resident %q: %v", procSelf, f[1], err)
	}
	return float64(pages) * pageSize, nil
}

// readFDs counts the entries of /proc/self/fd, less the one it opens to
// read them.
func readFDs() (float64, error) { return readFDsIn(procSelf, 1) }

// readFDsIn counts the entries of dir/fd, less own (the one opened to read
// them, when dir is this process's).
func readFDsIn(procSelf string, own int) (float64, error) {
	d, err := os.Open(procSelf + "/fd")
	if err != nil {
		return 0, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	defer d.Close()
	names, err := d.Readdirnames(-1)
	if err != nil {
		return 0, fmt.Errorf("%s/fd: %v", procSelf, err)
	}
	return float64(len(names) - own), nil
}
