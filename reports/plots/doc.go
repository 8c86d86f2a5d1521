// Package plots draws a run's SVG plots: latency by percentile, req/s per
// repetition, latency over time, and a sweep's ratio matrix.
//
// In the data flow YAML → Spec → Plan → runner → engine → results →
// analysis → render, it is a renderer that reads package results only.
package plots
