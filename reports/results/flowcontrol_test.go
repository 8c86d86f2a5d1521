package results_test

import (
	"testing"

	"github.com/oranbench/oranbench/reports/results"
)

// The flow-control refusals of repetitions and shards add up like the
// server's other counts.
func TestAddCountsAddsFlowControlRefusals(t *testing.T) {
	got := results.AddCounts([]results.Summary{
		{Server: results.ServerConns{Known: true, InflightRejectedReadOnly: 3, InflightRejectedMutating: 1}},
		{Server: results.ServerConns{Known: true, InflightRejectedReadOnly: 4}},
	})
	if got.Server.InflightRejectedReadOnly != 7 || got.Server.InflightRejectedMutating != 1 {
		t.Errorf("server = %+v, want 7 read-only and 1 mutating refusals", got.Server)
	}
}
