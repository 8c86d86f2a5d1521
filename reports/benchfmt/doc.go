// Package benchfmt writes a run in benchmark formats: bench.txt in the Go
// benchmark format (for benchstat) and the JSON files of
// github-action-benchmark.
//
// In the data flow YAML → Spec → Plan → runner → engine → results →
// analysis → render, it is a renderer that reads package results only.
package benchfmt
