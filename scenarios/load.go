package scenarios

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/oranbench/oranbench/targets/transport"
)

//go:embed builtin/*.yaml
var builtinFS embed.FS

// Builtins returns the built-in scenarios, sorted by name.
func Builtins() ([]*Scenario, error) {
	entries, err := fs.ReadDir(builtinFS, "builtin")
	if err != nil {
		return nil, err
	}
	var out []*Scenario
	for _, e := range entries {
		b, err := builtinFS.ReadFile(path.Join("builtin", e.Name()))
		if err != nil {
			return nil, err
		}
		s, err := Parse("builtin:"+e.Name(), b, nil)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
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
		names[i] = s.Name
	}
	return names
}

// ErrUnknown is returned (wrapped) for a name that is neither a built-in
// scenario nor a file.
var ErrUnknown = errors.New("unknown scenario")

// Load resolves a built-in scenario name or reads a scenario file.
func Load(nameOrPath string, reg *transport.Registry) (*Scenario, error) {
	if strings.HasSuffix(nameOrPath, ".yaml") || strings.HasSuffix(nameOrPath, ".yml") || strings.ContainsRune(nameOrPath, os.PathSeparator) {
		b, err := os.ReadFile(nameOrPath)
		if err != nil {
			return nil, fmt.Errorf("scenario file: %w", err)
		}
		return Parse(nameOrPath, b, reg)
	}
	all, err := Builtins()
	if err != nil {
		return nil, err
	}
	for _, s := range all {
		if s.Name == nameOrPath {
			if reg != nil {
				if err := s.validate(reg); err != nil {
					return nil, err
				}
			}
			return s, nil
		}
	}
	return nil, fmt.Errorf("%w %q: valid built-in names are %s (or give a path to a .yaml file)",
		ErrUnknown, nameOrPath, strings.Join(BuiltinNames(), ", "))
}

// Parse decodes one scenario document strictly: unknown fields, bad
// durations and invalid values fail with file:line, the field and the value.
// reg, when non-nil, is used to check arm names.
func Parse(file string, data []byte, reg *transport.Registry) (*Scenario, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("%s: %s", file, trimYAML(err))
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	s := &Scenario{}
	if err := dec.Decode(s); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: empty scenario document", file)
		}
		return nil, fmt.Errorf("%s: %s", file, trimYAML(err))
	}
	s.File, s.root = file, &root
	if err := s.validate(reg); err != nil {
		return nil, err
	}
	return s, nil
}

func trimYAML(err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.ReplaceAll(msg, "unmarshal errors:\n  ", "")
	return msg
}

// FieldError names the file, line, field and value of a bad scenario setting
// and says what would be valid.
type FieldError struct {
	File  string
	Line  int
	Field string
	Value string
	Valid string
}

func (e *FieldError) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc += ":" + strconv.Itoa(e.Line)
	}
	return fmt.Sprintf("%s: %s: %q: %s", loc, e.Field, e.Value, e.Valid)
}

func (s *Scenario) fieldErr(field, value, valid string) error {
	return &FieldError{File: s.File, Line: s.line(field), Field: field, Value: value, Valid: valid}
}

// line finds the line of a dotted field path such as "load.model" or
// "mix[1].route" in the parsed document; 0 when absent.
func (s *Scenario) line(field string) int {
	if s.root == nil || len(s.root.Content) == 0 {
		return 0
	}
	n := s.root.Content[0]
	best := n.Line
	for _, part := range strings.Split(field, ".") {
		idx := -1
		if i := strings.IndexByte(part, '['); i >= 0 && strings.HasSuffix(part, "]") {
			idx, _ = strconv.Atoi(part[i+1 : len(part)-1])
			part = part[:i]
		}
		var next *yaml.Node
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == part {
					best, next = n.Content[i].Line, n.Content[i+1]
					break
				}
			}
		}
		if next == nil {
			return best
		}
		n = next
		if idx >= 0 {
			if n.Kind != yaml.SequenceNode || idx >= len(n.Content) {
				return best
			}
			n = n.Content[idx]
			best = n.Line
		}
	}
	return best
}

func (s *Scenario) validate(reg *transport.Registry) error {
	if s.APIVersion != APIVersion {
		return s.fieldErr("apiVersion", s.APIVersion, "want "+APIVersion)
	}
	if s.Kind != Kind {
		return s.fieldErr("kind", s.Kind, "want "+Kind)
	}
	if !validName(s.Name) {
		return s.fieldErr("name", s.Name, "want lower-case letters, digits and dashes")
	}
	if len(s.Mix) == 0 {
		return s.fieldErr("mix", "", "want at least one route; valid routes are "+strings.Join(RouteNames(), ", "))
	}
	for i, m := range s.Mix {
		if _, ok := routes[m.Route]; !ok {
			return s.fieldErr(fmt.Sprintf("mix[%d].route", i), m.Route, "valid routes are "+strings.Join(RouteNames(), ", "))
		}
		if m.Weight < 0 {
			return s.fieldErr(fmt.Sprintf("mix[%d].weight", i), strconv.Itoa(m.Weight), "want a weight >= 1 (0 or absent means 1)")
		}
		if m.Weight == 0 {
			s.Mix[i].Weight = 1
		}
	}
	switch s.Load.Model {
	case "closed":
		if s.Load.Concurrency < 1 || s.Load.Concurrency > 10000 {
			return s.fieldErr("load.concurrency", strconv.Itoa(s.Load.Concurrency), "want 1 to 10000 workers")
		}
	case "open":
		if s.Load.Rate <= 0 || s.Load.Rate > 1e6 {
			return s.fieldErr("load.rate", strconv.FormatFloat(s.Load.Rate, 'g', -1, 64), "want a rate in requests per second, > 0 and <= 1e6")
		}
	default:
		return s.fieldErr("load.model", s.Load.Model, `valid models are "closed" and "open"`)
	}
	if len(s.Arms) == 0 {
		return s.fieldErr("arms", "", "want at least one transport profile name")
	}
	if reg != nil {
		for i, a := range s.Arms {
			if _, err := reg.Lookup(a); err != nil {
				return s.fieldErr(fmt.Sprintf("arms[%d]", i), a, "valid profiles are "+strings.Join(reg.Names(), ", "))
			}
		}
	}
	if s.Duration.Duration <= 0 {
		return s.fieldErr("duration", s.Duration.String(), "want a duration > 0 such as 5s")
	}
	if s.Repetitions == 0 {
		s.Repetitions = 3
	}
	if s.Repetitions < 1 || s.Repetitions > 100 {
		return s.fieldErr("repetitions", strconv.Itoa(s.Repetitions), "want 1 to 100")
	}
	return nil
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
