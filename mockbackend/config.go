package mockbackend

import (
	"fmt"
	"time"
)

// Config configures a Server. The zero value is a plain-HTTP server on an
// ephemeral loopback port with no added latency.
type Config struct {
	Listen  string        `yaml:"listen"`  // host:port; DefaultListen when empty
	TLS     bool          `yaml:"tls"`     // HTTPS with a certificate generated at start
	Latency time.Duration `yaml:"latency"` // fixed handler latency on every API route

	TLSVersion string `yaml:"tls_version"` // "1.2", "1.3", or empty for both
	HTTP2      bool   `yaml:"http2"`       // offer h2 via ALPN (TLS only)

	MaxBodyBytes      int64         `yaml:"max_body_bytes"`      // request body cap; 413 beyond
	ReadHeaderTimeout time.Duration `yaml:"read_header_timeout"` // slowloris guard
	IdleTimeout       time.Duration `yaml:"idle_timeout"`        // keep-alive idle limit
	ShutdownTimeout   time.Duration `yaml:"shutdown_timeout"`    // grace for in-flight requests on Close

	MaxObjects int    `yaml:"max_objects"` // cap of each in-memory store; DefaultMaxObjects when 0
	StoreFull  string `yaml:"store_full"`  // StoreEvict (default) or StoreReject (507)

	EnforceDelay time.Duration `yaml:"enforce_delay"` // A1 policy status turns ENFORCED this long after its PUT
}

// withDefaults returns a copy of c with zero fields set to their defaults.
func (c Config) withDefaults() Config {
	if c.Listen == "" {
		c.Listen = DefaultListen
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.ReadHeaderTimeout == 0 {
		c.ReadHeaderTimeout = DefaultReadHeaderTimeout
	}
	if c.IdleTimeout == 0 {
		c.IdleTimeout = DefaultIdleTimeout
	}
	if c.MaxObjects == 0 {
		c.MaxObjects = DefaultMaxObjects
	}
	if c.StoreFull == "" {
		c.StoreFull = StoreEvict
	}
	if c.ShutdownTimeout == 0 {
		c.ShutdownTimeout = DefaultShutdownTimeout
	}
	return c
}

// validate reports the first invalid field, naming it, its value and what is
// valid.
func (c Config) validate() error {
	switch c.TLSVersion {
	case "", TLS12, TLS13:
	default:
		return fmt.Errorf("tls_version %q is invalid; valid: %q, %q or empty for both", c.TLSVersion, TLS12, TLS13)
	}
	if c.Latency < 0 {
		return fmt.Errorf("latency %v is negative; valid: a duration >= 0", c.Latency)
	}
	switch c.StoreFull {
	case StoreEvict, StoreReject:
	default:
		return fmt.Errorf("store_full %q is invalid; valid: %q, %q", c.StoreFull, StoreEvict, StoreReject)
	}
	if c.MaxObjects < 0 {
		return fmt.Errorf("max_objects %d is negative; valid: > 0 (0 means %d)", c.MaxObjects, DefaultMaxObjects)
	}
	if c.MaxBodyBytes < 0 {
		return fmt.Errorf("max_body_bytes %d is negative; valid: > 0 (0 means %d)", c.MaxBodyBytes, DefaultMaxBodyBytes)
	}
	return nil
}
