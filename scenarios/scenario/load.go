package scenario

import (
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/oranbench/oranbench/reports/results"
	"github.com/oranbench/oranbench/targets/transport"
)

//go:embed builtin/*.yaml
var builtinFS embed.FS

// Builtins returns the built-in scenarios, sorted by name.
func Builtins() ([]*Plan, error) {
	entries, err := fs.ReadDir(builtinFS, "builtin")
	if err != nil {
		return nil, err
	}
	var out []*Plan
	for _, e := range entries {
		b, err := builtinFS.ReadFile(path.Join("builtin", e.Name()))
		if err != nil {
			return nil, err
		}
		s, err := parseBuiltin("builtin:"+e.Name(), b, nil)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].spec.Name < out[j].spec.Name })
	return out, nil
}

// BuiltinNames lists the names of the built-in scenarios.
func BuiltinNames() []string {
	all, err := Builtins()
	if err != nil {
		return nil
	}
	names := make([]string, len(all))
	for i, s := range all {
		names[i] = s.spec.Name
	}
	return names
}

// ErrUnknown is returned (wrapped) for a name that is neither a built-in
// scenario nor a file.
var ErrUnknown = errors.New("unknown scenario")

// Load resolves a built-in scenario name or reads a scenario file. With a
// non-nil reg, arm names are checked against it and inline arms are
// registered into it.
func Load(nameOrPath string, reg *transport.Registry) (*Plan, error) {
	if strings.HasSuffix(nameOrPath, ".yaml") || strings.HasSuffix(nameOrPath, ".yml") || strings.ContainsRune(nameOrPath, os.PathSeparator) {
		b, err := readScenarioFile(nameOrPath)
		if err != nil {
			return nil, err
		}
		return Parse(nameOrPath, b, reg)
	}
	entries, err := fs.ReadDir(builtinFS, "builtin")
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if strings.TrimSuffix(e.Name(), ".yaml") != nameOrPath {
			continue
		}
		b, err := builtinFS.ReadFile(path.Join("builtin", e.Name()))
		if err != nil {
			return nil, err
		}
		return parseBuiltin("builtin:"+e.Name(), b, reg)
	}
	if set, err := CISet(); err == nil {
		for _, f := range set {
			if f.Name == nameOrPath {
				return parseBuiltin("builtin:"+CISetName+"/"+f.Name+".yaml", f.Data, reg)
			}
		}
	}
	return nil, fmt.Errorf("%w %q: valid built-in names are %s (or give a path to a .yaml file)",
		ErrUnknown, nameOrPath, strings.Join(BuiltinNames(), ", "))
}

// parseBuiltin parses a scenario of the embedded set and marks it built-in:
// by where it came from, not by its name, so a user's file named like a
// built-in is still the user's.
func parseBuiltin(file string, data []byte, reg *transport.Registry) (*Plan, error) {
	p, err := Parse(file, data, reg)
	if err != nil {
		return nil, err
	}
	p.builtin = true
	// Its sweep points are copies of it: made again, they are built-in too.
	return p.with(p.spec), nil
}

// MaxFileBytes caps a scenario file: the largest built-in is a few KiB, so
// 1 MiB leaves a wide margin while refusing /dev/zero or a log given by
// mistake before it is read into memory.
const MaxFileBytes = 1 << 20

// readScenarioFile reads a regular file (or a pipe) of at most MaxFileBytes.
func readScenarioFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("scenario file: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("scenario file: %w", err)
	}
	if !st.Mode().IsRegular() && st.Mode()&fs.ModeNamedPipe == 0 {
		return nil, fmt.Errorf("scenario file %s: %s, not a regular file; give a .yaml file", path, results.FileKind(st.Mode()))
	}
	b, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("scenario file: %w", err)
	}
	if len(b) > MaxFileBytes {
		return nil, fmt.Errorf("scenario file %s: %s, over the limit of %d bytes (1 MiB) for a scenario", path, results.SizeText(st.Size(), int64(len(b))), MaxFileBytes)
	}
	return b, nil
}

var yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): `)

// unknownAnchor matches yaml.v3's error for an alias (*name) with no
// anchor (&name) before it, which names neither line nor field.
var unknownAnchor = regexp.MustCompile(`unknown anchor '([^']*)' referenced`)

// anchorError points an alias to an unknown anchor at its line and field.
func anchorError(file string, data []byte, name string) error {
	alias := regexp.MustCompile(`(?:^|[\s\[{,:])\*` + regexp.QuoteMeta(name) + `(?:$|[\s\]},])`)
	for i, line := range strings.Split(string(data), "\n") {
		if !alias.MatchString(line) {
			continue
		}
		field := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "- "))
		if k, _, ok := strings.Cut(field, ":"); ok {
			field = strings.TrimSpace(k)
		}
		return &FieldError{File: file, Line: i + 1, Field: field, Value: "*" + name,
			Valid: fmt.Sprintf("alias to an unknown anchor; define it first with &%s, or write the value itself", name)}
	}
	return fmt.Errorf("%s: alias *%s to an unknown anchor; define it first with &%s", file, name, name)
}

// Parse decodes one scenario document strictly into a Spec and validates it
// into a Plan: an unknown field, a bad duration, an unknown profile, route
// or metric fails with file:line: field: value: what is valid, before any
// load is sent. reg, when non-nil, is used to check arm names and receives
// the inline arms.
func Parse(file string, data []byte, reg *transport.Registry) (*Plan, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		msg := err.Error()
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			return nil, fmt.Errorf("%s:%s: %s", file, m[1], msg[len(m[0]):])
		}
		if m := unknownAnchor.FindStringSubmatch(msg); m != nil {
			return nil, anchorError(file, data, m[1])
		}
		return nil, fmt.Errorf("%s: %s", file, trimYAMLMsg(msg))
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, fmt.Errorf("%s: empty scenario document", file)
	}
	root := doc.Content[0]
	c := &checker{file: file, lines: map[string]int{"": root.Line}}
	if err := c.check(root, reflect.TypeFor[Spec](), ""); err != nil {
		return nil, err
	}
	var spec Spec
	if err := root.Decode(&spec); err != nil {
		return nil, fmt.Errorf("%s: %s", file, trimYAMLMsg(err.Error()))
	}
	return newPlan(file, c.lines, spec, reg)
}

func validName(n string) bool {
	if n == "" || len(n) > 63 {
		return false
	}
	for _, c := range n {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func itoa(n int) string { return strconv.Itoa(n) }

func ftoa(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }
