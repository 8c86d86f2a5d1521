package transport

import (
	"crypto/tls"
	"net"
	"net/http"
)

// NewTransport builds the operator's tuned transport from c (zero fields take
// DefaultConfig values; c itself is not modified): a net.Dialer with DialTimeout and
// KeepAlive, proxies from the environment, and the pool limits and timeouts of c.
//
// tlsConf is cloned, never shared or modified. When c.TLSSessionCacheSize > 0 the
// clone gets a fresh LRU ClientSessionCache of that size, private to this transport;
// otherwise the clone keeps whatever cache tlsConf had (normally none: no resumption).
//
// ForceAttemptHTTP2 is applied as given; with its custom dialer the transport speaks
// HTTP/1.1 only unless it is true. Call c.Validate first: negative values are passed
// through to net/http unchanged.
func NewTransport(c Config, tlsConf *tls.Config) *http.Transport {
	c = c.WithDefaults()
	dialer := &net.Dialer{
		Timeout:   c.DialTimeout,
		KeepAlive: c.KeepAlive,
	}
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		MaxIdleConns:          c.MaxIdleConns,
		MaxIdleConnsPerHost:   c.MaxIdleConnsPerHost,
		MaxConnsPerHost:       c.MaxConnsPerHost,
		IdleConnTimeout:       c.IdleConnTimeout,
		TLSHandshakeTimeout:   c.TLSHandshakeTimeout,
		ResponseHeaderTimeout: c.ResponseHeaderTimeout,
		ExpectContinueTimeout: c.ExpectContinueTimeout,
		DisableKeepAlives:     c.DisableKeepAlives,
		ForceAttemptHTTP2:     c.ForceAttemptHTTP2,
		TLSClientConfig:       cloneTLS(tlsConf, c.TLSSessionCacheSize),
	}
}

// NewClient returns an http.Client over NewTransport(c, tlsConf) with Timeout set to
// c's ClientTimeout (default 30s).
func NewClient(c Config, tlsConf *tls.Config) *http.Client {
	return &http.Client{
		Transport: NewTransport(c, tlsConf),
		Timeout:   c.WithDefaults().ClientTimeout,
	}
}

// cloneTLS returns a private copy of tlsConf (nil stays nil unless a session cache is
// wanted) with a fresh session cache of cacheSize entries when cacheSize > 0.
func cloneTLS(tlsConf *tls.Config, cacheSize int) *tls.Config {
	if tlsConf == nil && cacheSize <= 0 {
		return nil
	}
	clone := tlsConf.Clone()
	if clone == nil {
		clone = &tls.Config{}
	}
	if cacheSize > 0 {
		clone.ClientSessionCache = tls.NewLRUClientSessionCache(cacheSize)
	}
	return clone
}

// DefaultTransport returns what http.DefaultTransport does, as a fresh transport that
// shares nothing with it, using a clone of tlsConf when it is not nil.
func DefaultTransport(tlsConf *tls.Config) *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if tlsConf != nil {
		tr.TLSClientConfig = tlsConf.Clone()
	}
	return tr
}
