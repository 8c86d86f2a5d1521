package scenarios

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/oranbench/oranbench/scenarios/scenario"
)

// WriteCISet writes the CI-sized set's files into dir and returns their
// paths, so that two builds (one of which may predate the set) run the same
// scenario text.
func WriteCISet(dir string) ([]string, error) {
	set, err := scenario.CISet()
	if err != nil {
		return nil, err
	}
	var paths []string
	for _, f := range set {
		p := filepath.Join(dir, f.Name+".yaml")
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			return nil, fmt.Errorf("writing the CI-sized set: %w", err)
		}
		paths = append(paths, p)
	}
	return paths, nil
}
