package main

import (
	"os"
	"testing"

	"go.uber.org/goleak"

	"github.com/oranbench/oranbench/internal/mockproc"
	"github.com/oranbench/oranbench/internal/soak"
)

// cliEnv set to 1 makes the test binary run as the oranbench command.
const cliEnv = "ORANBENCH_TEST_AS_CLI"

// Runs of process-isolated scenarios start this binary as `BIN mock
// --child`; the test binary then serves as oranbench itself would.
func TestMain(m *testing.M) {
	if len(os.Args) > 2 && os.Args[1] == "mock" && os.Args[2] == mockproc.ChildFlag || len(os.Args) > 1 && os.Args[1] == soak.ChildCommand {
		os.Exit(execute(os.Args[1:], os.Stdout, os.Stderr))
	}
	// Tests that signal a whole oranbench process run this binary as one.
	if os.Getenv(cliEnv) == "1" {
		os.Exit(execute(os.Args[1:], os.Stdout, os.Stderr))
	}
	goleak.VerifyTestMain(m)
}
