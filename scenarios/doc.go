// Package scenarios runs scenarios: it turns a Plan (package scenario, the
// language) into measured results.
//
//	YAML ──scenario.Parse──▶ Plan ──Run──▶ results.Scenario
//
// Parse, NewPlan, Load and the language's types are re-exported here
// (language.go), so that a program that runs a scenario from Go needs one
// import: scenarios.Parse, then scenarios.Run.
//
// The runner is functions over a Plan, not its methods: Run starts the
// backend (backend.go: in-process, a child process on CPUs of its own, or
// an external target), prepares the objects the mix reads, and for each
// repetition drives every arm through the load engine (internal/engine) in
// interleaved order, one fresh transport per arm-repetition (run.go's
// pointRun and attack). Each load model has its runner in a file of its own,
// model_<name>.go, beside the language's model_<name>.go in package
// scenario; search.go, storm.go and soak.go hold the longer ones. The
// figures it returns are finalized by the reports packages (statistics,
// thresholds) and rendered by them.
package scenarios
