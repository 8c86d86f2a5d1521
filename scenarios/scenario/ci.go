package scenario

import (
	"embed"
	"io/fs"
	"path"
	"strings"
)

// The CI-sized set: the scenarios `compare --rerun` runs when given none.
// They are embedded apart from the built-ins so that `run` with no names
// (make bench) does not run them too.
//
//go:embed ci/*.yaml
var ciFS embed.FS

// CISetName names the CI-sized set in messages.
const CISetName = "ci"

// CIFile is one scenario of the CI-sized set: its name and YAML text.
type CIFile struct {
	Name string
	Data []byte
}

// CISet returns the CI-sized set, sorted by name: the pool (many requests
// in flight over TLS, 0 ms handler), HTTP/2 negotiation and a latency-bound
// case, each small enough that several interleaved runs of two builds fit in
// a few minutes.
func CISet() ([]CIFile, error) {
	entries, err := fs.ReadDir(ciFS, CISetName)
	if err != nil {
		return nil, err
	}
	var out []CIFile
	for _, e := range entries {
		b, err := ciFS.ReadFile(path.Join(CISetName, e.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, CIFile{Name: strings.TrimSuffix(e.Name(), ".yaml"), Data: b})
	}
	return out, nil
}
