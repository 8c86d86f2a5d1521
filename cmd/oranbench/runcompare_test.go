package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
)

// runCompare is compare without cobra: a test gets its exit code from the
// options alone.
func TestRunCompareWithoutTheCommandLine(t *testing.T) {
	example := "../../reports/examples"
	base := compareOptions{args: []string{example, example}, tolerance: "5%", method: "bh", rounds: 4}
	var out, errOut bytes.Buffer
	if err := runCompare(context.Background(), base, &out, &errOut); err != nil {
		t.Fatalf("the example against itself: %v (stderr %q)", err, errOut.String())
	}
	if !strings.Contains(out.String(), "seed-20-concurrent") {
		t.Fatalf("the comparison names no scenario of the example:\n%s", out.String())
	}
	for _, c := range []struct {
		name string
		edit func(*compareOptions)
	}{
		{"NaN tolerance", func(o *compareOptions) { o.tolerance = "NaN%" }},
		{"unknown method", func(o *compareOptions) { o.method = "fdr" }},
		{"--aa with --rerun", func(o *compareOptions) { o.aa, o.rerun = true, true }},
		{"a missing NEW", func(o *compareOptions) { o.args = []string{example, t.TempDir()} }},
	} {
		o := base
		c.edit(&o)
		err := runCompare(context.Background(), o, &out, &errOut)
		var ee *exitError
		if !errors.As(err, &ee) || ee.code != exitUsage {
			t.Errorf("%s: err = %v, want exit %d", c.name, err, exitUsage)
		}
	}
}
