package transport

import (
	"strings"
	"testing"
	"time"
)

func TestDefaultConfigHasTheOperatorFactoryDefaults(t *testing.T) {
	want := Config{
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   50,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		DialTimeout:           10 * time.Second,
		KeepAlive:             30 * time.Second,
		ResponseHeaderTimeout: 30 * time.Second,
		ExpectContinueTimeout: time.Second,
		ClientTimeout:         30 * time.Second,
	}
	if got := DefaultConfig(); got != want {
		t.Fatalf("DefaultConfig() = %+v, want %+v", got, want)
	}
}

func TestWithDefaults(t *testing.T) {
	tests := []struct {
		name string
		in   Config
		want func() Config
	}{
		{
			name: "a zero config becomes the default config",
			in:   Config{},
			want: DefaultConfig,
		},
		{
			name: "set fields are kept and only zero fields are filled",
			in:   Config{MaxIdleConnsPerHost: 7, MaxConnsPerHost: 20, DialTimeout: time.Second, ForceAttemptHTTP2: true, TLSSessionCacheSize: 8},
			want: func() Config {
				c := DefaultConfig()
				c.MaxIdleConnsPerHost, c.MaxConnsPerHost, c.DialTimeout = 7, 20, time.Second
				c.ForceAttemptHTTP2, c.TLSSessionCacheSize = true, 8
				return c
			},
		},
		{
			name: "fields whose default is zero stay zero",
			in:   Config{MaxIdleConns: 1},
			want: func() Config {
				c := DefaultConfig()
				c.MaxIdleConns = 1
				return c
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			before := in
			got := in.WithDefaults()
			if want := tt.want(); got != want {
				t.Errorf("WithDefaults() = %+v, want %+v", got, want)
			}
			if in != before {
				t.Errorf("WithDefaults mutated the caller's config: now %+v, was %+v", in, before)
			}
		})
	}
}

func TestNewTransportAndNewClientDoNotMutateTheCallersConfig(t *testing.T) {
	c := Config{MaxConnsPerHost: 3}
	before := c
	tr := NewTransport(c, nil)
	client := NewClient(c, nil)
	if c != before {
		t.Fatalf("caller's config changed to %+v, was %+v", c, before)
	}
	if tr.MaxIdleConnsPerHost != DefaultMaxIdleConnsPerHost || tr.MaxConnsPerHost != 3 {
		t.Errorf("transport MaxIdleConnsPerHost=%d MaxConnsPerHost=%d, want %d and 3",
			tr.MaxIdleConnsPerHost, tr.MaxConnsPerHost, DefaultMaxIdleConnsPerHost)
	}
	if client.Timeout != DefaultClientTimeout {
		t.Errorf("client timeout = %s, want the default %s", client.Timeout, DefaultClientTimeout)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name     string
		cfg      Config
		wantErrs []string // substrings that must all appear; none means valid
	}{
		{name: "a zero config is valid", cfg: Config{}},
		{name: "the default config is valid", cfg: DefaultConfig()},
		{name: "a negative MaxIdleConns is named with its value", cfg: Config{MaxIdleConns: -1},
			wantErrs: []string{"MaxIdleConns = -1", ">= 0", "default 100"}},
		{name: "a negative MaxConnsPerHost says 0 means unlimited", cfg: Config{MaxConnsPerHost: -5},
			wantErrs: []string{"MaxConnsPerHost = -5", "unlimited"}},
		{name: "a negative TLSSessionCacheSize is rejected", cfg: Config{TLSSessionCacheSize: -2},
			wantErrs: []string{"TLSSessionCacheSize = -2"}},
		{name: "a negative duration is shown as a duration", cfg: Config{DialTimeout: -time.Second},
			wantErrs: []string{"DialTimeout = -1s", "default 10s"}},
		{name: "every invalid field is reported at once", cfg: Config{MaxIdleConnsPerHost: -1, ClientTimeout: -time.Millisecond, ResponseHeaderTimeout: -2 * time.Second},
			wantErrs: []string{"MaxIdleConnsPerHost = -1", "ClientTimeout = -1ms", "ResponseHeaderTimeout = -2s"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if len(tt.wantErrs) == 0 {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate() = nil, want an error containing %q", tt.wantErrs)
			}
			for _, want := range tt.wantErrs {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("Validate() = %q, want it to contain %q", err, want)
				}
			}
		})
	}
}
