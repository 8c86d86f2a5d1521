package mockproc

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/oranbench/oranbench/internal/cpuset"
	"github.com/oranbench/oranbench/mockbackend"
)

// Serve is the child's side, run by `oranbench mock --child [--cpus LIST]`:
// it pins the process to cpus (when given), reads the Config line from
// stdin, starts the backend and the control server, prints the ready line
// and serves until stdin closes: the parent closes it, or the parent died.
// Signals are the parent's business (the child runs in a process group of
// its own, so a terminal's SIGINT reaches only the parent, which then
// closes it). A failure before serving is printed as the ready line's
// error, so the parent can name it.
func Serve(stdin io.Reader, stdout io.Writer, cpus string) error {
	fail := func(err error) error {
		_ = json.NewEncoder(stdout).Encode(ready{Error: err.Error()})
		return err
	}
	in := bufio.NewReader(stdin)
	line, err := in.ReadBytes('\n')
	if err != nil {
		return fail(fmt.Errorf("read config: %w", err))
	}
	var cfg mockbackend.Config
	if err := json.Unmarshal(line, &cfg); err != nil {
		return fail(fmt.Errorf("decode config: %w", err))
	}
	if cpus != "" {
		if _, err := cpuset.Pin(cpus); err != nil {
			return fail(err)
		}
	}
	srv, err := mockbackend.Start(cfg)
	if err != nil {
		return fail(err)
	}
	defer srv.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fail(fmt.Errorf("control listener: %w", err))
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(srv.Stats())
	})
	mux.HandleFunc("POST /reset-peak", func(w http.ResponseWriter, _ *http.Request) {
		srv.ResetConnsPeak()
		w.WriteHeader(http.StatusNoContent)
	})
	control := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	served := make(chan error, 1)
	go func() { served <- control.Serve(ln) }()
	defer func() {
		_ = control.Close()
		<-served
	}()

	r := ready{URL: srv.URL(), Control: "http://" + ln.Addr().String()}
	if cpus != "" {
		r.CPUs, _ = cpuset.Current()
	}
	if cfg.TLS {
		r.CA = srv.CACertPEM()
	}
	if err := json.NewEncoder(stdout).Encode(r); err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, in) // returns when the parent closes stdin or dies
	if err := srv.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
		return err
	}
	return nil
}
