package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

// Exit codes.
const (
	exitOK          = 0
	exitFailed      = 1 // a threshold failed or a regression was found
	exitUsage       = 2 // bad usage, bad scenario, unreachable target
	exitInterrupted = 130
)

// exitError carries the process exit code with the error to print.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func usageErr(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

// execute runs the CLI with args and returns the process exit code.
func execute(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root := newRoot(stdout, stderr)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	// One line, always: a joined error's lines are joined with "; ".
	fmt.Fprintf(stderr, "oranbench: %s\n", errLine(err))
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	// Errors cobra raises itself (unknown flag or command) are usage errors.
	return exitUsage
}

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "oranbench",
		Short: "Load-test HTTP transports against an O-RAN / Porch mock backend",
		Long: `oranbench measures whether a tuned http.Transport beats the default one for the
backends an O-RAN / Nephio intent operator calls (A1, E2, Porch, RAG, LLM), with
vegeta attacks recorded in HdrHistograms, and writes a markdown report.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(newRunCmd(stdout, stderr), newScenariosCmd(stdout), newAttackCmd(stdout), newMockCmd(stdout), newLeakcheckCmd(stdout),
		newCompareCmd(stdout), newReportCmd(stdout), newSoakCmd(stdout, stderr), newSoakChildCmd())
	return root
}
