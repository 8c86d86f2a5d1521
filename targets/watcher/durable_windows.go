package watcher

// syncDir does nothing on Windows: a directory cannot be opened for writing
// through os, so it cannot be flushed (FlushFileBuffers wants a writable
// handle). NTFS journals directory changes, so a rename is never torn, but a
// power loss can undo the last renames before the journal reaches the disk.
func syncDir(string) error { return nil }
