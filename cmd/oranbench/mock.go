package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/oranbench/oranbench/internal/loopback"
	"github.com/oranbench/oranbench/internal/mockproc"
	"github.com/oranbench/oranbench/mockbackend"
)

// mockOptions are the flags of oranbench mock.
type mockOptions struct {
	listen, preset, configFile, caPath, tlsVersion string
	useTLS, http2, allowRemote, child              bool
	rtt, latency                                   time.Duration
	cpus                                           string
	h2MaxStreams                                   int
	// Stand-in for an API server: kubeconfig, credentials, flow control.
	kubeconfigOut, token, clientCA   string
	maxInflight, maxMutatingInflight int
	inflightScale                    float64
	stderr                           io.Writer // notices; os.Stderr when nil
	// changed holds the names of the flags given: only those override
	// --preset and --config.
	changed map[string]bool
}

func newMockCmd(stdout io.Writer) *cobra.Command {
	var o mockOptions
	cmd := &cobra.Command{
		Use:   "mock",
		Short: "Run the mock O-RAN / Porch / RAG / LLM backend until SIGINT or SIGTERM",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.changed = changedFlags(cmd, "tls", "tls-version", "http2", "h2-max-streams", "rtt", "latency",
				"token", "client-ca", "max-requests-inflight", "max-mutating-requests-inflight", "apiserver-inflight-scale")
			o.stderr = cmd.ErrOrStderr()
			return runMock(cmd.Context(), o, cmd.InOrStdin(), stdout)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.listen, "listen", "127.0.0.1:8443", "host:port to listen on (loopback only unless --allow-remote)")
	f.BoolVar(&o.useTLS, "tls", false, "serve HTTPS with a certificate from a CA generated at start")
	f.StringVar(&o.tlsVersion, "tls-version", "", `"1.2" or "1.3" (default: both)`)
	f.BoolVar(&o.http2, "http2", false, "also serve HTTP/2")
	f.IntVar(&o.h2MaxStreams, "h2-max-streams", mockbackend.DefaultH2MaxStreams, "with --http2: concurrent HTTP/2 streams allowed per connection (a Kubernetes API server allows 100)")
	f.DurationVar(&o.rtt, "rtt", 0, "emulated round-trip time, at most "+mockbackend.MaxDelay.String()+" (in-process Toxiproxy in front of the server)")
	f.DurationVar(&o.latency, "latency", 0, "fixed handler latency of every API route, at most "+mockbackend.MaxDelay.String())
	f.StringVar(&o.preset, "preset", mockbackend.PresetFast, "behaviour preset: "+strings.Join(mockbackend.PresetNames(), ", "))
	f.StringVar(&o.configFile, "config", "", "YAML file of mock settings, applied over --preset")
	f.StringVar(&o.caPath, "ca-out", "", "with --tls: where to write the CA certificate; a symbolic link there is refused (default: a new private directory in the temp dir, removed at exit)")
	f.BoolVar(&o.allowRemote, "allow-remote", false, "allow listening on a non-loopback address")
	f.StringVar(&o.kubeconfigOut, "kubeconfig-out", "", "with --tls: write a kubeconfig (URL, CA, bearer token; mode 0600) for kubectl and client-go; without --token a random token is generated and required")
	f.StringVar(&o.token, "token", "", `require "Authorization: Bearer TOKEN" on API routes and discovery (config: bearerToken); others get 401`)
	f.StringVar(&o.clientCA, "client-ca", "", "with --tls: PEM CA file; a client certificate it signed authenticates without a token (config: clientCAFile)")
	f.IntVar(&o.maxInflight, "max-requests-inflight", 0, fmt.Sprintf("API-server flow control: read-only requests served at once, 429 beyond (config: maxRequestsInflight; kube-apiserver: %d; 0 = unlimited)", mockbackend.APIServerMaxRequestsInflight))
	f.IntVar(&o.maxMutatingInflight, "max-mutating-requests-inflight", 0, fmt.Sprintf("API-server flow control: POST/PUT/PATCH/DELETE served at once, 429 beyond (config: maxMutatingRequestsInflight; kube-apiserver: %d; 0 = unlimited)", mockbackend.APIServerMaxMutatingRequestsInflight))
	f.Float64Var(&o.inflightScale, "apiserver-inflight-scale", 0, fmt.Sprintf("set both in-flight limits to kube-apiserver's defaults (%d/%d) times this factor, e.g. 0.5 for %d/%d",
		mockbackend.APIServerMaxRequestsInflight, mockbackend.APIServerMaxMutatingRequestsInflight, mockbackend.APIServerMaxRequestsInflight/2, mockbackend.APIServerMaxMutatingRequestsInflight/2))
	f.BoolVar(&o.child, strings.TrimPrefix(mockproc.ChildFlag, "--"), false, "serve as a run's isolated backend (config on stdin; used by backend.isolation: process)")
	f.StringVar(&o.cpus, "cpus", "", "with --child: CPUs to pin the backend to, e.g. 1 or 2-3")
	_ = f.MarkHidden("child")
	_ = f.MarkHidden("cpus")
	return cmd
}

