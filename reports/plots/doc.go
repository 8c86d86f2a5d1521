// Package plots draws a run's SVG plots: latency by percentile (on
// HdrHistogram's percentile axis), req/s per repetition, latency over time,
// a one-parameter sweep's ratio against the swept value as lines with
// intervals, and a sweep over more parameters as a heat map with its colour
// scale.
//
// In the data flow YAML → Spec → Plan → runner → engine → results →
// analysis → render, it is a renderer that reads package results only.
package plots
