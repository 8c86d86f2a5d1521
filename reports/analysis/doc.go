// Package analysis derives what a run's figures mean: statistics across
// repetitions (medians with distribution-free intervals, Mann-Whitney U),
// each arm's ratio to the baseline, the threshold language and its
// verdicts, the verdicts on a document's claims, the recommendation, and the
// comparison of two runs or builds. Finalize derives one run's figures; the
// scenario runner and the shard merge (MergeShards) both call it.
//
// A document's claims are a ClaimSet. Set writes one as data, each claim's
// text with a Rule over the general runs API (Runs, Run, Pair, CompareArms,
// ArmRatio, DialShare, ProtocolOf); Seed, the seed's results document, is
// one such set, in the seed*.go files, and Claims judges it. Nothing else
// in the package knows a particular claim.
//
// Where a rule ranks arms or compares them, it does so on the metric the
// run's load model says decides it (results.Model.DecidingMetric), so the
// ratios, the claims and the recommendation agree on what "better" means.
//
// In the data flow YAML → Spec → Plan → runner → engine → results →
// analysis → render, it reads and fills package results' model and writes
// no file; the renderers show what it derived.
package analysis
