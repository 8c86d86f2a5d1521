package transport

import (
	"crypto/tls"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// transportFields are the fields a profile documents.
type transportFields struct {
	MaxIdleConns, MaxIdleConnsPerHost, MaxConnsPerHost               int
	IdleConnTimeout, TLSHandshakeTimeout                             time.Duration
	ResponseHeaderTimeout, ExpectContinueTimeout                     time.Duration
	ForceAttemptHTTP2, DisableKeepAlives, HasSessionCache, HasDialer bool
	HasProxy                                                         bool
}

func fieldsOf(tr *http.Transport) transportFields {
	return transportFields{
		MaxIdleConns:          tr.MaxIdleConns,
		MaxIdleConnsPerHost:   tr.MaxIdleConnsPerHost,
		MaxConnsPerHost:       tr.MaxConnsPerHost,
		IdleConnTimeout:       tr.IdleConnTimeout,
		TLSHandshakeTimeout:   tr.TLSHandshakeTimeout,
		ResponseHeaderTimeout: tr.ResponseHeaderTimeout,
		ExpectContinueTimeout: tr.ExpectContinueTimeout,
		ForceAttemptHTTP2:     tr.ForceAttemptHTTP2,
		DisableKeepAlives:     tr.DisableKeepAlives,
		HasSessionCache:       tr.TLSClientConfig != nil && tr.TLSClientConfig.ClientSessionCache != nil,
		HasDialer:             tr.DialContext != nil,
		HasProxy:              tr.Proxy != nil,
	}
}

func TestBuiltInProfilesSetExactlyTheDocumentedFields(t *testing.T) {
	tuned := transportFields{
		MaxIdleConns: 100, MaxIdleConnsPerHost: 50, MaxConnsPerHost: 0,
		IdleConnTimeout: 90 * time.Second, TLSHandshakeTimeout: 10 * time.Second,
		ResponseHeaderTimeout: 30 * time.Second, ExpectContinueTimeout: time.Second,
		ForceAttemptHTTP2: false, DisableKeepAlives: false, HasSessionCache: false,
		HasDialer: true, HasProxy: true,
	}
	tunedResume := tuned
	tunedResume.HasSessionCache = true
	tunedH2 := tuned
	tunedH2.ForceAttemptHTTP2 = true
	tunedCapped := tuned
	tunedCapped.MaxConnsPerHost = 50
	// client-go v0.37's transport/cache.go and apimachinery's SetTransportDefaults.
	clientGo := transportFields{
		MaxIdleConnsPerHost: 25, IdleConnTimeout: 90 * time.Second, TLSHandshakeTimeout: 10 * time.Second,
		HasDialer: true, HasProxy: true,
	}

	tests := []struct {
		profile     string
		want        transportFields
		wantTimeout time.Duration
		wantConfig  bool
	}{
		{profile: "default", want: fieldsOf(http.DefaultTransport.(*http.Transport)), wantTimeout: 0},
		{profile: "tuned", want: tuned, wantTimeout: 30 * time.Second, wantConfig: true},
		{profile: "tuned-resume", want: tunedResume, wantTimeout: 30 * time.Second, wantConfig: true},
		{profile: "tuned-h2", want: tunedH2, wantTimeout: 30 * time.Second, wantConfig: true},
		{profile: "tuned-capped", want: tunedCapped, wantTimeout: 30 * time.Second, wantConfig: true},
		{profile: "client-go", want: clientGo, wantTimeout: 0},
	}
	reg := NewRegistry()
	for _, tt := range tests {
		for _, withTLS := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s with TLS config %v", tt.profile, withTLS), func(t *testing.T) {
				p, err := reg.Lookup(tt.profile)
				if err != nil {
					t.Fatal(err)
				}
				var tlsConf *tls.Config
				if withTLS {
					tlsConf = &tls.Config{ServerName: "backend.example"}
				}
				tr := asHTTP(t, p.NewTransport(tlsConf))
				defer tr.CloseIdleConnections()
				if got := fieldsOf(tr); got != tt.want {
					t.Errorf("transport fields\n got %+v\nwant %+v", got, tt.want)
				}
				if got := p.ClientTimeout(); got != tt.wantTimeout {
					t.Errorf("ClientTimeout() = %s, want %s", got, tt.wantTimeout)
				}
				if (p.Config != nil) != tt.wantConfig {
					t.Errorf("Config = %+v, want non-nil %v", p.Config, tt.wantConfig)
				}
				if withTLS {
					if tr.TLSClientConfig == nil || tr.TLSClientConfig == tlsConf {
						t.Fatalf("TLSClientConfig = %p, want a clone of the caller's %p", tr.TLSClientConfig, tlsConf)
					}
					if tr.TLSClientConfig.ServerName != "backend.example" {
						t.Errorf("cloned ServerName = %q, want backend.example", tr.TLSClientConfig.ServerName)
					}
				}
			})
		}
	}
}

