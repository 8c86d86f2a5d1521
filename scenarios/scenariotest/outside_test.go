package scenariotest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// An operator's own module (its own go.mod, replace to this checkout)
// registers a factory with transport.FromFunc, runs a YAML scenario with arms
// [default, mine] through scenarios.Parse and scenarios.Run, and gets "mine"
// measured, its requests going through its own RoundTripper.
func TestAnOutsideModuleMeasuresItsOwnFactory(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a module: not in -short")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	_, here, _, _ := runtime.Caller(0)
	root := filepath.Clean(filepath.Join(filepath.Dir(here), "..", ".."))
	dir := t.TempDir()
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	goVersion := "1.26"
	for _, l := range strings.Split(string(gomod), "\n") {
		if v, ok := strings.CutPrefix(l, "go "); ok {
			goVersion = strings.TrimSpace(v)
		}
	}
	write("go.mod", "module example.com/operator\n\ngo "+goVersion+"\n\nrequire github.com/oranbench/oranbench v0.0.0\n\nreplace github.com/oranbench/oranbench => "+root+"\n")
	// The harness's own go.sum covers every module the operator pulls in.
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	write("go.sum", string(sum))
	write("main.go", `package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"os"
	"sync/atomic"

	"github.com/oranbench/oranbench/scenarios"
	"github.com/oranbench/oranbench/targets/transport"
)

// ourTransport is the operator's own RoundTripper (here: counting).
type ourTransport struct {
	next *http.Transport
	n    *atomic.Int64
}

func (o ourTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	o.n.Add(1)
	return o.next.RoundTrip(r)
}

func (o ourTransport) CloseIdleConnections() { o.next.CloseIdleConnections() }

func main() {
	var n atomic.Int64
	reg := transport.NewRegistry()
	if err := reg.Register(transport.FromFunc("mine", "the operator's factory", func(c *tls.Config) http.RoundTripper {
		return ourTransport{next: transport.DefaultTransport(c), n: &n}
	})); err != nil {
		fmt.Println(err)
		os.Exit(2)
	}
	s, err := scenarios.Parse("mine.yaml", []byte("apiVersion: oranbench/v1\nkind: Scenario\nname: mine\nbackend: {tls: true}\nmix: [{route: a1.policy.get}]\nload: {model: closed, concurrency: 2}\narms: [default, mine]\nduration: 150ms\nrepetitions: 1\n"), reg)
	if err != nil {
		fmt.Println(err)
		os.Exit(2)
	}
	res, err := scenarios.Run(context.Background(), s, scenarios.Options{})
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	mine := res.Arms[1]
	fmt.Printf("arm=%s requests=%d through=%d\n", mine.Name, mine.Total.Requests, n.Load())
}
`)
	cmd := exec.Command(goBin, "run", ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go run: %v\n%s", err, out)
	}
	var arm string
	var requests, through int64
	line := strings.TrimSpace(string(out))
	if i := strings.LastIndex(line, "\n"); i >= 0 {
		line = line[i+1:]
	}
	if _, err := fmtSscanf(line, &arm, &requests, &through); err != nil || arm != "mine" || requests == 0 || through < requests {
		t.Fatalf("the outside module printed %q (%v): want mine measured, every request through its RoundTripper", out, err)
	}
	t.Logf("outside module: %s", line)
}

func fmtSscanf(line string, arm *string, requests, through *int64) (int, error) {
	return fmt.Sscanf(line, "arm=%s requests=%d through=%d", arm, requests, through)
}
