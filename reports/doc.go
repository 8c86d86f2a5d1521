// Package reports writes every artifact of an oranbench run. The work is
// done in its sub-packages, each with one concern, along one data flow:
//
//	YAML → Spec → Plan → runner → engine → results → analysis → render
//
// The packages:
//
//   - results: the result model, everything results.json holds, read and
//     written; the HdrHistogram codec; the raw merge of shards' figures;
//     the number formats every report shares.
//   - analysis: what the figures mean: statistics across repetitions,
//     ratios, thresholds, the claims and the recommendation, the comparison
//     of two runs. Finalize derives one run's figures, for the scenario
//     runner and for the merge of shards (MergeShards) alike.
//   - the renderers, each writing files from results and what analysis put
//     in them: markdown (REPORT.md, the comparison, the CI step summary),
//     plots (SVG), hgrm (percentile distributions, .hgrm) and benchfmt
//     (bench.txt for benchstat, JSON for github-action-benchmark).
//
// Imports go one way: results ← analysis ← renderers ← reports, where
// markdown imports plots and hgrm too, for the names of the files REPORT.md
// links. This package only writes a report directory by calling the
// renderers (WriteAll, WriteArtifacts), so that `oranbench report`
// re-renders one from its results.json.
package reports
