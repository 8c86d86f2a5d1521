package results_test

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/oranbench/oranbench/reports/results"
)

// F15: a write that fails (here ENOSPC, from /dev/full) returns the error
// and leaves no .tmp file behind.
func TestAFailedAtomicWriteLeavesNoTempFile(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("/dev/full, which fails every write with ENOSPC, is Linux's")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "REPORT.md")
	if err := os.Symlink("/dev/full", path+".tmp"); err != nil {
		t.Fatal(err)
	}
	if err := results.WriteFileAtomic(path, []byte("report")); err == nil {
		t.Fatal("a write to a full device succeeded")
	}
	if _, err := os.Lstat(path + ".tmp"); !os.IsNotExist(err) {
		t.Errorf("the temporary file is left behind: %v", err)
	}
	if _, err := os.Lstat(path); !os.IsNotExist(err) {
		t.Errorf("a failed write created %s: %v", path, err)
	}
}