// runMock is oranbench mock without its command line: it serves the mock
// until ctx is done (or, with o.child, as a run's isolated backend with its
// config on stdin).
func runMock(ctx context.Context, o mockOptions, stdin io.Reader, stdout io.Writer) error {
	if o.child {
		// A run's isolated backend: the config comes from the parent.
		return mockproc.Serve(stdin, stdout, o.cpus)
	}
	host, _, err := net.SplitHostPort(o.listen)
	if err != nil {
		return usageErr("--listen %q: %v (want host:port, e.g. 127.0.0.1:8443)", o.listen, err)
	}
	if !o.allowRemote && !loopback.IsLoopback(host) {
		return usageErr("--listen %q: not a loopback address (127.0.0.0/8, ::1, localhost); pass --allow-remote to listen elsewhere", o.listen)
	}
	cfg, err := mockbackend.Preset(o.preset)
	if err != nil {
		return usageErr("--preset: %v", err)
	}
	if o.configFile != "" {
		if cfg, err = mockbackend.LoadConfigOnto(cfg, o.configFile); err != nil {
			return usageErr("--config: %v", err)
		}
	}
	cfg.Listen = o.listen
	if o.changed["tls"] {
		cfg.TLS = o.useTLS
	}
	if o.changed["tls-version"] {
		cfg.TLSVersion = o.tlsVersion
	}
	if o.changed["http2"] {
		cfg.HTTP2 = o.http2
	}
	if o.changed["h2-max-streams"] {
		cfg.H2MaxStreams = o.h2MaxStreams
	}
	if o.changed["rtt"] {
		cfg.RTT = o.rtt
	}
	if o.changed["latency"] {
		cfg.Latency = o.latency
	}
	if err := applyAPIServerFlags(&cfg, o); err != nil {
		return err
	}
	generated := false
	if o.kubeconfigOut != "" {
		if !cfg.TLS {
			return usageErr("--kubeconfig-out %q: the mock serves plain HTTP, and a kubeconfig points clients at an API server over TLS; valid: add --tls (or tls: true in --config)", o.kubeconfigOut)
		}
		if cfg.BearerToken == "" {
			// A real API server is never open to anyone holding its URL.
			if cfg.BearerToken, err = randomToken(); err != nil {
				return usageErr("--kubeconfig-out: generate a token: %v", err)
			}
			generated = true
		}
	}
	if err := cfg.Validate(); err != nil {
		return usageErr("mock config: %v", err)
	}
	if o.caPath != "" && !cfg.TLS {
		return usageErr("--ca-out %q: the mock serves plain HTTP, so there is no CA to write; valid: add --tls (or tls: true in --config)", o.caPath)
	}
	srv, err := mockbackend.Start(cfg)
	if err != nil {
		return usageErr("%v", err)
	}
	defer srv.Close()
	// F12, F15: the CA is written before anything is printed, so
	// "listening" means every file the printed commands name exists.
	if cfg.TLS {
		if o.caPath == "" {
			dir, err := writeTempCA(srv)
			if err != nil {
				return usageErr("%v", err)
			}
			// The CA is generated at each start: it is no use once
			// this mock has exited.
			defer os.RemoveAll(dir)
			o.caPath = filepath.Join(dir, caFileName)
		} else if err := srv.WriteCACert(o.caPath); err != nil {
			return usageErr("--ca-out %q: %v; valid: a path to a new or regular file in a writable directory", o.caPath, err)
		}
	}
	if o.kubeconfigOut != "" {
		if err := srv.WriteKubeconfig(o.kubeconfigOut, cfg.BearerToken); err != nil {
			return usageErr("--kubeconfig-out %q: %v; valid: a path to a new or regular file in a writable directory", o.kubeconfigOut, err)
		}
		if generated {
			notices := o.stderr
			if notices == nil {
				notices = os.Stderr
			}
			fmt.Fprintf(notices, "oranbench mock: no --token given: generated a random bearer token, required on every API route; it is in %s\n", o.kubeconfigOut)
		}
	}
	extra := ""
	if cfg.HTTP2 {
		extra = fmt.Sprintf(", HTTP/2 with %d streams per connection", srv.Config().H2MaxStreams)
	}
	if cfg.MaxRequestsInflight > 0 || cfg.MaxMutatingRequestsInflight > 0 {
		extra += fmt.Sprintf(", in flight at most %s read-only / %s mutating", limitText(cfg.MaxRequestsInflight), limitText(cfg.MaxMutatingRequestsInflight))
	}
	fmt.Fprintf(stdout, "mock backend listening on %s (preset %s%s)\n", srv.URL(), o.preset, extra)
	auth := ""
	switch {
	case o.kubeconfigOut != "":
		auth = fmt.Sprintf(`-H "Authorization: Bearer $(kubectl --kubeconfig %s config view --raw -o jsonpath='{.users[0].user.token}')" `, o.kubeconfigOut)
	case cfg.BearerToken != "":
		auth = `-H "Authorization: Bearer <bearerToken>" `
	}
	if cfg.TLS {
		fmt.Fprintf(stdout, "CA certificate: %s\n", o.caPath)
		if o.kubeconfigOut != "" {
			fmt.Fprintf(stdout, "kubeconfig: %s (context %s, namespace %s)\n", o.kubeconfigOut, mockbackend.KubeconfigName, mockbackend.KubeconfigNamespace)
		}
		fmt.Fprintf(stdout, "try: curl %s--cacert %s %s/A1-P/v2/policytypes\n", auth, o.caPath, srv.URL())
		if o.kubeconfigOut != "" {
			fmt.Fprintf(stdout, "     kubectl --kubeconfig %s get packagerevisions\n", o.kubeconfigOut)
		} else {
			fmt.Fprintf(stdout, "     kubectl --server %s --certificate-authority %s --token %s get packagerevisions -n default\n", srv.URL(), o.caPath, kubectlToken(cfg))
		}
	} else {
		fmt.Fprintf(stdout, "try: curl %s%s/A1-P/v2/policytypes\n", auth, srv.URL())
	}
	<-ctx.Done()
	fmt.Fprintf(stdout, "shutting down (in-flight requests get %s)\n", strings.TrimSpace(shutdownGrace(cfg)))
	return srv.Close()
}

