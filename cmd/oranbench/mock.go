package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/oranbench/oranbench/internal/loopback"
	"github.com/oranbench/oranbench/internal/mockproc"
	"github.com/oranbench/oranbench/mockbackend"
)

func newMockCmd(stdout io.Writer) *cobra.Command {
	var (
		listen, preset, configFile, caPath, tlsVersion string
		useTLS, http2, allowRemote, child              bool
		rtt, latency                                   time.Duration
		cpus                                           string
		h2MaxStreams                                   int
	)
	cmd := &cobra.Command{
		Use:   "mock",
		Short: "Run the mock O-RAN / Porch / RAG / LLM backend until SIGINT or SIGTERM",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if child {
				// A run's isolated backend: the config comes from the parent.
				return mockproc.Serve(cmd.InOrStdin(), stdout, cpus)
			}
			host, _, err := net.SplitHostPort(listen)
			if err != nil {
				return usageErr("--listen %q: %v (want host:port, e.g. 127.0.0.1:8443)", listen, err)
			}
			if !allowRemote && !loopback.IsLoopback(host) {
				return usageErr("--listen %q: not a loopback address (127.0.0.0/8, ::1, localhost); pass --allow-remote to listen elsewhere", listen)
			}
			cfg, err := mockbackend.Preset(preset)
			if err != nil {
				return usageErr("--preset: %v", err)
			}
			if configFile != "" {
				if cfg, err = mockbackend.LoadConfigOnto(cfg, configFile); err != nil {
					return usageErr("--config: %v", err)
				}
			}
			flags := cmd.Flags()
			cfg.Listen = listen
			if flags.Changed("tls") {
				cfg.TLS = useTLS
			}
			if flags.Changed("tls-version") {
				cfg.TLSVersion = tlsVersion
			}
			if flags.Changed("http2") {
				cfg.HTTP2 = http2
			}
			if flags.Changed("h2-max-streams") {
				cfg.H2MaxStreams = h2MaxStreams
			}
			if flags.Changed("rtt") {
				cfg.RTT = rtt
			}
			if flags.Changed("latency") {
				cfg.Latency = latency
			}
			if err := cfg.Validate(); err != nil {
				return usageErr("mock config: %v", err)
			}
			if caPath != "" && !cfg.TLS {
				return usageErr("--ca-out %q: the mock serves plain HTTP, so there is no CA to write; valid: add --tls (or tls: true in --config)", caPath)
			}
			srv, err := mockbackend.Start(cfg)
			if err != nil {
				return usageErr("%v", err)
			}
			defer srv.Close()
			// F12, F15: the CA is written before anything is printed, so
			// "listening" means every file the printed commands name exists.
			if cfg.TLS {
				if caPath == "" {
					dir, err := writeTempCA(srv)
					if err != nil {
						return usageErr("%v", err)
					}
					// The CA is generated at each start: it is no use once
					// this mock has exited.
					defer os.RemoveAll(dir)
					caPath = filepath.Join(dir, caFileName)
				} else if err := srv.WriteCACert(caPath); err != nil {
					return usageErr("--ca-out %q: %v; valid: a path to a new or regular file in a writable directory", caPath, err)
				}
			}
			h2 := ""
			if cfg.HTTP2 {
				h2 = fmt.Sprintf(", HTTP/2 with %d streams per connection", srv.Config().H2MaxStreams)
			}
			fmt.Fprintf(stdout, "mock backend listening on %s (preset %s%s)\n", srv.URL(), preset, h2)
			if cfg.TLS {
				fmt.Fprintf(stdout, "CA certificate: %s\n", caPath)
				fmt.Fprintf(stdout, "try: curl --cacert %s %s/A1-P/v2/policytypes\n", caPath, srv.URL())
				fmt.Fprintf(stdout, "     kubectl --server %s --certificate-authority %s --token %s get packagerevisions -n default\n", srv.URL(), caPath, kubectlToken(cfg))
			} else {
				fmt.Fprintf(stdout, "try: curl %s/A1-P/v2/policytypes\n", srv.URL())
			}
			<-cmd.Context().Done()
			fmt.Fprintf(stdout, "shutting down (in-flight requests get %s)\n", strings.TrimSpace(shutdownGrace(cfg)))
			return srv.Close()
		},
	}
	f := cmd.Flags()
	f.StringVar(&listen, "listen", "127.0.0.1:8443", "host:port to listen on (loopback only unless --allow-remote)")
	f.BoolVar(&useTLS, "tls", false, "serve HTTPS with a certificate from a CA generated at start")
	f.StringVar(&tlsVersion, "tls-version", "", `"1.2" or "1.3" (default: both)`)
	f.BoolVar(&http2, "http2", false, "also serve HTTP/2")
	f.IntVar(&h2MaxStreams, "h2-max-streams", mockbackend.DefaultH2MaxStreams, "with --http2: concurrent HTTP/2 streams allowed per connection (a Kubernetes API server allows 100)")
	f.DurationVar(&rtt, "rtt", 0, "emulated round-trip time, at most "+mockbackend.MaxDelay.String()+" (in-process Toxiproxy in front of the server)")
	f.DurationVar(&latency, "latency", 0, "fixed handler latency of every API route, at most "+mockbackend.MaxDelay.String())
	f.StringVar(&preset, "preset", mockbackend.PresetFast, "behaviour preset: "+strings.Join(mockbackend.PresetNames(), ", "))
	f.StringVar(&preset, "profile", mockbackend.PresetFast, "old name of --preset")
	_ = f.MarkDeprecated("profile", "use --preset (--profile names transport profiles elsewhere)")
	f.StringVar(&configFile, "config", "", "YAML file of mock settings, applied over --preset")
	f.StringVar(&caPath, "ca-out", "", "with --tls: where to write the CA certificate; a symbolic link there is refused (default: a new private directory in the temp dir, removed at exit)")
	f.BoolVar(&allowRemote, "allow-remote", false, "allow listening on a non-loopback address")
	f.BoolVar(&child, strings.TrimPrefix(mockproc.ChildFlag, "--"), false, "serve as a run's isolated backend (config on stdin; used by backend.isolation: process)")
	f.StringVar(&cpus, "cpus", "", "with --child: CPUs to pin the backend to, e.g. 1 or 2-3")
	_ = f.MarkHidden("child")
	_ = f.MarkHidden("cpus")
	return cmd
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
