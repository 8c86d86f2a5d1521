package watcher

import (
	"fmt"
	"os"
)

// durability makes the watcher's file-system changes survive a power loss:
// a status file's content is fsynced before it is renamed into place, and
// every directory a rename touches is fsynced after it. With off set (see
// Config.NoSync) it only renames.
type durability struct {
	off bool
	// trace, if set, sees every rename and sync in order (tests only).
	trace func(op, path string)
}

func (d durability) note(op, path string) {
	if d.trace != nil {
		d.trace(op, path)
	}
}

// rename renames src to dst; it does not sync.
func (d durability) rename(src, dst string) error {
	if err := os.Rename(src, dst); err != nil {
		return err
	}
	d.note("rename", dst)
	return nil
}

// file fsyncs an open file's content.
func (d durability) file(f *os.File) error {
	if d.off {
		return nil
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("fsync %s: %w", f.Name(), err)
	}
	d.note("sync", f.Name())
	return nil
}

// dir fsyncs a directory, so the creations, renames and removals of its
// entries are durable.
func (d durability) dir(path string) error {
	if d.off {
		return nil
	}
	if err := syncDir(path); err != nil {
		return fmt.Errorf("fsync directory %s: %w", path, err)
	}
	d.note("syncdir", path)
	return nil
}
