package transport

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"k8s.io/client-go/rest"
)

// Names of the built-in profiles. This package is their source; package
// reports/results keeps a copy (results.ProfileDefault, ...) as the
// vocabulary of the results it records, because reports may not import
// targets. names_test.go holds the two equal.
const (
	ProfileDefault     = "default"
	ProfileTuned       = "tuned"
	ProfileTunedResume = "tuned-resume"
	ProfileTunedH2     = "tuned-h2"
	ProfileTunedCapped = "tuned-capped"
	ProfileClientGo    = "client-go"
)

// TunedResumeSessionCacheSize is the TLS session cache size of the "tuned-resume"
// profile: enough for one entry per backend host of a typical operator.
const TunedResumeSessionCacheSize = 256

// Profile is a named way to build a transport. Profiles built from a Config carry it
// (with defaults filled in); the "default" and "client-go" profiles and profiles
// made by FromFunc have a nil Config.
type Profile struct {
	Name        string
	Description string
	// Config is the transport's configuration, nil for profiles not built from one.
	Config *Config

	// build, when set, makes the transport instead of Config.
	build func(in buildInput) (http.RoundTripper, error)
	// fromFunc marks a profile made by FromFunc.
	fromFunc bool
}

// buildInput is what a profile's builder is given.
type buildInput struct {
	tls   *tls.Config
	caPEM []byte
	rest  *rest.Config
}

// BuildOption gives a profile's builder more than the TLS configuration.
type BuildOption func(*buildInput)

// WithCAPEM gives the builder the PEM-encoded CA certificates that the TLS
// configuration's RootCAs hold. A factory that takes the CA as PEM rather
// than as a pool needs it: the "client-go" profile puts it in its rest.Config
// (TLSClientConfig.CAData), as a kubeconfig's certificate-authority-data
// would. The other built-in profiles and FromFunc builders ignore it.
func WithCAPEM(pem []byte) BuildOption {
	return func(in *buildInput) { in.caPEM = pem }
}

// WithRESTConfig gives the "client-go" profile the rest.Config of a
// kubeconfig (its server's CA, TLS settings and credentials) to build from,
// instead of one made from the TLS configuration with a fixed bearer token.
// The profile copies it; the other built-in profiles and FromFunc builders
// ignore it (their requests get the credentials from a wrapper, see
// k8s.io/client-go/transport.HTTPWrappersForConfig).
func WithRESTConfig(cfg *rest.Config) BuildOption {
	return func(in *buildInput) { in.rest = cfg }
}

func newBuildInput(tlsConf *tls.Config, opts []BuildOption) buildInput {
	in := buildInput{tls: tlsConf}
	for _, o := range opts {
		if o != nil {
			o(&in)
		}
	}
	return in
}

// FromFunc returns a profile whose transports come from build: any factory,
// including one that wraps its transport (otel, retries) or is not an
// *http.Transport at all. build gets the TLS configuration to trust the
// backend with (nil for plain HTTP; clone it before changing it) and must
// return a fresh RoundTripper on each call. Registry.Register refuses an
// empty name or a nil build.
func FromFunc(name, description string, build func(tlsConf *tls.Config) http.RoundTripper) Profile {
	p := Profile{Name: name, Description: description, fromFunc: true}
	if build != nil {
		p.build = func(in buildInput) (http.RoundTripper, error) { return build(in.tls), nil }
	}
	return p
}

// NewTransport returns a fresh transport for p each call; tlsConf is cloned, never
// modified by the built-in profiles. A profile with neither a builder nor a Config
// behaves as "default". It panics when a FromFunc builder does, or when a builder
// fails (the "client-go" profile given a pool of CAs without WithCAPEM); Build
// returns an error instead.
func (p Profile) NewTransport(tlsConf *tls.Config, opts ...BuildOption) http.RoundTripper {
	rt, err := p.newTransport(newBuildInput(tlsConf, opts))
	if err != nil {
		panic(err)
	}
	return rt
}

