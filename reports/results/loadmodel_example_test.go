package results_test

import (
	"fmt"

	"github.com/oranbench/oranbench/reports/results"
)

// Which metric decides a run depends on its load model, and only on it.
func ExampleModel_DecidingMetric() {
	for _, m := range results.Models() {
		metric := m.DecidingMetric()
		better := "higher"
		if results.IsLatencyMetric(metric) {
			better = "lower"
		}
		fmt.Printf("%s: %s, %s is better\n", m, results.MetricHeader(metric), better)
	}
	// Output:
	// closed: req/s, higher is better
	// open: p50, lower is better
	// search: sustainable req/s, higher is better
	// storm: req/s, higher is better
	// soak: req/s, higher is better
}
