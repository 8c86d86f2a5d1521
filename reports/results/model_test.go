package results_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/oranbench/oranbench/reports/internal/synth"
	"github.com/oranbench/oranbench/reports/results"
)

func TestClientConnsNameTheirProtocols(t *testing.T) {
	tests := []struct {
		protocols map[string]int64
		want      string
	}{
		{nil, ""},
		{map[string]int64{results.ProtoHTTP2: 5}, "HTTP/2.0"},
		{map[string]int64{results.ProtoHTTP11: 1, results.ProtoHTTP2: 3}, "HTTP/2.0 75.0%, HTTP/1.1 25.0%"},
	}
	for _, tt := range tests {
		if got := (results.ClientConns{Protocols: tt.protocols}).Protocol(); got != tt.want {
			t.Errorf("Protocol(%v) = %q, want %q", tt.protocols, got, tt.want)
		}
	}
}

func TestResultsJSONRoundTrips(t *testing.T) {
	r := synth.Results(t, 1, 1, synth.Spread5)
	r.Shard = &results.Shard{Index: 1, Count: 3}
	path := filepath.Join(t.TempDir(), results.ResultsFile)
	if err := results.WriteJSON(path, r); err != nil {
		t.Fatal(err)
	}
	back, err := results.ReadJSON(path)
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
	if back.Shard == nil || *back.Shard != (results.Shard{Index: 1, Count: 3}) || back.Scenarios[1].Sweep.Points[3].Values[1] != "off" {
		t.Fatalf("shard %v or sweep point lost", back.Shard)
	}
}

func TestReadJSONRejectsAnotherSchemaVersion(t *testing.T) {
	path := filepath.Join(t.TempDir(), "results.json")
	r := synth.Fixture()
	r.SchemaVersion = 99
	if err := results.WriteJSON(path, r); err != nil {
		t.Fatal(err)
	}
	if _, err := results.ReadJSON(path); err == nil || !strings.Contains(err.Error(), "schemaVersion 99") {
		t.Fatalf("err = %v, want a schemaVersion error", err)
	}
}

func TestACorruptResultsFileNamesTheFileAndWhereItBreaks(t *testing.T) {
	dir := t.TempDir()
	good := synth.Results(t, 1, 1, synth.Spread5)
	path := filepath.Join(dir, "results.json")
	if err := results.WriteJSON(path, good); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		data []byte
		want []string
	}{
		{"truncated", b[:len(b)/2], []string{path, "byte", "truncated"}},
		{"a wrong type", []byte(strings.Replace(string(b), `"numCPU": 2`, `"numCPU": "two"`, 1)), []string{path, "field machine.numCPU", "string"}},
		{"empty", nil, []string{path, "empty file"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := os.WriteFile(path, c.data, 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := results.ReadRuns(dir)
			for _, w := range c.want {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("error %v lacks %q", err, w)
				}
			}
		})
	}
}

// TestTheMockPresetIsStoredUnderItsOwnName: the mock's behaviour preset was
// stored as "mockProfile", a name transport profiles also use; it is
// "mockPreset", and the committed example reads back with it.
func TestTheMockPresetIsStoredUnderItsOwnName(t *testing.T) {
	b, err := json.Marshal(results.Conditions{MockPreset: "flaky"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"mockPreset":"flaky"`) || strings.Contains(string(b), "mockProfile") {
		t.Fatalf("conditions encode as %s, want the preset under mockPreset", b)
	}
	ex, err := results.ReadJSON(filepath.Join("..", "examples", results.ResultsFile))
	if err != nil {
		t.Fatal(err)
	}
	presets := map[string]string{}
	for _, s := range ex.Scenarios {
		if s.Conditions.MockPreset != "" {
			presets[s.Name] = s.Conditions.MockPreset
		}
	}
	if want := map[string]string{"mixed-oran": "realistic", "soak": "flaky"}; !reflect.DeepEqual(presets, want) {
		t.Fatalf("the example's presets read as %v, want %v", presets, want)
	}
}
