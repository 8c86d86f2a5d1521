package reports

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestResultsJSONRoundTrips(t *testing.T) {
	r := synthResults(t, 1, 1, spread5)
	r.Shard = &Shard{Index: 1, Count: 3}
	path := filepath.Join(t.TempDir(), ResultsFile)
	if err := WriteJSON(path, r); err != nil {
		t.Fatal(err)
	}
	back, err := ReadJSON(path)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(r)
	b, _ := json.Marshal(back)
	if !bytes.Equal(a, b) {
		t.Fatalf("results.json did not round-trip: %d bytes before, %d after", len(a), len(b))
	}
	// An empty map and a missing one encode alike; everything else must
	// survive as it was.
	x, y := r.Scenarios[0].Arms[1].Reps[2], back.Scenarios[0].Arms[1].Reps[2]
	if x.Latency != y.Latency || x.SuccessPerSec != y.SuccessPerSec || x.ServiceHDR != y.ServiceHDR || !reflect.DeepEqual(x.Series, y.Series) {
		t.Fatalf("a repetition changed in the round trip:\n%+v\n%+v", x, y)
	}
	if back.Shard == nil || *back.Shard != (Shard{Index: 1, Count: 3}) || back.Scenarios[1].Sweep.Points[3].Values[1] != "off" {
		t.Fatalf("shard %v or sweep point lost", back.Shard)
	}
}

func TestWriteAllWritesEveryFileAndReRendersFromResultsJSONAlone(t *testing.T) {
	r := synthResults(t, 1, 1, spread5)
	dir := t.TempDir()
	if err := WriteAll(dir, r); err != nil {
		t.Fatal(err)
	}
	want := []string{ResultsFile, ReportFile, BenchFile,
		"plots/seed-20-concurrent.percentiles.svg", "plots/seed-20-concurrent.reqps.svg", "plots/seed-20-concurrent.timeline.svg",
		"plots/conditions-sweep.ratio-tuned.svg",
		"hgrm/seed-20-concurrent.default.service.hgrm", "hgrm/seed-20-concurrent.tuned.service.hgrm",
		"hgrm/conditions-sweep_concurrency=50_tls=off.tuned.service.hgrm",
	}
	for _, f := range want {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s missing or empty: %v", f, err)
		}
	}
	md, err := os.ReadFile(filepath.Join(dir, ReportFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, link := range []string{"](plots/seed-20-concurrent.percentiles.svg)", "](plots/conditions-sweep.ratio-tuned.svg)",
		"[tuned service](hgrm/seed-20-concurrent.tuned.service.hgrm)"} {
		if !strings.Contains(string(md), link) {
			t.Errorf("REPORT.md lacks the link %q", link)
		}
	}

	// Re-render into a fresh directory from results.json alone.
	back, err := ReadResults(dir)
	if err != nil {
		t.Fatal(err)
	}
	again := t.TempDir()
	if err := WriteArtifacts(again, back); err != nil {
		t.Fatal(err)
	}
	for _, f := range want[1:] {
		a, _ := os.ReadFile(filepath.Join(dir, f))
		b, err := os.ReadFile(filepath.Join(again, f))
		if err != nil || !bytes.Equal(a, b) {
			t.Errorf("%s re-rendered from results.json differs (%d vs %d bytes): %v", f, len(a), len(b), err)
		}
	}
}

func TestEveryPlotIsWellFormedSVGWithItsTitle(t *testing.T) {
	r := synthResults(t, 1, 1, spread5)
	n := 0
	for _, s := range r.Scenarios {
		for _, pf := range Plots(s) {
			svg, err := RenderPlot(s, pf)
			if err != nil {
				t.Fatalf("%s: %v", pf.Path, err)
			}
			dec := xml.NewDecoder(bytes.NewReader(svg))
			var text strings.Builder
			for {
				tok, err := dec.Token()
				if err != nil {
					if err.Error() != "EOF" {
						t.Fatalf("%s is not well-formed XML: %v", pf.Path, err)
					}
					break
				}
				if cd, ok := tok.(xml.CharData); ok {
					text.Write(cd)
				}
			}
			if !strings.Contains(text.String(), pf.Title) {
				t.Errorf("%s does not show its title %q", pf.Path, pf.Title)
			}
			n++
		}
	}
	if n != 4 {
		t.Fatalf("drew %d plots, want 3 for the seed scenario and 1 ratio matrix for the sweep", n)
	}
}

func TestFileStemKeepsNamesReadableAndSafe(t *testing.T) {
	cases := map[string]string{
		"seed-20-concurrent":                "seed-20-concurrent",
		"conditions-sweep [rtt=5ms tls=on]": "conditions-sweep_rtt=5ms_tls=on",
		"rate=100/s":                        "rate=100_s",
		"../../etc/passwd":                  ".._.._etc_passwd",
		"tuned resume":                      "tuned_resume",
	}
	for in, want := range cases {
		if got := FileStem(in); got != want {
			t.Errorf("FileStem(%q) = %q, want %q", in, got, want)
		}
	}
}
