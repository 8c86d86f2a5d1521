package results

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// ResultsFile is the name of a run's results.json in its report directory.
const ResultsFile = "results.json"

// WriteJSON writes r as indented JSON to path (via a temporary file and a
// rename, so a reader never sees half a file).
func WriteJSON(path string, r *Results) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("encode results: %w", err)
	}
	return WriteFileAtomic(path, append(b, '\n'))
}

// MaxFileBytes caps a results.json: a full `make bench` suite writes about
// 3 MB, so 256 MiB leaves a margin of over 80 times while refusing
// /dev/zero or a runaway file before it is read into memory.
const MaxFileBytes = 256 << 20

// readFile reads a regular file (or a pipe) of at most limit bytes.
func readFile(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() && st.Mode()&fs.ModeNamedPipe == 0 {
		return nil, fmt.Errorf("%s: %s, not a regular file; give a results.json or its directory", path, FileKind(st.Mode()))
	}
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s: %s, over the limit of %d bytes (%d MiB) for a results.json", path, SizeText(st.Size(), int64(len(b))), limit, limit>>20)
	}
	return b, nil
}

// ReadJSON reads a results.json file of at most MaxFileBytes.
func ReadJSON(path string) (*Results, error) {
	b, err := readFile(path, MaxFileBytes)
	if err != nil {
		return nil, err
	}
	var r Results
	if err := json.Unmarshal(b, &r); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case strings.TrimSpace(string(b)) == "":
			return nil, fmt.Errorf("%s: empty file", path)
		case errors.As(err, &typ):
			return nil, fmt.Errorf("%s: field %s: %s value at byte %d, want %s", path, typ.Field, typ.Value, typ.Offset, typ.Type)
		case errors.As(err, &syn):
			return nil, fmt.Errorf("%s: byte %d of %d: %v (truncated or not JSON)", path, syn.Offset, len(b), syn)
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if r.SchemaVersion != SchemaVersion {
		return nil, fmt.Errorf("%s: schemaVersion %d: this oranbench reads version %d", path, r.SchemaVersion, SchemaVersion)
	}
	return &r, nil
}

// ReadResults reads results.json from path, which is either that file or a
// result directory holding it.
func ReadResults(path string) (*Results, error) {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		path = filepath.Join(path, ResultsFile)
	}
	return ReadJSON(path)
}

// ReadRuns reads one run (a results.json or a result directory) or, when
// path is a directory without results.json, every run in its immediate
// subdirectories, in name order: a baseline of several runs.
func ReadRuns(path string) ([]*Results, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		r, err := ReadJSON(path)
		if err != nil {
			return nil, err
		}
		return []*Results{r}, nil
	}
	if _, err := os.Stat(filepath.Join(path, ResultsFile)); err == nil {
		r, err := ReadJSON(filepath.Join(path, ResultsFile))
		if err != nil {
			return nil, err
		}
		return []*Results{r}, nil
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return nil, err
	}
	var out []*Results
	for _, e := range entries {
		f := filepath.Join(path, e.Name(), ResultsFile)
		if !e.IsDir() {
			continue
		}
		if _, err := os.Stat(f); err != nil {
			continue
		}
		r, err := ReadJSON(f)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no results.json in it or in its subdirectories", path)
	}
	return out, nil
}

// FileKind names what a non-regular file is, for an error message.
func FileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return "a special file"
}

// SizeText gives a file's size for an error message: the size it states,
// or, for a file still growing past it, at least the bytes read.
func SizeText(stated, read int64) string {
	if stated >= read {
		return fmt.Sprintf("%d bytes", stated)
	}
	return fmt.Sprintf("%d bytes or more", read)
}