func TestProfilesReturnAFreshTransportOnEachCall(t *testing.T) {
	for _, p := range NewRegistry().Profiles() {
		t.Run(p.Name, func(t *testing.T) {
			a, b := asHTTP(t, p.NewTransport(nil)), asHTTP(t, p.NewTransport(nil))
			if a == b {
				t.Fatalf("two calls returned the same transport %p", a)
			}
			if a == http.DefaultTransport {
				t.Fatal("profile returned http.DefaultTransport itself")
			}
			if a.TLSClientConfig != nil && a.TLSClientConfig == b.TLSClientConfig {
				t.Errorf("two transports share TLS config %p", a.TLSClientConfig)
			}
			if a.TLSClientConfig != nil && a.TLSClientConfig.ClientSessionCache != nil &&
				a.TLSClientConfig.ClientSessionCache == b.TLSClientConfig.ClientSessionCache {
				t.Error("two transports share one TLS session cache")
			}
		})
	}
}

func TestProfilesNeverMutateTheCallersTLSConfig(t *testing.T) {
	srv := newCountingServer(t, true, nil)
	for _, p := range NewRegistry().Profiles() {
		t.Run(p.Name, func(t *testing.T) {
			caller := srv.clientTLS()
			inst := p.Instrument(caller, WithCAPEM(srv.caPEM()))
			defer inst.Close()
			// A real request lets net/http set up HTTP/2 and ALPN on its config.
			if code := get(t, inst.Client, srv.URL); code != http.StatusOK {
				t.Fatalf("status %d, want 200", code)
			}
			if caller.ClientSessionCache != nil {
				t.Errorf("caller's ClientSessionCache = %v, want nil", caller.ClientSessionCache)
			}
			if caller.NextProtos != nil {
				t.Errorf("caller's NextProtos = %q, want nil", caller.NextProtos)
			}
			if asHTTP(t, inst.Transport).TLSClientConfig == caller {
				t.Error("transport shares the caller's *tls.Config")
			}
		})
	}
}

func TestFromConfigStoresTheEffectiveConfig(t *testing.T) {
	p := FromConfig("capped", "20 conns per host", Config{MaxConnsPerHost: 20, ClientTimeout: 5 * time.Second})
	want := DefaultConfig()
	want.MaxConnsPerHost, want.ClientTimeout = 20, 5*time.Second
	if *p.Config != want {
		t.Fatalf("Config = %+v, want %+v", *p.Config, want)
	}
	tr := asHTTP(t, p.NewTransport(nil))
	if tr.MaxConnsPerHost != 20 || tr.MaxIdleConnsPerHost != 50 {
		t.Errorf("MaxConnsPerHost=%d MaxIdleConnsPerHost=%d, want 20 and 50", tr.MaxConnsPerHost, tr.MaxIdleConnsPerHost)
	}
	if got := p.ClientTimeout(); got != 5*time.Second {
		t.Errorf("ClientTimeout() = %s, want 5s", got)
	}
}

