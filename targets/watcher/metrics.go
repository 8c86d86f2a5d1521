package watcher

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics holds the watcher's Prometheus collectors, registered in a registry
// of its own so that many watchers (and test cycles) never collide in the
// global one.
type metrics struct {
	reg         *prometheus.Registry
	outcomes    *prometheus.CounterVec
	porch       *prometheus.CounterVec
	retries     prometheus.Counter
	processing  prometheus.Histogram
	queueDepth  prometheus.Gauge
	pending     prometheus.Gauge
	inFlight    prometheus.Gauge
	dedup       prometheus.Gauge
	collections prometheus.Counter
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "watcher_intent_outcomes_total", Help: "Intent files by recorded outcome.",
		}, []string{"status"}),
		porch: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "watcher_porch_requests_total", Help: "Porch requests by operation and status code (error = transport error).",
		}, []string{"op", "code"}),
		retries: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "watcher_porch_retries_total", Help: "Porch requests retried after a transport error, 429 or 5xx.",
		}),
		processing: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "watcher_intent_processing_seconds", Help: "Time from dequeue to recorded outcome.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 16),
		}),
		queueDepth: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "watcher_queue_depth", Help: "Intent files queued for a worker.",
		}),
		pending: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "watcher_pending_files", Help: "Intent files seen but not yet debounced, stable or queued.",
		}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "watcher_in_flight", Help: "Intent files queued or being processed.",
		}),
		dedup: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "watcher_dedup_entries", Help: "Content hashes known to the de-duplication set.",
		}),
		collections: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "watcher_metrics_collections_total", Help: "Runs of the metrics-collection loop.",
		}),
	}
	m.reg.MustRegister(m.outcomes, m.porch, m.retries, m.processing, m.queueDepth,
		m.pending, m.inFlight, m.dedup, m.collections)
	return m
}

// collect copies the watcher's gauges into the registry; the collection loop
// calls it every MetricsInterval. It takes no lock it could hold twice.
func (w *Watcher) collect() {
	s := w.Stats()
	w.metrics.queueDepth.Set(float64(s.Queued))
	w.metrics.pending.Set(float64(s.Pending))
	w.metrics.inFlight.Set(float64(s.InFlight))
	w.metrics.dedup.Set(float64(w.dedup.len()))
	w.metrics.collections.Inc()
}

// runCollector is the metrics-collection loop; it exits when ctx is done.
func (w *Watcher) runCollector(ctx context.Context) {
	defer w.bg.Done()
	t := time.NewTicker(w.cfg.MetricsInterval)
	defer t.Stop()
	w.collect()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			w.collect()
		}
	}
}

func (w *Watcher) metricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(w.metrics.reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /health", func(rw http.ResponseWriter, _ *http.Request) {
		rw.Header().Set("Content-Type", "application/json")
		if w.closing.Load() {
			rw.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.WriteString(rw, `{"status":"closing"}`+"\n")
			return
		}
		_, _ = io.WriteString(rw, `{"status":"ok"}`+"\n")
	})
	return mux
}

// startMetricsServer binds the listener synchronously (so MetricsURL is valid
// when Start returns) and serves on a goroutine owned by w.bg.
func (w *Watcher) startMetricsServer() error {
	ln, err := net.Listen("tcp", w.cfg.MetricsAddr)
	if err != nil {
		return fmt.Errorf("watcher metrics: listen on %s: %w", w.cfg.MetricsAddr, err)
	}
	w.srv = &http.Server{
		Handler:           w.metricsHandler(),
		ReadHeaderTimeout: 5 * time.Second,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	w.metricsURL = "http://" + ln.Addr().String()
	w.bg.Add(1)
	go func() {
		defer w.bg.Done()
		if err := w.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			w.serveErr = err
		}
	}()
	return nil
}

// stopMetricsServer shuts the server down, waiting at most
// metricsShutdownTimeout for in-flight scrapes before closing them.
func (w *Watcher) stopMetricsServer() error {
	if w.srv == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), metricsShutdownTimeout)
	defer cancel()
	if err := w.srv.Shutdown(ctx); err != nil {
		return errors.Join(fmt.Errorf("watcher metrics: shutdown: %w", err), w.srv.Close())
	}
	return nil
}
