package markdown

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oranbench/oranbench/reports/internal/synth"
)

func TestStepSummaryAppendsTheVerdictAndArmTables(t *testing.T) {
	r := synth.Results(t, 1, 1, synth.Spread5)
	path := filepath.Join(t.TempDir(), "step_summary.md")
	if err := os.WriteFile(path, []byte("earlier step\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := AppendStepSummary(path, r); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := string(b)
	if !strings.HasPrefix(out, "earlier step\n") || strings.Count(out, "# oranbench\n") != 2 {
		t.Fatalf("summary was not appended twice after the earlier content:\n%s", out)
	}
	for _, want := range []string{"## Seed claims", "## Verdict", "**seed-20-concurrent**", "| `seed-20-concurrent` | `default` | 1,000 [990 – 1,010] |", "2 CPUs (Test CPU)"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "](#claim-") {
		t.Error("the summary links claim sections it does not have")
	}
	if strings.Contains(out, "### Repetitions") {
		t.Error("the summary should stay short: no per-repetition tables")
	}
}

func TestStepSummaryWithoutAPathWritesNothing(t *testing.T) {
	dir := t.TempDir()
	if err := AppendStepSummary("", synth.Results(t, 1, 1, synth.Spread5)); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 0 {
		t.Fatalf("files written: %v (%v)", entries, err)
	}
	if err := AppendStepSummary(filepath.Join(dir, "missing", "summary.md"), synth.Results(t, 1, 1, synth.Spread5)); err == nil ||
		!strings.Contains(err.Error(), StepSummaryEnv) {
		t.Fatalf("an unwritable summary file must name %s: %v", StepSummaryEnv, err)
	}
}
