package transport

import (
	"errors"
	"fmt"
	"time"
)

// Defaults of the operator's shared transport factory. MaxConnsPerHost and
// TLSSessionCacheSize have no default: the factory leaves active connections unlimited
// and TLS session resumption off.
const (
	DefaultMaxIdleConns          = 100
	DefaultMaxIdleConnsPerHost   = 50
	DefaultIdleConnTimeout       = 90 * time.Second
	DefaultTLSHandshakeTimeout   = 10 * time.Second
	DefaultDialTimeout           = 10 * time.Second
	DefaultKeepAlive             = 30 * time.Second
	DefaultResponseHeaderTimeout = 30 * time.Second
	DefaultExpectContinueTimeout = 1 * time.Second
	DefaultClientTimeout         = 30 * time.Second
)

// Config holds the knobs of a tuned transport. A zero numeric field means "use the
// default" (see WithDefaults), except MaxConnsPerHost and TLSSessionCacheSize whose
// default is 0. Bool fields have no "unset" state: false is always taken literally.
type Config struct {
	// MaxIdleConns caps idle connections across all hosts.
	MaxIdleConns int
	// MaxIdleConnsPerHost caps idle connections per host. It does not cap active
	// connections: a request that finds no idle connection dials a new one.
	MaxIdleConnsPerHost int
	// MaxConnsPerHost caps dialing, active and idle connections per host; further
	// requests wait for a connection. 0 means unlimited (the operator sets none).
	MaxConnsPerHost int
	// IdleConnTimeout closes a connection idle for this long.
	IdleConnTimeout time.Duration
	// TLSHandshakeTimeout bounds the TLS handshake.
	TLSHandshakeTimeout time.Duration
	// DialTimeout bounds the TCP connect (net.Dialer.Timeout).
	DialTimeout time.Duration
	// KeepAlive is the TCP keep-alive period (net.Dialer.KeepAlive).
	KeepAlive time.Duration
	// ResponseHeaderTimeout bounds the wait for response headers after the request
	// is written.
	ResponseHeaderTimeout time.Duration
	// ExpectContinueTimeout bounds the wait for "100 Continue".
	ExpectContinueTimeout time.Duration
	// DisableKeepAlives opens a new connection per request when true.
	DisableKeepAlives bool
	// ForceAttemptHTTP2 makes the transport negotiate HTTP/2 although it has a custom
	// dialer. The operator leaves it false, so its transport speaks HTTP/1.1 only.
	ForceAttemptHTTP2 bool
	// TLSSessionCacheSize, when > 0, gives each transport its own LRU TLS session
	// cache of that many entries, so new connections can resume TLS sessions. 0 adds
	// no cache (no resumption, as the operator ships).
	TLSSessionCacheSize int
	// ClientTimeout is http.Client.Timeout: the whole request, body read included.
	ClientTimeout time.Duration
}

// DefaultConfig returns the operator's factory defaults: MaxIdleConns 100,
// MaxIdleConnsPerHost 50, IdleConnTimeout 90s, TLSHandshakeTimeout 10s, DialTimeout
// 10s, KeepAlive 30s, ResponseHeaderTimeout 30s, ExpectContinueTimeout 1s,
// ClientTimeout 30s; unlimited MaxConnsPerHost, no HTTP/2, no TLS session cache.
func DefaultConfig() Config {
	return Config{
		MaxIdleConns:          DefaultMaxIdleConns,
		MaxIdleConnsPerHost:   DefaultMaxIdleConnsPerHost,
		IdleConnTimeout:       DefaultIdleConnTimeout,
		TLSHandshakeTimeout:   DefaultTLSHandshakeTimeout,
		DialTimeout:           DefaultDialTimeout,
		KeepAlive:             DefaultKeepAlive,
		ResponseHeaderTimeout: DefaultResponseHeaderTimeout,
		ExpectContinueTimeout: DefaultExpectContinueTimeout,
		ClientTimeout:         DefaultClientTimeout,
	}
}

