package watcher

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"time"
)

// Defaults applied by New to zero fields of Config.
const (
	DefaultDebounce        = 100 * time.Millisecond
	DefaultStableFor       = 50 * time.Millisecond
	DefaultQueueDepth      = 1000
	DefaultWorkers         = 2
	DefaultMaxFileBytes    = 5 << 20
	DefaultMaxJSONDepth    = 100
	DefaultGracePeriod     = 5 * time.Second
	DefaultSubmitTimeout   = 30 * time.Second
	DefaultSubmitAttempts  = 3
	DefaultMetricsInterval = 10 * time.Second
	DefaultNamespace       = "default"
	DefaultRepository      = "default"

	// DefaultMetricsAddr turns the metrics server on, on a free loopback port.
	DefaultMetricsAddr = "127.0.0.1:0"
)

// Bounds checked by New.
const (
	MinDebounce     = 10 * time.Millisecond
	MaxDebounce     = 5 * time.Second
	MaxStableFor    = 5 * time.Second
	MaxQueueDepth   = 1_000_000
	MaxFileBytesCap = 64 << 20
	MaxJSONDepthCap = 10_000
	MinMetricsTick  = 10 * time.Millisecond
	// metricsShutdownTimeout bounds how long Close waits for in-flight scrapes.
	metricsShutdownTimeout = time.Second
)

// Config configures a Watcher. Zero fields take the Default* values; Client,
// PorchURL and Dir are required.
type Config struct {
	// Dir is the watched directory; it must exist. processed/, failed/ and
	// status/ are created inside it.
	Dir string
	// Debounce is how long a file must see no create/write event before it
	// is considered (10 ms–5 s).
	Debounce time.Duration
	// StableFor is how long size and mtime must stay unchanged (≤ 5 s). An
	// empty file must stay empty for at least a second, because writers
	// that create and then write leave it empty for a moment.
	StableFor time.Duration
	// QueueDepth bounds the work queue; a full queue leaves files pending,
	// never drops them.
	QueueDepth int
	// Workers is the size of the worker pool (1–4×NumCPU).
	Workers int
	// MaxFileBytes caps an intent file's size (≤ 64 MiB).
	MaxFileBytes int64
	// MaxJSONDepth caps nesting of objects and arrays in an intent.
	MaxJSONDepth int
	// GracePeriod bounds how long Close drains queued work. Use a tiny value
	// (1 ns) to stop almost at once; what is not drained stays on disk.
	GracePeriod time.Duration
	// SubmitTimeout bounds one intent's Porch submission, retries included.
	SubmitTimeout time.Duration
	// SubmitAttempts is how often a Porch call is tried on a transport error,
	// 429 or 5xx before the intent fails.
	SubmitAttempts int

	// MetricsAddr is where /metrics and /health are served; "" turns the
	// metrics server and collection loop off. The host must be a loopback
	// address (DefaultMetricsAddr picks a free port).
	MetricsAddr string
	// MetricsInterval is the period of the metrics-collection loop.
	MetricsInterval time.Duration

	// Client sends the Porch requests: the transport under test.
	Client *http.Client
	// PorchURL is the base URL of the Porch REST API; requests go to
	// {PorchURL}/api/v1/...
	PorchURL string
	// Namespace is the metadata.namespace of created package revisions.
	Namespace string
	// Repository is the Porch repository packages are created in.
	Repository string

	// NoSync turns fsync off: status files and the moves to processed/ and
	// failed/ are then only as durable as the page cache, and a power loss
	// (not a crash of the process) can lose an outcome or make the next
	// start submit the intent again (Porch answers that with 409, so no
	// second package is created). Meant for throwaway directories and for
	// measuring what durability costs; the default, false, syncs.
	NoSync bool

	// OnOutcome, if set, is called by a worker after a file's outcome (move
	// and status file) is recorded, and unless NoSync is set, durable. It
	// must be fast and must not call Close.
	OnOutcome func(Outcome)
}

