package transport

import (
	"github.com/prometheus/client_golang/prometheus"
)

// ConnWaitBuckets are the upper bounds, in seconds, of the connection-wait
// histogram a Collector exports: 10 µs to about 40 s, ×4 each.
var ConnWaitBuckets = prometheus.ExponentialBuckets(10e-6, 4, 12)

// Collector is a prometheus.Collector over a Tracer: the connection-pool
// metrics an operator can scrape in production. Register it in any
// registry (it uses no global state):
//
//	tracer := transport.NewTracer()
//	client := &http.Client{Transport: tracer.Wrap(myTransport)}
//	registry.MustRegister(transport.NewCollector(tracer, "myoperator", prometheus.Labels{"backend": "porch"}))
type Collector struct {
	t                          *Tracer
	conns, responses, connWait *prometheus.Desc
	counters                   []counterDesc
}

type counterDesc struct {
	desc *prometheus.Desc
	get  func(TraceStats) int64
}

// NewCollector returns a Collector over t. Metric names are
// NAMESPACE_http_client_..., counters end in _total; constLabels (may be
// nil) are added to every metric, e.g. the backend a client talks to.
func NewCollector(t *Tracer, namespace string, constLabels prometheus.Labels) *Collector {
	name := func(n string) string { return prometheus.BuildFQName(namespace, "http_client", n) }
	d := func(n, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc(name(n), help, labels, constLabels)
	}
	c := &Collector{t: t}
	c.conns = d("connections_total", "Connections obtained for requests, by whether a pooled one was reused.", "reused")
	c.responses = d("responses_total", "Responses received, by the protocol they came on (Response.Proto).", "protocol")
	c.connWait = d("conn_wait_seconds", "Time from asking the pool for a connection to getting one: dialing, or waiting under MaxConnsPerHost.")
	c.counters = []counterDesc{
		{d("requests_total", "Round trips started through the traced transport."), func(s TraceStats) int64 { return s.Requests }},
		{d("dials_total", "TCP connections dialed successfully."), func(s TraceStats) int64 { return s.Dials }},
		{d("dial_errors_total", "TCP connection attempts that failed."), func(s TraceStats) int64 { return s.DialErrors }},
		{d("tls_handshakes_total", "TLS handshakes completed (full and resumed)."), func(s TraceStats) int64 { return s.TLSHandshakes }},
		{d("tls_resumed_total", "TLS handshakes that resumed a session."), func(s TraceStats) int64 { return s.TLSResumed }},
		{d("tls_errors_total", "TLS handshakes that failed."), func(s TraceStats) int64 { return s.TLSErrors }},
		{d("idle_returned_total", "Connections put back in the idle pool after use."), func(s TraceStats) int64 { return s.IdleReturned }},
		{d("idle_rejected_total", "Connections the idle pool refused and closed (MaxIdleConnsPerHost at work)."), func(s TraceStats) int64 { return s.IdleRejected }},
	}
	return c
}

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, cd := range c.counters {
		ch <- cd.desc
	}
	ch <- c.conns
	ch <- c.responses
	ch <- c.connWait
}

// Collect implements prometheus.Collector.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	s := c.t.Stats()
	for _, cd := range c.counters {
		ch <- prometheus.MustNewConstMetric(cd.desc, prometheus.CounterValue, float64(cd.get(s)))
	}
	ch <- prometheus.MustNewConstMetric(c.conns, prometheus.CounterValue, float64(s.ConnsReused), "true")
	ch <- prometheus.MustNewConstMetric(c.conns, prometheus.CounterValue, float64(s.ConnsNew), "false")
	for proto, n := range s.Protocols {
		ch <- prometheus.MustNewConstMetric(c.responses, prometheus.CounterValue, float64(n), proto)
	}
	// The buckets come from the tracer's own wait histogram at scrape time,
	// so the request path records each wait once.
	h := c.t.allConnWaits()
	buckets := make(map[float64]uint64, len(ConnWaitBuckets))
	for _, ub := range ConnWaitBuckets {
		buckets[ub] = 0
	}
	for _, bar := range h.Distribution() {
		if bar.Count == 0 {
			continue
		}
		for _, ub := range ConnWaitBuckets {
			if float64(bar.To)*1e-6 <= ub {
				buckets[ub] += uint64(bar.Count)
			}
		}
	}
	count := uint64(h.TotalCount())
	ch <- prometheus.MustNewConstHistogram(c.connWait, count, s.ConnWait.Seconds(), buckets)
}

var _ prometheus.Collector = (*Collector)(nil)
