// Package loopback keeps load on this machine: it accepts a URL or a host
// only when it is loopback (127.0.0.0/8, ::1, localhost), unless remote
// targets were explicitly allowed.
package loopback

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// CheckURL accepts a URL only when it points at this machine's
// loopback (127.0.0.0/8, ::1, localhost), unless allowRemote is set. Load
// must never leave the machine by accident.
func CheckURL(raw string, allowRemote bool) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("target %q: %w", raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("target %q: scheme %q: want http or https", raw, u.Scheme)
	}
	host := u.Hostname()
	if host == "" {
		return fmt.Errorf("target %q: no host", raw)
	}
	if allowRemote || IsLoopback(host) {
		return nil
	}
	return fmt.Errorf("target %q: host %q is not loopback (127.0.0.0/8, ::1, localhost); pass --allow-remote to send load elsewhere", raw, host)
}

// IsLoopback reports whether host (a name or an IP, without port) is this
// machine's loopback. Names other than localhost are not resolved: a name
// could resolve anywhere.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
