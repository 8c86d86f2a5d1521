package mockbackend

import (
	"crypto/tls"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTLSVersionAndProtocolNegotiation(t *testing.T) {
	cases := []struct {
		name        string
		cfg         Config
		clientMax   uint16
		wantVersion string
		wantProto   int
		wantFail    bool
	}{
		{"both versions offered: 1.3 wins", Config{TLS: true}, 0, "TLS 1.3", 1, false},
		{"a 1.2-only client still connects", Config{TLS: true}, tls.VersionTLS12, "TLS 1.2", 1, false},
		{"tlsVersion 1.2 caps the server", Config{TLS: true, TLSVersion: TLS12}, 0, "TLS 1.2", 1, false},
		{"tlsVersion 1.3 refuses a 1.2-only client", Config{TLS: true, TLSVersion: TLS13}, tls.VersionTLS12, "", 0, true},
		{"http2 negotiates h2 by ALPN", Config{TLS: true, HTTP2: true}, 0, "TLS 1.3", 2, false},
		{"without http2 a client asking for h2 gets HTTP/1.1", Config{TLS: true}, 0, "TLS 1.3", 1, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := startServer(t, tc.cfg)
			c := newClient(t, s, func(tr *http.Transport) {
				tr.ForceAttemptHTTP2 = true
				tr.TLSClientConfig.MaxVersion = tc.clientMax
			})
			resp, err := c.Get(s.URL() + "/healthz")
			if tc.wantFail {
				if err == nil {
					resp.Body.Close()
					t.Fatalf("handshake succeeded with %s, want a failure", tlsVersionOf(resp))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if tlsVersionOf(resp) != tc.wantVersion || resp.ProtoMajor != tc.wantProto {
				t.Errorf("got %s over HTTP/%d, want %s over HTTP/%d", tlsVersionOf(resp), resp.ProtoMajor, tc.wantVersion, tc.wantProto)
			}
		})
	}
}

// F12: WriteCACert followed a symbolic link at its path and overwrote the
// link's target. It refuses a link (and anything but a regular file) and
// leaves the target as it was; a regular file is still replaced.
func TestWriteCACertNeverWritesThroughASymlink(t *testing.T) {
	s := startServer(t, Config{TLS: true})
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim")
	if err := os.WriteFile(victim, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "ca.pem")
	if err := os.Symlink(victim, link); err != nil {
		t.Fatal(err)
	}
	err := s.WriteCACert(link)
	if err == nil || !strings.Contains(err.Error(), "symbolic link") || !strings.Contains(err.Error(), link) {
		t.Errorf("WriteCACert through a symlink: err = %v, want one naming %s as a symbolic link", err, link)
	}
	if b, _ := os.ReadFile(victim); string(b) != "keep" {
		t.Errorf("the link's target now holds %q, want it untouched", b)
	}
	if err := s.WriteCACert(dir); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("WriteCACert onto a directory: err = %v, want not a regular file", err)
	}
	regular := filepath.Join(dir, "old.pem")
	if err := os.WriteFile(regular, []byte("an older CA, longer than the new one"+strings.Repeat(".", 2000)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteCACert(regular); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(regular); string(b) != string(s.CACertPEM()) {
		t.Errorf("a regular file was not replaced by the CA (%d bytes)", len(b))
	}
}
