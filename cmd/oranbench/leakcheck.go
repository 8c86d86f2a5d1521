package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/oranbench/oranbench/internal/leakcheck"
	"github.com/oranbench/oranbench/reports/results"
)

func newLeakcheckCmd(stdout io.Writer) *cobra.Command {
	var (
		opts   leakcheck.Options
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "leakcheck",
		Short: "Cycle the watcher and every transport profile under load; exit 1 if any goroutine is left behind",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			for _, f := range []struct {
				name string
				v    int
			}{{"--cycles", opts.Cycles}, {"--requests", opts.Requests}, {"--concurrency", opts.Concurrency}} {
				if f.v < 1 {
					return usageErr("%s %d: want 1 or more", f.name, f.v)
				}
			}
			ctx := cmd.Context()
			fmt.Fprintf(cmd.ErrOrStderr(), "leakcheck: %d create/use/close cycles per subject (Ctrl-C stops early with a partial report)\n", opts.Cycles)
			rep, err := leakcheck.Run(ctx, opts)
			interrupted := ctx.Err() != nil
			if err != nil && !interrupted {
				// The error names the leak check already.
				return usageErr("%v", err)
			}
			if asJSON {
				enc := json.NewEncoder(stdout)
				enc.SetIndent("", "  ")
				if err := enc.Encode(rep); err != nil {
					return err
				}
			} else if err := printLeakcheck(stdout, rep); err != nil {
				return err
			}
			switch {
			case interrupted:
				fmt.Fprintln(stdout, "interrupted: the leak check is partial (the cycles above ran; the rest did not)")
				return &exitError{code: exitInterrupted, err: errors.New("interrupted: the leak check is partial")}
			case rep.Leaked():
				return &exitError{code: exitFailed, err: fmt.Errorf("leak: %d goroutine(s) outlived the cycles (stacks above)", len(rep.LeakedStacks))}
			case rep.Errors() > 0:
				return &exitError{code: exitFailed, err: errors.New("inconclusive: some cycles failed their work (see errors above)")}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.IntVar(&opts.Cycles, "cycles", leakcheck.DefaultCycles, "create/use/close cycles per subject (1 or more)")
	f.IntVar(&opts.Requests, "requests", leakcheck.DefaultRequests, "requests per transport cycle (1 or more)")
	f.IntVar(&opts.Concurrency, "concurrency", leakcheck.DefaultConcurrency, "workers per transport cycle (1 or more)")
	f.BoolVar(&opts.SkipWatcher, "skip-watcher", false, "leave the watcher out")
	f.BoolVar(&opts.SkipTransports, "skip-transports", false, "leave the transport profiles out")
	f.BoolVar(&asJSON, "json", false, "print the report as JSON")
	return cmd
}

func printLeakcheck(w io.Writer, r leakcheck.Report) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "SUBJECT\tCYCLES\tGOROUTINES BEFORE→AFTER\tCLOSE P50\tCLOSE P99\tWORK\tERRORS\tLEAKED\n")
	for _, p := range r.Phases {
		fmt.Fprintf(tw, "%s\t%d\t%d→%d\t%s\t%s\t%d\t%d\t%d\n", p.Name, p.Cycles, p.GoroutinesBefore, p.GoroutinesAfter,
			results.Dur(p.CloseP50), results.Dur(p.CloseP99), p.Work, p.Errors, len(p.LeakedStacks))
		if p.FirstError != "" {
			fmt.Fprintf(tw, "\tfirst error: %s\n", p.FirstError)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	planned := ""
	if r.Interrupted {
		planned = " planned, interrupted"
	}
	fmt.Fprintf(w, "whole run: %d cycles%s, goroutines %d→%d, heap %.1f→%.1f MiB, %s\n", r.Cycles,
		planned, r.GoroutinesBefore, r.GoroutinesAfter, float64(r.HeapBefore)/(1<<20), float64(r.HeapAfter)/(1<<20), r.Duration.Round(1e6))
	for _, s := range r.LeakedStacks {
		fmt.Fprintf(w, "\nleaked:\n%s\n", strings.TrimSpace(s))
	}
	if !r.Leaked() {
		fmt.Fprintln(w, "goroutine leaks: 0")
	}
	return nil
}
