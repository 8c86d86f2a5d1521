package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// F15: the mock printed "listening" and then failed on --ca-out; F12: an
// explicit --ca-out that is a symbolic link was written through. Each
// failure is now one line with exit 2 before anything is printed, and the
// link's target is left alone.
func TestMockFailsBeforeListeningWithOneLine(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim")
	if err := os.WriteFile(victim, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "ca.pem")
	if err := os.Symlink(victim, link); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		want []string
	}{
		{"an unwritable --ca-out", []string{"--tls", "--ca-out", filepath.Join(dir, "missing", "ca.pem")},
			[]string{"--ca-out", "missing", "no such file", "valid:"}},
		{"a --ca-out that is a symbolic link", []string{"--tls", "--ca-out", link},
			[]string{"--ca-out", link, "symbolic link"}},
		{"a --ca-out without --tls", []string{"--ca-out", filepath.Join(dir, "x.pem")},
			[]string{"--ca-out", "plain HTTP", "--tls"}},
		{"an rtt of 100000h", []string{"--rtt", "100000h"},
			[]string{"rtt", "100000h0m0s", "from 0 to 1m0s"}},
		{"a latency over a minute", []string{"--latency", "2m"},
			[]string{"latency", "2m0s", "from 0 to 1m0s"}},
		{"a --kubeconfig-out without --tls", []string{"--kubeconfig-out", filepath.Join(dir, "kc")},
			[]string{"--kubeconfig-out", "plain HTTP", "--tls"}},
		{"a --kubeconfig-out that is a symbolic link", []string{"--tls", "--kubeconfig-out", link},
			[]string{"--kubeconfig-out", link, "symbolic link"}},
		{"an empty --token", []string{"--token", ""},
			[]string{"--token", "non-empty"}},
		{"a --client-ca without --tls", []string{"--client-ca", filepath.Join(dir, "ca.pem")},
			[]string{"clientCAFile", "tls"}},
		{"a --client-ca that holds no certificate", []string{"--tls", "--client-ca", victim},
			[]string{"clientCAFile", "no PEM certificate"}},
		{"a negative --max-requests-inflight", []string{"--max-requests-inflight", "-1"},
			[]string{"maxRequestsInflight", "-1", "0 = unlimited", "400"}},
		{"an --apiserver-inflight-scale of 0", []string{"--apiserver-inflight-scale", "0"},
			[]string{"--apiserver-inflight-scale", "above 0"}},
		{"an --apiserver-inflight-scale with a limit", []string{"--apiserver-inflight-scale", "0.5", "--max-mutating-requests-inflight", "5"},
			[]string{"--apiserver-inflight-scale", "--max-mutating-requests-inflight", "alone"}},
		// --profile was --preset's name before any release: not kept.
		{"the --profile of before the rename", []string{"--profile", "flaky"},
			[]string{"unknown flag: --profile"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := runMockBounded(t, append([]string{"mock", "--listen", "127.0.0.1:0"}, c.args...)...)
			if code != exitUsage {
				t.Fatalf("exit %d, want %d; stdout %q stderr %q", code, exitUsage, out, errOut)
			}
			if out != "" {
				t.Errorf("stdout %q, want nothing (no \"listening\" before a failure)", out)
			}
			if n := strings.Count(strings.TrimSpace(errOut), "\n"); n != 0 {
				t.Errorf("want one error line, got %d:\n%s", n+1, errOut)
			}
			for _, w := range c.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr %q lacks %q", errOut, w)
				}
			}
		})
	}
	if b, _ := os.ReadFile(victim); string(b) != "keep" {
		t.Errorf("the symlink's target now holds %q, want it untouched", b)
	}
}

// runMockBounded is run for a command that may start serving: were it to
// start instead of failing, it stops after a few seconds rather than
// holding the test until SIGINT.
func runMockBounded(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	var o, e bytes.Buffer
	root := newRoot(&o, &e)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK, o.String(), e.String()
	}
	fmt.Fprintf(&e, "oranbench: %v\n", err) // as execute prints it
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code, o.String(), e.String()
	}
	return exitUsage, o.String(), e.String()
}

// mockRun is a `mock` command running until stop.
type mockRun struct {
	lines  chan string // stdout, line by line; closed at the end
	done   chan error
	cancel context.CancelFunc
}

// startMock runs `oranbench mock args...` in this process and reads its
// stdout until the printed curl line.
func startMock(t *testing.T, args ...string) (m *mockRun, printed []string) {
	t.Helper()
	return startMockErr(t, io.Discard, args...)
}

