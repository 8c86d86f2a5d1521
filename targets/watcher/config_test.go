package watcher

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestNewRejectsInvalidConfigNamingTheField(t *testing.T) {
	dir := t.TempDir()
	base := func() Config {
		return Config{Dir: dir, Client: http.DefaultClient, PorchURL: "http://127.0.0.1:1"}
	}
	cases := []struct {
		name   string
		mutate func(*Config)
		want   string
	}{
		{"a missing directory is refused", func(c *Config) { c.Dir = filepath.Join(dir, "nope") }, "Dir"},
		{"an empty directory name is refused", func(c *Config) { c.Dir = "" }, "Dir"},
		{"a debounce below 10ms is refused", func(c *Config) { c.Debounce = time.Millisecond }, "Debounce = 1ms"},
		{"a debounce above 5s is refused", func(c *Config) { c.Debounce = 6 * time.Second }, "Debounce = 6s"},
		{"too many workers are refused", func(c *Config) { c.Workers = MaxWorkers() + 1 }, "Workers"},
		{"a negative queue depth is refused", func(c *Config) { c.QueueDepth = -1 }, "QueueDepth"},
		{"a negative grace period is refused", func(c *Config) { c.GracePeriod = -time.Second }, "GracePeriod"},
		{"a non-loopback metrics address is refused", func(c *Config) { c.MetricsAddr = "0.0.0.0:9090" }, "MetricsAddr"},
		{"a metrics address without host is refused", func(c *Config) { c.MetricsAddr = ":9090" }, "loopback"},
		{"a nil client is refused", func(c *Config) { c.Client = nil }, "Client"},
		{"a relative Porch URL is refused", func(c *Config) { c.PorchURL = "/api" }, "PorchURL"},
		{"a too small metrics interval is refused", func(c *Config) { c.MetricsInterval = time.Millisecond }, "MetricsInterval"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := base()
			tc.mutate(&cfg)
			w, err := New(cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New error = %v, want it to mention %q", err, tc.want)
			}
			if w != nil {
				t.Fatalf("New returned a watcher with an error")
			}
		})
	}
}

func TestNewFillsDefaults(t *testing.T) {
	w, err := New(Config{Dir: t.TempDir(), Client: http.DefaultClient, PorchURL: "https://127.0.0.1:8443", MetricsAddr: "[::1]:0"})
	if err != nil {
		t.Fatal(err)
	}
	got := w.Config()
	checks := []struct {
		field    string
		got, def any
	}{
		{"Debounce", got.Debounce, DefaultDebounce},
		{"StableFor", got.StableFor, DefaultStableFor},
		{"QueueDepth", got.QueueDepth, DefaultQueueDepth},
		{"Workers", got.Workers, DefaultWorkers},
		{"MaxFileBytes", got.MaxFileBytes, int64(DefaultMaxFileBytes)},
		{"MaxJSONDepth", got.MaxJSONDepth, DefaultMaxJSONDepth},
		{"GracePeriod", got.GracePeriod, DefaultGracePeriod},
		{"MetricsInterval", got.MetricsInterval, DefaultMetricsInterval},
		{"Namespace", got.Namespace, DefaultNamespace},
	}
	for _, c := range checks {
		if c.got != c.def {
			t.Errorf("%s = %v, want default %v", c.field, c.got, c.def)
		}
	}
	if w.MetricsURL() != "" {
		t.Errorf("MetricsURL before Start = %q, want empty", w.MetricsURL())
	}
}
