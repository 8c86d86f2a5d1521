package mockproc

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/oranbench/oranbench/internal/cpuset"
	"github.com/oranbench/oranbench/mockbackend"
)

// The test binary plays both roles: with MOCKPROC_ROLE=child it is the
// backend child (as `oranbench mock --child` is), with MOCKPROC_ROLE=parent
// a parent that starts a child, prints its pid and waits to be killed.
func TestMain(m *testing.M) {
	switch os.Getenv("MOCKPROC_ROLE") {
	case "child":
		cpus := ""
		for i, a := range os.Args {
			if a == "--cpus" && i+1 < len(os.Args) {
				cpus = os.Args[i+1]
			}
		}
		if err := Serve(os.Stdin, os.Stdout, cpus); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		os.Exit(0)
	case "parent":
		p, err := Start(childOptions(mockbackend.Config{Listen: "127.0.0.1:0"}))
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(2)
		}
		fmt.Println(p.Pid())
		time.Sleep(time.Minute) // killed by the test long before
		os.Exit(0)
	}
	goleak.VerifyTestMain(m)
}

func childOptions(cfg mockbackend.Config) Options {
	return Options{Binary: os.Args[0], Args: []string{"-test.run=^$"}, Config: cfg,
		Env: append(os.Environ(), "MOCKPROC_ROLE=child")}
}

// alive reports whether a process with this pid still exists (and is not a
// zombie waiting to be reaped: Start's owner reaps its children).
func alive(pid int) bool {
	if runtime.GOOS == "linux" {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			return false
		}
		// The state follows the command name in parentheses.
		s := string(b)
		return !strings.HasPrefix(strings.TrimSpace(s[strings.LastIndexByte(s, ')')+1:]), "Z")
	}
	return syscall.Kill(pid, 0) == nil
}

func TestAChildServesCountsAndIsReapedOnClose(t *testing.T) {
	p, err := Start(childOptions(mockbackend.Config{Listen: "127.0.0.1:0", TLS: true}))
	if err != nil {
		t.Fatal(err)
	}
	pid := p.Pid()
	if pid == os.Getpid() || !strings.HasPrefix(p.URL(), "https://127.0.0.1:") {
		t.Fatalf("pid %d url %q", pid, p.URL())
	}
	tr := &http.Transport{TLSClientConfig: p.ClientTLSConfig()}
	client := &http.Client{Transport: tr, Timeout: 5 * time.Second}
	for range 3 {
		route, _ := mockbackend.LookupRoute("a1.types.list")
		resp, err := client.Get(p.URL() + route.Fill())
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	tr.CloseIdleConnections()
	ctx := context.Background()
	st, err := p.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The control server's own requests are not the backend's.
	if st.Requests != 3 || st.ConnsAccepted != 1 || st.TLSHandshakes != 1 {
		t.Fatalf("child counted %d requests on %d connections (%d handshakes), want 3 on 1 (1)", st.Requests, st.ConnsAccepted, st.TLSHandshakes)
	}
	if err := p.ResetConnsPeak(ctx); err != nil {
		t.Fatal(err)
	}
	if st, _ := p.Stats(ctx); st.Requests != 3 {
		t.Fatalf("stats changed to %d requests by being read", st.Requests)
	}
	if _, died := p.Died(); died {
		t.Fatal("a serving child reported dead")
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if alive(pid) {
		t.Fatalf("child %d still exists after Close", pid)
	}
}

func TestAChildThatCannotStartIsReapedAndItsCauseNamed(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, err = Start(childOptions(mockbackend.Config{Listen: ln.Addr().String()}))
	if err == nil || !strings.Contains(err.Error(), "address already in use") {
		t.Fatalf("err = %v, want one naming the port in use", err)
	}
	_, err = Start(Options{Binary: "/nonexistent/oranbench"})
	if err == nil || !strings.Contains(err.Error(), "/nonexistent/oranbench") {
		t.Fatalf("err = %v, want one naming the missing binary", err)
	}
	if !cpuset.Supported {
		return
	}
	opt := childOptions(mockbackend.Config{Listen: "127.0.0.1:0"})
	opt.CPUs = "9999"
	if _, err = Start(opt); err == nil || !strings.Contains(err.Error(), "9999") {
		t.Fatalf("err = %v, want one naming the CPUs that cannot be had", err)
	}
}

func TestAChildPinsItselfToItsCPUs(t *testing.T) {
	if !cpuset.Supported {
		t.Skip("CPU pinning needs Linux sched_setaffinity; this is " + runtime.GOOS)
	}
	opt := childOptions(mockbackend.Config{Listen: "127.0.0.1:0"})
	opt.CPUs = "0"
	p, err := Start(opt)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if p.CPUs() != "0" {
		t.Fatalf("child runs on CPUs %q, want 0", p.CPUs())
	}
}

func TestADeadChildIsReportedWithTheTime(t *testing.T) {
	p, err := Start(childOptions(mockbackend.Config{Listen: "127.0.0.1:0"}))
	if err != nil {
		t.Fatal(err)
	}
	before := time.Now()
	if err := syscall.Kill(p.Pid(), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		if at, died := p.Died(); died {
			if at.Before(before) {
				t.Fatalf("died at %v, before it was killed at %v", at, before)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a killed child is not reported dead")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := p.Stats(context.Background()); err == nil {
		t.Fatal("stats of a dead child succeeded")
	}
	_ = p.Close()
}

// A parent killed mid-run (SIGKILL: no deferred Close runs) leaves no child.
func TestNoChildOutlivesAKilledParent(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the parent-death signal is Linux's; elsewhere the child relies on its stdin closing")
	}
	parent := exec.Command(os.Args[0], "-test.run=^$")
	parent.Env = append(os.Environ(), "MOCKPROC_ROLE=parent")
	out, err := parent.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := parent.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		_ = parent.Process.Kill()
		_ = parent.Wait()
		t.Fatal(err)
	}
	child, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		_ = parent.Process.Kill()
		_ = parent.Wait()
		t.Fatalf("parent said %q", line)
	}
	if !alive(child) {
		t.Fatalf("child %d is not running while its parent is", child)
	}
	if err := parent.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	var exit *exec.ExitError
	if err := parent.Wait(); !errors.As(err, &exit) {
		t.Fatalf("parent: %v", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for alive(child) {
		if time.Now().After(deadline) {
			_ = syscall.Kill(child, syscall.SIGKILL)
			t.Fatalf("child %d outlived its killed parent by 10 s", child)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
