// Package markdown renders results as markdown: REPORT.md, the comparison
// of two runs (oranbench compare) and the GitHub Actions step summary.
//
// In the data flow YAML → Spec → Plan → runner → engine → results →
// analysis → render, it is a renderer: it writes what results holds and
// analysis derived, and links the files of packages plots and hgrm.
package markdown