// startMockErr is startMock writing the command's stderr to stderr.
func startMockErr(t *testing.T, stderr io.Writer, args ...string) (m *mockRun, printed []string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	m = &mockRun{lines: make(chan string, 64), done: make(chan error, 1), cancel: cancel}
	root := newRoot(pw, stderr)
	root.SetArgs(append([]string{"mock"}, args...))
	go func() {
		err := root.ExecuteContext(ctx)
		pw.Close()
		m.done <- err
	}()
	go func() {
		defer close(m.lines)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			m.lines <- sc.Text()
		}
	}()
	t.Cleanup(func() { m.stop(t) })
	timeout := time.After(30 * time.Second)
	for {
		select {
		case l, ok := <-m.lines:
			if !ok {
				t.Fatalf("mock ended before printing its curl line; printed %q", printed)
			}
			printed = append(printed, l)
			if strings.HasPrefix(l, "try: curl") {
				return m, printed
			}
		case <-timeout:
			t.Fatalf("no curl line within 30s; printed %q", printed)
		}
	}
}

// stop ends the mock and waits for it; a second call does nothing.
func (m *mockRun) stop(t *testing.T) {
	t.Helper()
	if m.cancel == nil {
		return
	}
	m.cancel()
	m.cancel = nil
	for range m.lines {
	}
	if err := <-m.done; err != nil {
		t.Errorf("mock: %v", err)
	}
}

// F12: without --ca-out every mock wrote its CA to one fixed temp path: a
// second mock overwrote the first's CA, and a symbolic link planted there
// was followed. Each mock now writes a new file in a private directory of
// its own, names that file in its curl line, and removes it at exit.
func TestMockWritesItsCAToANewFileOfItsOwn(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	victim := filepath.Join(tmp, "victim")
	if err := os.WriteFile(victim, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, filepath.Join(tmp, "oranbench-mock-ca.pem")); err != nil {
		t.Fatal(err)
	}
	caOf := func(printed []string) string {
		t.Helper()
		var ca string
		for _, l := range printed {
			if p, ok := strings.CutPrefix(l, "CA certificate: "); ok {
				ca = p
			}
		}
		if ca == "" {
			t.Fatalf("no CA path printed in %q", printed)
		}
		if !strings.Contains(printed[len(printed)-1], "--cacert "+ca+" ") {
			t.Errorf("curl line %q does not name the CA written, %s", printed[len(printed)-1], ca)
		}
		if !strings.HasPrefix(printed[0], "mock backend listening on https://") {
			t.Errorf("first line %q, want the listening line", printed[0])
		}
		return ca
	}
	first, p1 := startMock(t, "--tls", "--listen", "127.0.0.1:0")
	second, p2 := startMock(t, "--tls", "--listen", "127.0.0.1:0")
	ca1, ca2 := caOf(p1), caOf(p2)
	if ca1 == ca2 {
		t.Fatalf("both mocks wrote their CA to %s", ca1)
	}
	pems := map[string][]byte{}
	for _, ca := range []string{ca1, ca2} {
		if filepath.Dir(filepath.Dir(ca)) != tmp {
			t.Errorf("CA %s is not in a directory of its own under TMPDIR %s", ca, tmp)
		}
		fi, err := os.Stat(filepath.Dir(ca))
		if err != nil {
			t.Fatal(err)
		}
		if perm := fi.Mode().Perm(); perm != 0o700 {
			t.Errorf("CA directory mode %v, want 0700", perm)
		}
		b, err := os.ReadFile(ca)
		if err != nil {
			t.Fatal(err)
		}
		if blk, _ := pem.Decode(b); blk == nil || blk.Type != "CERTIFICATE" {
			t.Errorf("%s holds no PEM certificate", ca)
		}
		pems[ca] = b
	}
	if bytes.Equal(pems[ca1], pems[ca2]) {
		t.Errorf("the two mocks' CA files are the same certificate")
	}
	if b, _ := os.ReadFile(victim); string(b) != "keep" {
		t.Errorf("the planted link's target now holds %q, want it untouched", b)
	}
	first.stop(t)
	if _, err := os.Stat(filepath.Dir(ca1)); !os.IsNotExist(err) {
		t.Errorf("the first mock's CA directory is left after it exited (stat: %v)", err)
	}
	if b, err := os.ReadFile(ca2); err != nil || !bytes.Equal(b, pems[ca2]) {
		t.Errorf("the second mock's CA changed when the first exited (err %v)", err)
	}
	second.stop(t)
}
