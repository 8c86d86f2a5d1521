package mockbackend

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"os"
	"time"
)

// certValidity is how long the generated CA and leaf stay valid; long enough
// for any standalone run, short enough that a leaked CA is soon useless.
const certValidity = 30 * 24 * time.Hour

// tlsMaterial is the CA and server certificate a Server generates at start.
type tlsMaterial struct {
	caPEM []byte
	pool  *x509.CertPool
	cert  tls.Certificate
}

// newTLSMaterial creates a self-made ECDSA P-256 CA and a leaf certificate for
// 127.0.0.1, ::1 and localhost signed by it.
func newTLSMaterial(now time.Time) (*tlsMaterial, error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate CA key: %w", err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          randomSerial(),
		Subject:               pkix.Name{CommonName: "oranbench mock CA", Organization: []string{"oranbench"}},
		NotBefore:             now.Add(-time.Hour), // tolerate small clock skew
		NotAfter:              now.Add(certValidity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("create CA certificate: %w", err)
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, fmt.Errorf("parse CA certificate: %w", err)
	}

	leafKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate server key: %w", err)
	}
	leafTmpl := &x509.Certificate{
		SerialNumber: randomSerial(),
		Subject:      pkix.Name{CommonName: "localhost", Organization: []string{"oranbench"}},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(certValidity),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, caCert, &leafKey.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("create server certificate: %w", err)
	}
	leaf, err := x509.ParseCertificate(leafDER)
	if err != nil {
		return nil, fmt.Errorf("parse server certificate: %w", err)
	}

	pool := x509.NewCertPool()
	pool.AddCert(caCert)
	return &tlsMaterial{
		caPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		pool:  pool,
		cert:  tls.Certificate{Certificate: [][]byte{leafDER}, PrivateKey: leafKey, Leaf: leaf},
	}, nil
}

func randomSerial() *big.Int {
	// 128 random bits as RFC 5280 recommends; crypto/rand never fails on Linux.
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	return n
}

// serverTLSConfig builds the listener's tls.Config. Session tickets stay on
// (the crypto/tls default), so clients with a session cache can resume.
func (s *Server) serverTLSConfig() *tls.Config {
	c := &tls.Config{
		Certificates: []tls.Certificate{s.tls.cert},
		MinVersion:   tls.VersionTLS12,
		NextProtos:   []string{"http/1.1"},
		// Handshakes are counted when they complete, not when the connection
		// first carries a request: a client that dials, handshakes and parks
		// the connection idle (net/http does, when a request it dialed for was
		// served by another connection) has still paid for the handshake.
		VerifyConnection: func(cs tls.ConnectionState) error {
			s.ctr.tlsHandshakes.Add(1)
			if cs.DidResume {
				s.ctr.tlsResumed.Add(1)
			}
			return nil
		},
	}
	if s.auth != nil && s.auth.clientCAs != nil {
		// Asked for, not required nor verified here: authenticate checks
		// it per request, so an untrusted one is a 401, as from an API
		// server, and a client without one can still send a token.
		c.ClientAuth = tls.RequestClientCert
	}
	switch s.cfg.TLSVersion {
	case TLS12:
		c.MaxVersion = tls.VersionTLS12
	case TLS13:
		c.MinVersion = tls.VersionTLS13
	}
	if s.cfg.HTTP2 {
		c.NextProtos = []string{"h2", "http/1.1"}
	}
	return c
}

// ClientTLSConfig returns a fresh tls.Config that trusts the server's CA (never
// InsecureSkipVerify), or nil when the server is not using TLS. Callers may
// modify it freely.
func (s *Server) ClientTLSConfig() *tls.Config {
	if s.tls == nil {
		return nil
	}
	return &tls.Config{RootCAs: s.tls.pool, MinVersion: tls.VersionTLS12}
}

// CACertPEM returns the PEM-encoded CA certificate clients must trust, or nil
// when the server is not using TLS.
func (s *Server) CACertPEM() []byte {
	if s.tls == nil {
		return nil
	}
	return append([]byte(nil), s.tls.caPEM...)
}

// WriteCACert writes the PEM-encoded CA certificate to path (mode 0644), for
// curl --cacert or vegeta -root-certs. It fails when the server is not using
// TLS, and when path is a symbolic link or not a regular file: it never
// writes through a link someone planted where the certificate goes.
func (s *Server) WriteCACert(path string) error {
	if s.tls == nil {
		return fmt.Errorf("mockbackend: write CA certificate %s: server runs without TLS", path)
	}
	if err := writeFileNoFollow(path, s.tls.caPEM, 0o644); err != nil {
		return fmt.Errorf("mockbackend: write CA certificate %s: %w", path, err)
	}
	return nil
}

// writeFileNoFollow writes data to path with mode perm (also when the file
// exists with another mode). It refuses a path that is a symbolic link or
// not a regular file: it never writes through a link someone planted where
// the file goes.
func writeFileNoFollow(path string, data []byte, perm fs.FileMode) error {
	if fi, err := os.Lstat(path); err == nil && !fi.Mode().IsRegular() {
		what := "not a regular file"
		if fi.Mode()&fs.ModeSymlink != 0 {
			what = "a symbolic link"
		}
		return fmt.Errorf("is %s, refusing to write through it", what)
	}
	// O_NOFOLLOW closes the gap between the check and the open.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC|oNoFollow, perm)
	if pe, ok := err.(*fs.PathError); ok {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err) // the caller names the path
	} else if err != nil {
		return err
	}
	err = f.Chmod(perm)
	if err == nil {
		_, err = f.Write(data)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