// changedFlags returns which of names were given on cmd's command line.
func changedFlags(cmd *cobra.Command, names ...string) map[string]bool {
	set := map[string]bool{}
	for _, n := range names {
		set[n] = cmd.Flags().Changed(n)
	}
	return set
}

// caFileName is the CA certificate's name in the directory writeTempCA makes.
const caFileName = "ca.pem"

// writeTempCA writes the server's CA certificate into a new directory of
// its own (mode 0700, a random name) and returns the directory: a second
// mock gets another one, and no file planted in the temp dir beforehand,
// such as a symbolic link, is written through.
func writeTempCA(srv *mockbackend.Server) (string, error) {
	dir, err := os.MkdirTemp("", "oranbench-mock-ca-")
	if err != nil {
		return "", fmt.Errorf("CA certificate: %w; valid: a writable temp dir (TMPDIR), or --ca-out FILE", err)
	}
	if err := srv.WriteCACert(filepath.Join(dir, caFileName)); err != nil {
		_ = os.RemoveAll(dir)
		return "", fmt.Errorf("CA certificate: %w", err)
	}
	return dir, nil
}

// kubectlToken is the bearer token to show in the kubectl example: a
// placeholder for the configured one (not printed), or any token when the
// mock requires none (kubectl wants a credential; the mock ignores it).
func kubectlToken(cfg mockbackend.Config) string {
	if cfg.BearerToken != "" {
		return "<bearerToken>"
	}
	return "any"
}

func shutdownGrace(cfg mockbackend.Config) string {
	if cfg.ShutdownTimeout > 0 {
		return cfg.ShutdownTimeout.String()
	}
	return mockbackend.DefaultShutdownTimeout.String()
}

// applyAPIServerFlags applies the flags that make the mock a stand-in for a
// Kubernetes API server: credentials and flow control.
func applyAPIServerFlags(cfg *mockbackend.Config, o mockOptions) error {
	if o.changed["token"] {
		if o.token == "" {
			return usageErr(`--token "": empty; valid: a non-empty bearer token (leave --token out for none, or for a generated one with --kubeconfig-out)`)
		}
		cfg.BearerToken = o.token
	}
	if o.changed["client-ca"] {
		cfg.ClientCAFile = o.clientCA
	}
	if o.changed["apiserver-inflight-scale"] {
		if o.changed["max-requests-inflight"] || o.changed["max-mutating-requests-inflight"] {
			return usageErr("--apiserver-inflight-scale %v: also given --max-requests-inflight or --max-mutating-requests-inflight; valid: the scale alone, or the limits alone", o.inflightScale)
		}
		if !(o.inflightScale > 0 && o.inflightScale <= mockbackend.MaxInflightScale) {
			return usageErr("--apiserver-inflight-scale %v: out of range; valid: above 0 up to %d (1 = kube-apiserver's %d/%d)", o.inflightScale,
				mockbackend.MaxInflightScale, mockbackend.APIServerMaxRequestsInflight, mockbackend.APIServerMaxMutatingRequestsInflight)
		}
		cfg.MaxRequestsInflight, cfg.MaxMutatingRequestsInflight = mockbackend.APIServerInflight(o.inflightScale)
	}
	if o.changed["max-requests-inflight"] {
		cfg.MaxRequestsInflight = o.maxInflight
	}
	if o.changed["max-mutating-requests-inflight"] {
		cfg.MaxMutatingRequestsInflight = o.maxMutatingInflight
	}
	return nil
}

// randomToken is a bearer token of 256 random bits.
func randomToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// limitText is an in-flight limit as the listening line shows it.
func limitText(n int) string {
	if n == 0 {
		return "unlimited"
	}
	return strconv.Itoa(n)
}