// normalize fills defaults and validates; errors name the field, the value and
// what would be valid.
func (c Config) normalize() (Config, error) {
	setDur := func(d *time.Duration, def time.Duration) {
		if *d == 0 {
			*d = def
		}
	}
	setDur(&c.Debounce, DefaultDebounce)
	setDur(&c.StableFor, DefaultStableFor)
	setDur(&c.GracePeriod, DefaultGracePeriod)
	setDur(&c.SubmitTimeout, DefaultSubmitTimeout)
	setDur(&c.MetricsInterval, DefaultMetricsInterval)
	if c.QueueDepth == 0 {
		c.QueueDepth = DefaultQueueDepth
	}
	if c.Workers == 0 {
		c.Workers = DefaultWorkers
	}
	if c.MaxFileBytes == 0 {
		c.MaxFileBytes = DefaultMaxFileBytes
	}
	if c.MaxJSONDepth == 0 {
		c.MaxJSONDepth = DefaultMaxJSONDepth
	}
	if c.SubmitAttempts == 0 {
		c.SubmitAttempts = DefaultSubmitAttempts
	}
	if c.Namespace == "" {
		c.Namespace = DefaultNamespace
	}
	if c.Repository == "" {
		c.Repository = DefaultRepository
	}

	var errs []error
	bad := func(field string, value any, valid string) {
		errs = append(errs, fmt.Errorf("watcher config: %s = %v: %s", field, value, valid))
	}
	if c.Dir == "" {
		bad("Dir", `""`, "a directory to watch is required")
	} else if fi, err := os.Stat(c.Dir); err != nil {
		bad("Dir", c.Dir, fmt.Sprintf("must be an existing directory (%v)", err))
	} else if !fi.IsDir() {
		bad("Dir", c.Dir, "must be a directory, not a file")
	}
	if c.Debounce < MinDebounce || c.Debounce > MaxDebounce {
		bad("Debounce", c.Debounce, fmt.Sprintf("valid is %v–%v", MinDebounce, MaxDebounce))
	}
	if c.StableFor < 0 || c.StableFor > MaxStableFor {
		bad("StableFor", c.StableFor, fmt.Sprintf("valid is up to %v (0 means the default %v)", MaxStableFor, DefaultStableFor))
	}
	if c.QueueDepth < 1 || c.QueueDepth > MaxQueueDepth {
		bad("QueueDepth", c.QueueDepth, fmt.Sprintf("valid is 1–%d", MaxQueueDepth))
	}
	if maxW := MaxWorkers(); c.Workers < 1 || c.Workers > maxW {
		bad("Workers", c.Workers, fmt.Sprintf("valid is 1–%d (4×NumCPU)", maxW))
	}
	if c.MaxFileBytes < 1 || c.MaxFileBytes > MaxFileBytesCap {
		bad("MaxFileBytes", c.MaxFileBytes, fmt.Sprintf("valid is 1–%d", MaxFileBytesCap))
	}
	if c.MaxJSONDepth < 1 || c.MaxJSONDepth > MaxJSONDepthCap {
		bad("MaxJSONDepth", c.MaxJSONDepth, fmt.Sprintf("valid is 1–%d", MaxJSONDepthCap))
	}
	if c.GracePeriod < 0 {
		bad("GracePeriod", c.GracePeriod, "must not be negative")
	}
	if c.SubmitTimeout < 0 {
		bad("SubmitTimeout", c.SubmitTimeout, "must not be negative")
	}
	if c.SubmitAttempts < 1 || c.SubmitAttempts > 10 {
		bad("SubmitAttempts", c.SubmitAttempts, "valid is 1–10")
	}
	if c.MetricsInterval < MinMetricsTick {
		bad("MetricsInterval", c.MetricsInterval, fmt.Sprintf("must be at least %v", MinMetricsTick))
	}
	if c.MetricsAddr != "" {
		if err := checkLoopbackAddr(c.MetricsAddr); err != nil {
			bad("MetricsAddr", fmt.Sprintf("%q", c.MetricsAddr), err.Error())
		}
	}
	if c.Client == nil {
		bad("Client", "nil", "an *http.Client (the transport under test) is required")
	}
	if u, err := url.Parse(c.PorchURL); c.PorchURL == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad("PorchURL", fmt.Sprintf("%q", c.PorchURL), "want an absolute http or https URL such as https://127.0.0.1:8443")
	}
	return c, errors.Join(errs...)
}

// MaxWorkers is the largest worker pool New accepts: 4×NumCPU.
func MaxWorkers() int { return 4 * runtime.NumCPU() }

func checkLoopbackAddr(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("want host:port such as %s (%v)", DefaultMetricsAddr, err)
	}
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("host must be a loopback address such as 127.0.0.1 or ::1")
	}
	return nil
}
