package watcher

import (
	"os"
	"testing"

	"go.uber.org/goleak"
)

// The test binary doubles as a watcher process for the crash test: started
// with crashChildEnv set, it runs a watcher (see runCrashChild) instead of
// the tests.
func TestMain(m *testing.M) {
	if os.Getenv(crashChildEnv) != "" {
		os.Exit(runCrashChild())
	}
	goleak.VerifyTestMain(m)
}
