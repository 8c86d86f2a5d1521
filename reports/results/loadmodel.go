package results

// Model names a load model: how a scenario offers load. Scenarios, the load
// engine and the reports share this one type; its JSON value is the name
// ("closed", "open", ...), as results.json has always recorded it.
//
// It lives here, in the results model, because every package that needs it
// may import results (cmd → scenarios → {engine, targets, mockbackend} →
// reports) while results imports none of them. The engine accepts only the
// two models it schedules itself (ModelClosed and ModelOpen); the others are
// built by scenarios from those two.
type Model string

// Load models.
const (
	ModelClosed Model = "closed" // fixed concurrency
	ModelOpen   Model = "open"   // arrival rate
	ModelSearch Model = "search" // highest sustainable arrival rate per arm
	ModelStorm  Model = "storm"  // intent files through the watcher into Porch
	ModelSoak   Model = "soak"   // a steady open load held while resources are sampled
)

// Models lists every load model in the order documentation names them.
func Models() []Model {
	return []Model{ModelClosed, ModelOpen, ModelSearch, ModelStorm, ModelSoak}
}

// DecidingMetric is the Stats metric that decides which arm of a run of
// model m did better: under an open load the offered rate sets req/s, so
// the median latency decides (MetricP50, lower is better, see
// IsLatencyMetric); a search decides by the highest rate each arm sustains
// (MetricMaxRate); every other model by throughput (MetricReqPerSec).
func (m Model) DecidingMetric() string {
	switch m {
	case ModelOpen:
		return MetricP50
	case ModelSearch:
		return MetricMaxRate
	}
	return MetricReqPerSec
}
