// Package markdown renders results as markdown: REPORT.md (with a file per
// scenario beside it when the report would exceed MaxReportBytes), the
// comparison of two runs (oranbench compare), the GitHub Actions step
// summary, and as plain text the summary `oranbench run` prints last.
//
// It knows a document's claims only as an analysis.ClaimSet (ReportWith):
// the set's Title heads the verdicts and its Description introduces them,
// with the seed's set when none is given. Which figure leads a run's row
// follows its load model (results.Model.DecidingMetric).
//
// In the data flow YAML → Spec → Plan → runner → engine → results →
// analysis → render, it is a renderer: it writes what results holds and
// analysis derived, and links the files of packages plots and hgrm.
package markdown
