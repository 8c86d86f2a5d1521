package mockbackend

import (
	"net/http"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// statsCollector exports Stats to Prometheus at scrape time, so the request
// path only touches atomics and /metrics never disagrees with Stats().
type statsCollector struct {
	s *Server

	connsAccepted, connsActive, connsPeak, tlsHandshakes *prometheus.Desc
	requests, requestsByProto, inFlight, queued          *prometheus.Desc
	storeObjects, storeBytes, storeRefused               *prometheus.Desc
	watches, watchesRefused                              *prometheus.Desc
	inflightRejected, inflightCurrent                    *prometheus.Desc
}

var _ prometheus.Collector = (*statsCollector)(nil)

func newStatsCollector(s *Server) *statsCollector {
	const ns = "oranbench_mock_"
	return &statsCollector{
		s:               s,
		connsAccepted:   prometheus.NewDesc(ns+"connections_accepted_total", "Connections accepted by the HTTP server.", nil, nil),
		connsActive:     prometheus.NewDesc(ns+"connections_active", "Accepted connections not yet closed.", nil, nil),
		connsPeak:       prometheus.NewDesc(ns+"connections_peak", "Most connections open at once since start or the last peak reset.", nil, nil),
		tlsHandshakes:   prometheus.NewDesc(ns+"tls_handshakes_total", "Completed TLS handshakes by kind (full, resumed).", []string{"kind"}, nil),
		requests:        prometheus.NewDesc(ns+"requests_total", "Requests by route and status code (499: the client left first).", []string{"route", "code"}, nil),
		requestsByProto: prometheus.NewDesc(ns+"requests_by_protocol_total", "Requests by protocol as net/http reports it (HTTP/1.1, HTTP/2.0).", []string{"protocol"}, nil),
		inFlight:        prometheus.NewDesc(ns+"in_flight_requests", "Requests being handled, queued ones included, by route.", []string{"route"}, nil),
		queued:          prometheus.NewDesc(ns+"queue_depth", "Requests waiting for a capacity slot, by route.", []string{"route"}, nil),
		storeObjects:    prometheus.NewDesc(ns+"store_objects", "Objects held per in-memory store.", []string{"store"}, nil),
		storeBytes:      prometheus.NewDesc(ns+"store_bytes", "Bytes held per in-memory store, as estimated against maxStoreBytes.", []string{"store"}, nil),
		storeRefused:    prometheus.NewDesc(ns+"store_writes_refused_total", "Writes refused per store for lack of room (maxObjects or maxStoreBytes with storeFull: reject, or an object larger than the store).", []string{"store"}, nil),
		watches:         prometheus.NewDesc(ns+"watches_open", "PackageRevision watches open now.", nil, nil),
		watchesRefused:  prometheus.NewDesc(ns+"watches_refused_total", "Watches refused with 429 beyond maxWatches.", nil, nil),
		inflightRejected: prometheus.NewDesc(ns+"inflight_rejected_total",
			"Requests answered 429 by API-server flow control (maxRequestsInflight, maxMutatingRequestsInflight), by request kind (readOnly, mutating), as kube-apiserver's apiserver_dropped_requests_total.", []string{"request_kind"}, nil),
		inflightCurrent: prometheus.NewDesc(ns+"current_inflight_requests",
			"Requests holding a flow-control seat, by request kind (readOnly, mutating); only kinds with a limit, as kube-apiserver's apiserver_current_inflight_requests.", []string{"request_kind"}, nil),
	}
}

func (c *statsCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.connsAccepted, c.connsActive, c.connsPeak, c.tlsHandshakes, c.requests, c.requestsByProto, c.inFlight, c.queued, c.storeObjects, c.storeBytes, c.storeRefused, c.watches, c.watchesRefused, c.inflightRejected, c.inflightCurrent} {
		ch <- d
	}
}