func (p Profile) newTransport(in buildInput) (http.RoundTripper, error) {
	switch {
	case p.build != nil:
		rt, err := p.build(in)
		if err != nil {
			return nil, fmt.Errorf("transport profile %q: %w", p.Name, err)
		}
		return rt, nil
	case p.Config != nil:
		return NewTransport(*p.Config, in.tls), nil
	default:
		return DefaultTransport(in.tls), nil
	}
}

// Build is NewTransport that turns a builder's error, panic or nil result into an
// error naming the profile, so one bad factory fails its own arm, not the run.
func (p Profile) Build(tlsConf *tls.Config, opts ...BuildOption) (rt http.RoundTripper, err error) {
	defer func() {
		if v := recover(); v != nil {
			rt, err = nil, fmt.Errorf("transport profile %q: its builder panicked: %v", p.Name, v)
		}
	}()
	rt, err = p.newTransport(newBuildInput(tlsConf, opts))
	if err != nil {
		return nil, err
	}
	if rt == nil {
		return nil, fmt.Errorf("transport profile %q: its builder returned a nil RoundTripper", p.Name)
	}
	return rt, nil
}

// Custom reports whether p's transports come from a FromFunc builder, whose
// settings the harness cannot read.
func (p Profile) Custom() bool { return p.fromFunc }

// ClientTimeout is the http.Client.Timeout to use with p's transport: the Config's
// ClientTimeout (default 30s), or 0 (no timeout, as http.DefaultClient and as a
// rest.Config without Timeout) for profiles without a Config such as "default" and
// "client-go".
func (p Profile) ClientTimeout() time.Duration {
	if p.build != nil || p.Config == nil {
		return 0
	}
	return p.Config.WithDefaults().ClientTimeout
}

// NewClient returns an http.Client over a fresh p.NewTransport(tlsConf, opts...)
// with p.ClientTimeout().
func (p Profile) NewClient(tlsConf *tls.Config, opts ...BuildOption) *http.Client {
	return &http.Client{Transport: p.NewTransport(tlsConf, opts...), Timeout: p.ClientTimeout()}
}

// FromConfig returns a profile that builds NewTransport(c, tlsConf). Its Config holds
// c.WithDefaults(), the values the transport really uses.
func FromConfig(name, description string, c Config) Profile {
	c = c.WithDefaults()
	return Profile{Name: name, Description: description, Config: &c}
}

// clone returns p with its own copy of Config, so no two holders share a *Config.
func (p Profile) clone() Profile {
	if p.Config != nil {
		c := *p.Config
		p.Config = &c
	}
	return p
}

// DefaultProfile is exactly http.DefaultTransport, cloned per call: MaxIdleConnsPerHost
// 2, no MaxConnsPerHost, HTTP/2 attempted, no TLS session cache. Its client timeout is
// 0 (none), as http.DefaultClient's.
func DefaultProfile() Profile {
	return Profile{
		Name:        ProfileDefault,
		Description: "http.DefaultTransport as Go ships it (2 idle conns per host, HTTP/2 attempted, no client timeout)",
		build:       func(in buildInput) (http.RoundTripper, error) { return DefaultTransport(in.tls), nil },
	}
}

// TunedProfile is the operator's factory with its defaults (DefaultConfig): 50 idle
// conns per host, unlimited active conns, HTTP/1.1 only, no TLS resumption, 30s
// client timeout.
func TunedProfile() Profile {
	return FromConfig(ProfileTuned,
		"the operator's tuned factory (100 idle, 50 idle per host, HTTP/1.1, no TLS resumption, 30s client timeout)",
		DefaultConfig())
}

// TunedResumeProfile is TunedProfile plus a per-transport TLS session cache of
// TunedResumeSessionCacheSize entries, so reconnections resume TLS sessions.
func TunedResumeProfile() Profile {
	c := DefaultConfig()
	c.TLSSessionCacheSize = TunedResumeSessionCacheSize
	return FromConfig(ProfileTunedResume,
		fmt.Sprintf("tuned plus a TLS session cache of %d entries (session resumption)", TunedResumeSessionCacheSize),
		c)
}

