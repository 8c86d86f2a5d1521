package results

import (
	"os"
	"strings"
)

// WriteFileAtomic writes data to path via a temporary file and a rename, so
// a reader never sees half a file. The directory must exist.
func WriteFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		// A full disk (ENOSPC) leaves a truncated temporary file: remove it.
		_ = os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	return nil
}

// FileStem makes a name safe and readable in a file name or URL:
// "conditions-sweep [rtt=5ms tls=on]" becomes "conditions-sweep_rtt=5ms_tls=on".
func FileStem(name string) string {
	var b strings.Builder
	lastSep := false
	for _, r := range name {
		ok := r == '-' || r == '.' || r == '=' || r == '_' ||
			(r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')
		if ok {
			b.WriteRune(r)
			lastSep = r == '_'
			continue
		}
		if !lastSep && b.Len() > 0 {
			b.WriteByte('_')
			lastSep = true
		}
	}
	return strings.TrimRight(b.String(), "_")
}