// WithDefaults returns a copy of c whose zero numeric fields are taken from
// DefaultConfig. It never modifies c (the operator's factory wrote the defaults into
// the caller's struct). Bools cannot be "unset" and are copied as they are; a zero
// duration cannot mean "no limit" here, because zero selects the default.
func (c Config) WithDefaults() Config {
	d := DefaultConfig()
	if c.MaxIdleConns == 0 {
		c.MaxIdleConns = d.MaxIdleConns
	}
	if c.MaxIdleConnsPerHost == 0 {
		c.MaxIdleConnsPerHost = d.MaxIdleConnsPerHost
	}
	if c.IdleConnTimeout == 0 {
		c.IdleConnTimeout = d.IdleConnTimeout
	}
	if c.TLSHandshakeTimeout == 0 {
		c.TLSHandshakeTimeout = d.TLSHandshakeTimeout
	}
	if c.DialTimeout == 0 {
		c.DialTimeout = d.DialTimeout
	}
	if c.KeepAlive == 0 {
		c.KeepAlive = d.KeepAlive
	}
	if c.ResponseHeaderTimeout == 0 {
		c.ResponseHeaderTimeout = d.ResponseHeaderTimeout
	}
	if c.ExpectContinueTimeout == 0 {
		c.ExpectContinueTimeout = d.ExpectContinueTimeout
	}
	if c.ClientTimeout == 0 {
		c.ClientTimeout = d.ClientTimeout
	}
	return c
}

// ConfigError is one invalid field of a Config: its name, its value and what is
// valid. Validate joins them; errors.As finds the first.
type ConfigError struct {
	Field, Value, Valid string
}

func (e *ConfigError) Error() string {
	return fmt.Sprintf("transport config: %s = %s: %s", e.Field, e.Value, e.Valid)
}

// Validate reports every invalid field of c, each a *ConfigError naming the field,
// its value and what is valid. Zero values are valid (they select defaults).
func (c Config) Validate() error {
	var errs []error
	nonNegInt := func(field string, v int, zeroMeans string) {
		if v < 0 {
			errs = append(errs, &ConfigError{Field: field, Value: fmt.Sprint(v), Valid: "must be >= 0 (0 means " + zeroMeans + ")"})
		}
	}
	nonNegDur := func(field string, v time.Duration, zeroMeans string) {
		if v < 0 {
			errs = append(errs, &ConfigError{Field: field, Value: v.String(), Valid: "must be >= 0 (0 means " + zeroMeans + ")"})
		}
	}
	nonNegInt("MaxIdleConns", c.MaxIdleConns, fmt.Sprintf("the default %d", DefaultMaxIdleConns))
	nonNegInt("MaxIdleConnsPerHost", c.MaxIdleConnsPerHost, fmt.Sprintf("the default %d", DefaultMaxIdleConnsPerHost))
	nonNegInt("MaxConnsPerHost", c.MaxConnsPerHost, "unlimited")
	nonNegInt("TLSSessionCacheSize", c.TLSSessionCacheSize, "no TLS session cache")
	nonNegDur("IdleConnTimeout", c.IdleConnTimeout, "the default "+DefaultIdleConnTimeout.String())
	nonNegDur("TLSHandshakeTimeout", c.TLSHandshakeTimeout, "the default "+DefaultTLSHandshakeTimeout.String())
	nonNegDur("DialTimeout", c.DialTimeout, "the default "+DefaultDialTimeout.String())
	nonNegDur("KeepAlive", c.KeepAlive, "the default "+DefaultKeepAlive.String())
	nonNegDur("ResponseHeaderTimeout", c.ResponseHeaderTimeout, "the default "+DefaultResponseHeaderTimeout.String())
	nonNegDur("ExpectContinueTimeout", c.ExpectContinueTimeout, "the default "+DefaultExpectContinueTimeout.String())
	nonNegDur("ClientTimeout", c.ClientTimeout, "the default "+DefaultClientTimeout.String())
	return errors.Join(errs...)
}
