//go:build !windows

package watcher

import (
	"errors"
	"os"
	"syscall"
)

// syncDir fsyncs a directory. On Linux (ext4, xfs, btrfs) this is what makes
// a rename durable. Some file systems (certain FUSE and network mounts)
// cannot sync a directory and answer EINVAL or ENOTSUP; there a rename is as
// durable as that file system makes it, and the error is not the watcher's
// to report. On macOS fsync reaches the drive but not through its cache
// (that takes F_FULLFSYNC), so a power loss can still drop the last renames.
func syncDir(path string) error {
	d, err := os.Open(path)
	if err != nil {
		return err
	}
	err = d.Sync()
	cerr := d.Close()
	if errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.ENOTSUP) {
		err = nil
	}
	return errors.Join(err, cerr)
}