func (c *statsCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.s.Stats()
	ch <- prometheus.MustNewConstMetric(c.connsAccepted, prometheus.CounterValue, float64(st.ConnsAccepted))
	ch <- prometheus.MustNewConstMetric(c.connsActive, prometheus.GaugeValue, float64(st.ConnsActive))
	ch <- prometheus.MustNewConstMetric(c.connsPeak, prometheus.GaugeValue, float64(st.ConnsPeak))
	ch <- prometheus.MustNewConstMetric(c.tlsHandshakes, prometheus.CounterValue, float64(st.TLSFull()), "full")
	ch <- prometheus.MustNewConstMetric(c.tlsHandshakes, prometheus.CounterValue, float64(st.TLSResumed), "resumed")
	for proto, n := range st.Protocols {
		ch <- prometheus.MustNewConstMetric(c.requestsByProto, prometheus.CounterValue, float64(n), proto)
	}
	for name, rs := range st.Routes {
		for code, n := range rs.Codes {
			ch <- prometheus.MustNewConstMetric(c.requests, prometheus.CounterValue, float64(n), name, strconv.Itoa(code))
		}
		ch <- prometheus.MustNewConstMetric(c.inFlight, prometheus.GaugeValue, float64(rs.InFlight), name)
		ch <- prometheus.MustNewConstMetric(c.queued, prometheus.GaugeValue, float64(rs.Queued), name)
	}
	for name, st := range c.s.storeStats() {
		ch <- prometheus.MustNewConstMetric(c.storeObjects, prometheus.GaugeValue, float64(st.objects), name)
		ch <- prometheus.MustNewConstMetric(c.storeBytes, prometheus.GaugeValue, float64(st.bytes), name)
		ch <- prometheus.MustNewConstMetric(c.storeRefused, prometheus.CounterValue, float64(st.refused), name)
	}
	k := c.s.porch.k8s
	ch <- prometheus.MustNewConstMetric(c.watches, prometheus.GaugeValue, float64(k.watches.Load()))
	ch <- prometheus.MustNewConstMetric(c.watchesRefused, prometheus.CounterValue, float64(k.watchesRefused.Load()))
	ch <- prometheus.MustNewConstMetric(c.inflightRejected, prometheus.CounterValue, float64(st.InflightRejectedReadOnly), kindReadOnly)
	ch <- prometheus.MustNewConstMetric(c.inflightRejected, prometheus.CounterValue, float64(st.InflightRejectedMutating), kindMutating)
	for kind, pool := range map[string]chan struct{}{kindReadOnly: c.s.flow.readOnly, kindMutating: c.s.flow.mutating} {
		if pool != nil {
			ch <- prometheus.MustNewConstMetric(c.inflightCurrent, prometheus.GaugeValue, float64(len(pool)), kind)
		}
	}
}

// newMetricsHandler registers the collector on a registry owned by this
// Server (never the global default, so several Servers can coexist).
func newMetricsHandler(s *Server) http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(newStatsCollector(s))
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

func (s *Server) metrics(w http.ResponseWriter, r *http.Request) {
	s.metricsHandler.ServeHTTP(w, r)
}

// storeStat is one store's accounting.
type storeStat struct {
	objects int
	bytes   int64
	refused int64
}

func statOf[V sized](st *store[V]) storeStat {
	return storeStat{objects: st.len(), bytes: st.size(), refused: st.refusals()}
}

// storeStats reports the accounting of each store, keyed by metric label.
func (s *Server) storeStats() map[string]storeStat {
	return map[string]storeStat{
		"a1_policy_types":      statOf(s.a1.types),
		"a1_policies":          statOf(s.a1.policies),
		"e2_nodes":             statOf(s.e2.nodes),
		"e2_subscriptions":     statOf(s.e2.subs),
		"porch_revisions_rest": statOf(s.porch.rest),
		"porch_revisions_k8s":  statOf(s.porch.k8s.st),
	}
}
