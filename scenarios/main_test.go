package scenarios

import (
	"fmt"
	"os"
	"testing"

	"go.uber.org/goleak"

	"github.com/oranbench/oranbench/internal/mockproc"
	"github.com/oranbench/oranbench/internal/soak"
)

// The test binary doubles as a process-isolated backend: started as
// `BIN mock --child [--cpus LIST]` (as scenarios start oranbench), it serves
// as `oranbench mock --child` does.
func TestMain(m *testing.M) {
	if len(os.Args) > 2 && os.Args[1] == "mock" && os.Args[2] == mockproc.ChildFlag {
		cpus := ""
		if len(os.Args) > 4 && os.Args[3] == "--cpus" {
			cpus = os.Args[4]
		}
		if err := mockproc.Serve(os.Stdin, os.Stdout, cpus); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		os.Exit(0)
	}
	if len(os.Args) > 1 && os.Args[1] == soak.ChildCommand { // a soak subject
		if err := ServeSoakChild(os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		os.Exit(0)
	}
	goleak.VerifyTestMain(m)
}
