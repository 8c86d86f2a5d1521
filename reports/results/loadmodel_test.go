package results

import (
	"encoding/json"
	"testing"
)

func TestEachModelIsDecidedByOneMetric(t *testing.T) {
	want := map[Model]string{
		ModelClosed: MetricReqPerSec,
		ModelOpen:   MetricP50,
		ModelSearch: MetricMaxRate,
		ModelStorm:  MetricReqPerSec,
		ModelSoak:   MetricReqPerSec,
	}
	for _, m := range Models() {
		if got := m.DecidingMetric(); got != want[m] {
			t.Errorf("%s.DecidingMetric() = %q, want %q", m, got, want[m])
		}
	}
	if len(Models()) != len(want) {
		t.Errorf("Models() lists %d models, want %d", len(Models()), len(want))
	}
}

func TestModelKeepsItsJSONName(t *testing.T) {
	b, err := json.Marshal(Conditions{Model: ModelOpen})
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		Model string `json:"model"`
	}
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Model != "open" {
		t.Errorf(`model written as %q, want "open"`, back.Model)
	}
}
