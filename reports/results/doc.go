// Package results is the result model of an oranbench run: every type that
// results.json holds (scenarios, arms, repetitions, histograms, and the
// statistics, ratios, thresholds and claims as evaluated), reading and
// writing that file, the HdrHistogram codec, and the raw merge of shards'
// figures (MergeRaw, ArmTotal, AddCounts). It computes no derived figure; it
// also holds the number formats (Dur, Pct, Times, ...) that every report
// shares, so that a figure reads the same wherever it appears.
//
// It also names the load model (Model: closed, open, search, storm, soak),
// the one type scenarios, the engine and the reports share, with the rule
// for the metric that decides a run (Model.DecidingMetric), and the
// vocabulary the results are recorded in: the transport profile names
// (ProfileDefault, ...) and protocol names (ProtoHTTP11, ProtoHTTP2).
//
// In the data flow YAML → Spec → Plan → runner → engine → results →
// analysis → render, it is what the runner fills and every later step
// reads. It imports no other reports package.
package results
