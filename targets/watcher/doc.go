// Package watcher is a leak-free intent-file watcher: it watches one directory
// for intent-*.json files, validates each one, submits it to Porch over an
// injected *http.Client, and records exactly one outcome per file.
//
// The pipeline of a file is:
//
//	fsnotify event → debounce → stability check (size+mtime unchanged) →
//	bounded queue → worker pool → validate → Porch create + propose →
//	move to processed/ or failed/ → status file (atomic temp + rename)
//
// Every goroutine the watcher starts (event loop, workers, metrics
// collection, metrics HTTP server, context monitor) is owned by the Watcher
// and awaited by Close. Close stops intake, drains queued work up to the grace
// period and leaves whatever it could not drain in the directory, where the
// next Start picks it up.
//
// Typical use:
//
//	w, err := watcher.New(watcher.Config{Dir: dir, Client: c, PorchURL: url})
//	if err != nil { ... }
//	if err := w.Start(ctx); err != nil { ... }
//	defer w.Close()
package watcher