func TestRegistry(t *testing.T) {
	tests := []struct {
		name    string
		profile Profile
		wantErr string // empty: registration succeeds
	}{
		{name: "a new name is accepted", profile: FromConfig("capped", "", Config{MaxConnsPerHost: 10})},
		{name: "an empty name is rejected", profile: FromConfig("", "", Config{}), wantErr: "name is empty"},
		{name: "a blank name is rejected", profile: FromConfig("  ", "", Config{}), wantErr: "name is empty"},
		{name: "a built-in name is rejected as a duplicate", profile: FromConfig("tuned", "", Config{}), wantErr: `"tuned": already registered`},
		{name: "an invalid config is rejected naming the field", profile: Profile{Name: "bad", Config: &Config{MaxIdleConns: -3}}, wantErr: "MaxIdleConns = -3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := NewRegistry()
			err := reg.Register(tt.profile)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Register: %v", err)
				}
				if _, err := reg.Lookup(tt.profile.Name); err != nil {
					t.Fatalf("Lookup after Register: %v", err)
				}
				if got := len(reg.Names()); got != 7 {
					t.Errorf("len(Names()) = %d, want 7", got)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Register error = %v, want one containing %q", err, tt.wantErr)
			}
			if got := reg.Names(); !slices.Equal(got, []string{"client-go", "default", "tuned", "tuned-capped", "tuned-h2", "tuned-resume"}) {
				t.Errorf("Names() after a failed Register = %q, want the built-ins only", got)
			}
		})
	}
}

func TestRegistryRejectsASecondProfileWithTheSameName(t *testing.T) {
	reg := NewRegistry()
	if err := reg.Register(FromConfig("mine", "", Config{})); err != nil {
		t.Fatal(err)
	}
	err := reg.Register(FromConfig("mine", "", Config{MaxConnsPerHost: 1}))
	if err == nil || !strings.Contains(err.Error(), `"mine": already registered`) {
		t.Fatalf("second Register error = %v, want already registered", err)
	}
	p, _ := reg.Lookup("mine")
	if p.Config.MaxConnsPerHost != 0 {
		t.Errorf("the first profile was replaced: MaxConnsPerHost = %d, want 0", p.Config.MaxConnsPerHost)
	}
}

func TestRegistryUnknownLookupListsTheValidNamesSorted(t *testing.T) {
	reg := NewRegistry()
	if err := reg.Register(FromConfig("aggressive", "", Config{})); err != nil {
		t.Fatal(err)
	}
	_, err := reg.Lookup("tunned")
	want := `unknown transport profile "tunned": valid profiles are aggressive, client-go, default, tuned, tuned-capped, tuned-h2, tuned-resume`
	if err == nil || err.Error() != want {
		t.Fatalf("Lookup error = %v, want %q", err, want)
	}
}

func TestRegistryHandsOutCopiesOfConfigs(t *testing.T) {
	reg := NewRegistry()
	p, err := reg.Lookup("tuned")
	if err != nil {
		t.Fatal(err)
	}
	p.Config.MaxIdleConnsPerHost = 1
	for _, q := range reg.Profiles() {
		if q.Name == "tuned" {
			q.Config.MaxIdleConnsPerHost = 2
		}
	}
	again, _ := reg.Lookup("tuned")
	if got := again.Config.MaxIdleConnsPerHost; got != 50 {
		t.Fatalf("registry's tuned MaxIdleConnsPerHost = %d after callers edited their copies, want 50", got)
	}
	if got := asHTTP(t, again.NewTransport(nil)).MaxIdleConnsPerHost; got != 50 {
		t.Fatalf("tuned transport MaxIdleConnsPerHost = %d, want 50", got)
	}
}