// TunedH2Profile is TunedProfile plus ForceAttemptHTTP2: the factory's custom dialer
// otherwise switches HTTP/2 off, so against an HTTP/2 backend (Porch, any Kubernetes
// API server) the tuned transport would open one HTTP/1.1 connection per request in
// flight where the default transport multiplexes streams over a few.
func TunedH2Profile() Profile {
	c := DefaultConfig()
	c.ForceAttemptHTTP2 = true
	return FromConfig(ProfileTunedH2,
		"tuned plus ForceAttemptHTTP2 (HTTP/2 negotiated by ALPN where the backend offers it)",
		c)
}

// TunedCappedProfile is TunedProfile plus MaxConnsPerHost equal to its
// MaxIdleConnsPerHost (50): requests beyond 50 in flight per host wait for a pooled
// connection instead of dialing one that the pool then refuses and closes. The wait
// shows in the connection-wait figures (httptrace GetConn to GotConn).
func TunedCappedProfile() Profile {
	c := DefaultConfig()
	c.MaxConnsPerHost = c.MaxIdleConnsPerHost
	return FromConfig(ProfileTunedCapped,
		fmt.Sprintf("tuned plus MaxConnsPerHost %d (= MaxIdleConnsPerHost): requests beyond the pool queue for a connection", c.MaxConnsPerHost),
		c)
}

// Registry holds profiles by name. It is safe for concurrent use.
type Registry struct {
	mu       sync.RWMutex
	profiles map[string]Profile
}

// NewRegistry returns a registry holding the built-in profiles "default", "tuned",
// "tuned-resume", "tuned-h2", "tuned-capped" and "client-go".
func NewRegistry() *Registry {
	r := &Registry{profiles: make(map[string]Profile)}
	for _, p := range []Profile{DefaultProfile(), TunedProfile(), TunedResumeProfile(), TunedH2Profile(), TunedCappedProfile(), ClientGoProfile()} {
		r.profiles[p.Name] = p
	}
	return r
}

// Register adds p. It fails when the name is empty or already registered, or when
// p.Config is invalid. The registry keeps its own copy of p.Config.
func (r *Registry) Register(p Profile) error {
	if strings.TrimSpace(p.Name) == "" {
		return errors.New("transport profile: name is empty: give the profile a name")
	}
	if p.build == nil && p.Config == nil {
		return fmt.Errorf("transport profile %q: it has neither a builder nor a Config, so it would silently measure http.DefaultTransport: make it with transport.FromFunc(name, description, build) or transport.FromConfig(name, description, config)", p.Name)
	}
	if p.Config != nil {
		if err := p.Config.Validate(); err != nil {
			return fmt.Errorf("transport profile %q: %w", p.Name, err)
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.profiles[p.Name]; ok {
		return fmt.Errorf("transport profile %q: already registered: choose a name other than %s",
			p.Name, strings.Join(r.namesLocked(), ", "))
	}
	r.profiles[p.Name] = p.clone()
	return nil
}

// Lookup returns the profile called name, or an error listing the valid names.
func (r *Registry) Lookup(name string) (Profile, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	p, ok := r.profiles[name]
	if !ok {
		return Profile{}, fmt.Errorf("unknown transport profile %q: valid profiles are %s",
			name, strings.Join(r.namesLocked(), ", "))
	}
	return p.clone(), nil
}

// Names returns the registered profile names, sorted.
func (r *Registry) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.namesLocked()
}

// Profiles returns copies of the registered profiles, sorted by name.
func (r *Registry) Profiles() []Profile {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]Profile, 0, len(r.profiles))
	for _, name := range r.namesLocked() {
		out = append(out, r.profiles[name].clone())
	}
	return out
}

func (r *Registry) namesLocked() []string {
	names := make([]string, 0, len(r.profiles))
	for name := range r.profiles {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}
