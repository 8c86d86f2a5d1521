package results

import (
	"encoding/json"
	"errors"
	"fmt"
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

// ReadJSON reads a results.json file.
func ReadJSON(path string) (*Results, error) {
	b, err := os.ReadFile(path)
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
