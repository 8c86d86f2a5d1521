package soak

import (
	"bufio"
	"bytes"
	"runtime/pprof"
	"strconv"
	"strings"
)

// connLoops are the functions of the goroutines net/http runs for each open
// client connection: two per HTTP/1.1 connection (read and write loops),
// one per HTTP/2 connection (its read loop; the bundled copy in net/http
// and golang.org/x/net's, which client-go uses).
var connLoops = []string{
	"net/http.(*persistConn).readLoop",
	"net/http.(*persistConn).writeLoop",
	"net/http.(*http2ClientConn).readLoop",
	"golang.org/x/net/http2.(*ClientConn).readLoop",
}

// goroutineCounter counts this process's goroutines, all and those that
// belong to an open client connection, from one goroutine profile.
type goroutineCounter struct{ buf bytes.Buffer }

// count returns the goroutines and, of those, the ones running a
// connection's loop (connLoops).
func (g *goroutineCounter) count() (total, conn int, err error) {
	g.buf.Reset()
	if err := pprof.Lookup("goroutine").WriteTo(&g.buf, 1); err != nil {
		return 0, 0, err
	}
	return parseGoroutineProfile(g.buf.Bytes())
}

// parseGoroutineProfile reads a goroutine profile written with debug=1:
// "goroutine profile: total N", then one record per distinct stack, "K @
// 0x..." followed by "#\t0x...\tfunction+0x...\tfile:line" lines.
func parseGoroutineProfile(b []byte) (total, conn int, err error) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	records, inConn := 0, false
	n := 0
	flush := func() {
		if inConn {
			conn += n
		}
		inConn, n = false, 0
	}
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "goroutine profile: total "):
			total, err = strconv.Atoi(strings.TrimPrefix(line, "goroutine profile: total "))
			if err != nil {
				return 0, 0, err
			}
		case strings.Contains(line, " @ ") && !strings.HasPrefix(line, "#"):
			flush()
			records++
			k, _, _ := strings.Cut(line, " @ ")
			if n, err = strconv.Atoi(strings.TrimSpace(k)); err != nil {
				return 0, 0, err
			}
		case strings.HasPrefix(line, "#\t"):
			for _, f := range connLoops {
				if strings.Contains(line, "\t"+f+"+") {
					inConn = true
				}
			}
		}
	}
	flush()
	return total, conn, sc.Err()
}
