package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/oranbench/oranbench/scenarios"
	"github.com/oranbench/oranbench/scenarios/scenario"
)

func newScenariosCmd(stdout io.Writer) *cobra.Command {
	var reference bool
	cmd := &cobra.Command{
		Use:   "scenarios",
		Short: "List the built-in scenarios with their descriptions (--reference: every key of a scenario file)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if reference {
				return scenario.WriteReference(stdout)
			}
			all, err := scenarios.Builtins()
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tLOAD\tARMS\tDESCRIPTION")
			for _, s := range all {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.Name(), s.LoadText(), strings.Join(s.Arms(), ","), strings.Join(strings.Fields(s.Description()), " "))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&reference, "reference", false, "print the scenario reference (scenarios/REFERENCE.md): every YAML key with its type, default, valid values and an example")
	return cmd
}
