// Package hgrm writes and parses percentile distributions in HdrHistogram's
// .hgrm layout (as wrk2 prints them), one file per arm of a run.
//
// In the data flow YAML → Spec → Plan → runner → engine → results →
// analysis → render, it is a renderer that reads package results only.
package hgrm
