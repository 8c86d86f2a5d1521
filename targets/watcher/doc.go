// Package watcher is a leak-free intent-file watcher: it watches one directory
// for intent-*.json files, validates each one, submits it to Porch over an
// injected *http.Client, and records exactly one outcome per file.
//
// The pipeline of a file is:
//
//	fsnotify create/write → debounce → stability check (size+mtime unchanged
//	for StableFor) → bounded queue → worker pool → size cap, JSON depth cap,
//	required fields (target, namespace, replicas) → SHA-256 de-duplication →
//	Porch: POST {PorchURL}/api/v1/repositories/{repo}/packages, then
//	POST {PorchURL}/api/v1/proposals → move to processed/ or failed/ →
//	status/<name>.status.json {intent_file, status, message, timestamp},
//	written as a temp file and renamed
//
// Guarantees:
//   - Every file gets at most one outcome per run and the outcome is recorded
//     before OnOutcome is called. A full queue leaves files pending (never
//     dropped); an fsnotify overflow triggers a rescan of the directory.
//   - Files already in the directory at Start are processed, so a restart
//     resumes where a closed watcher stopped. Content already in processed/
//     is skipped (status "skipped"), not resubmitted.
//   - Porch submissions are idempotent: the package name derives from the
//     content, a 409 on create is followed by a lookup and a proposal, and a
//     409 on propose counts as done, so an intent interrupted mid-submission
//     is not created twice.
//   - Every goroutine the watcher starts (event loop, workers, metrics
//     collection loop, metrics HTTP server, context monitor) is owned by the
//     Watcher and awaited by Close. Close stops intake, drains the queue for
//     up to GracePeriod, then cancels in-flight Porch calls; what it did not
//     finish stays in the directory for the next Start.
//   - The Prometheus registry is the watcher's own, never the global one.
//
// The watcher does not own Config.Client: close its idle connections when
// done, or they show up as leaked goroutines.
//
//	w, err := watcher.New(watcher.Config{Dir: dir, Client: c, PorchURL: url,
//		MetricsAddr: watcher.DefaultMetricsAddr})
//	if err != nil { ... }
//	if err := w.Start(ctx); err != nil { ... }
//	defer w.Close()
//
// RunStorm drives the whole pipeline for the watcher-intent-storm scenario
// and reports intents/s and file-to-status latency quantiles.
package watcher