func TestRegistryIsSafeForConcurrentUse(t *testing.T) {
	reg := NewRegistry()
	const n = 16
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := reg.Register(FromConfig(fmt.Sprintf("p%02d", i), "", Config{})); err != nil {
				t.Error(err)
			}
			if _, err := reg.Lookup("tuned"); err != nil {
				t.Error(err)
			}
			_ = reg.Profiles()
		}()
	}
	wg.Wait()
	names := reg.Names()
	if len(names) != n+6 || !slices.IsSorted(names) {
		t.Fatalf("Names() = %q, want %d sorted names", names, n+6)
	}
}

// asHTTP is the *http.Transport every built-in profile returns, under the
// "client-go" profile's wrappers.
func asHTTP(t *testing.T, rt http.RoundTripper) *http.Transport {
	t.Helper()
	tr, ok := Base(rt).(*http.Transport)
	if !ok {
		t.Fatalf("transport is %T (base %T), want *http.Transport", rt, Base(rt))
	}
	return tr
}

// countingRT is a factory's own RoundTripper: it counts what passes through it.
type countingRT struct {
	next http.RoundTripper
	n    *atomic.Int64
}

func (c countingRT) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.next.RoundTrip(r)
}

func TestFromFuncMeasuresAnyRoundTripper(t *testing.T) {
	srv := newCountingServer(t, true, nil)
	var n atomic.Int64
	var inner []*http.Transport
	p := FromFunc("mine", "a wrapped factory", func(tlsConf *tls.Config) http.RoundTripper {
		tr := DefaultTransport(tlsConf)
		inner = append(inner, tr)
		return countingRT{next: tr, n: &n}
	})
	reg := NewRegistry()
	if err := reg.Register(p); err != nil {
		t.Fatal(err)
	}
	got, err := reg.Lookup("mine")
	if err != nil || !got.Custom() || got.Config != nil {
		t.Fatalf("Lookup = %+v, %v; want a custom profile without Config", got, err)
	}
	inst, err := got.TryInstrument(srv.clientTLS())
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		get(t, inst.Client, srv.URL)
	}
	if n.Load() != 3 || inst.Tracer.Stats().Requests != 3 || srv.stats().Requests != 3 {
		t.Errorf("through the factory %d, traced %d, served %d; want 3 each", n.Load(), inst.Tracer.Stats().Requests, srv.stats().Requests)
	}
	inst.Close() // a wrapper without CloseIdleConnections: no panic, nothing to close
}

func TestRegisterRefusesAProfileThatWouldMeasureTheDefaultSilently(t *testing.T) {
	reg := NewRegistry()
	for _, p := range []Profile{{Name: "mine"}, FromFunc("nil-builder", "", nil)} {
		err := reg.Register(p)
		if err == nil || !strings.Contains(err.Error(), "neither a builder nor a Config") || !strings.Contains(err.Error(), "transport.FromFunc") {
			t.Errorf("Register(%q) = %v, want a refusal that says how to make one", p.Name, err)
		}
	}
	if err := reg.Register(FromFunc("", "", func(*tls.Config) http.RoundTripper { return nil })); err == nil || !strings.Contains(err.Error(), "name is empty") {
		t.Errorf("an empty name: %v", err)
	}
}

func TestBuildTurnsABadBuilderIntoAnErrorNamingTheProfile(t *testing.T) {
	for _, tt := range []struct {
		name  string
		build func(*tls.Config) http.RoundTripper
		want  string
	}{
		{"nil-rt", func(*tls.Config) http.RoundTripper { return nil }, `"nil-rt": its builder returned a nil RoundTripper`},
		{"panics", func(*tls.Config) http.RoundTripper { panic("no certificates") }, `"panics": its builder panicked: no certificates`},
	} {
		p := FromFunc(tt.name, "", tt.build)
		if _, err := p.Build(nil); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Build = %v, want %q", err, tt.want)
		}
		if _, err := p.TryInstrument(nil); err == nil {
			t.Errorf("%s: TryInstrument succeeded", tt.name)
		}
	}
}
