package mockbackend

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// LoadConfig reads a YAML config file strictly: unknown fields, wrong types
// and invalid values are errors that name the file, line, field, value and
// what is valid. Durations are Go durations ("20ms"), bandwidth a rate
// ("10MB/s"). Fields absent from the file keep their zero value.
func LoadConfig(path string) (Config, error) {
	return LoadConfigOnto(Config{}, path)
}

// LoadConfigOnto is LoadConfig starting from base (e.g. a Preset): fields in
// the file replace base's; a routes entry replaces base's entry of that key.
func LoadConfigOnto(base Config, path string) (Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	return DecodeConfig(b, path, base)
}

// DecodeConfig decodes YAML data onto base; name labels errors (a file path).
func DecodeConfig(data []byte, name string, base Config) (Config, error) {
	cfg := base
	cfg.Routes = maps.Clone(base.Routes)
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return Config{}, fmt.Errorf("%s:%s", name, yamlMessage(err.Error()))
	}
	if len(root.Content) == 0 {
		return cfg, cfg.validateIn(name, nil)
	}
	w := &yamlWalker{lines: make(map[string]int), byLine: make(map[int]cfgPath)}
	if err := w.walk(root.Content[0], reflect.TypeFor[Config](), nil); err != nil {
		return Config{}, fmt.Errorf("%s:%d: %s", name, err.line, err.msg)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil {
		return Config{}, w.decodeError(name, err)
	}
	return cfg, cfg.validateIn(name, w)
}

// validateIn validates c and places an error at its line in file name.
func (c Config) validateIn(name string, w *yamlWalker) error {
	ce := c.validate()
	if ce == nil {
		return nil
	}
	if w != nil {
		if line, ok := w.lineOf(ce.path); ok {
			return fmt.Errorf("%s:%d: %s", name, line, ce.Error())
		}
	}
	return fmt.Errorf("%s: %s", name, ce.Error())
}

// yamlWalker checks the document's shape against the Config types before
// decoding, so unknown fields are reported with their full path and the
// valid names, and records where every field sits.
type yamlWalker struct {
	lines  map[string]int  // path string → line
	byLine map[int]cfgPath // line → path of the field on it
}

type walkError struct {
	line int
	msg  string
}

var (
	durationType = reflect.TypeFor[time.Duration]()
	byteRateType = reflect.TypeFor[ByteRate]()
)

func (w *yamlWalker) record(p cfgPath, line int) {
	w.lines[p.String()] = line
	if _, ok := w.byLine[line]; !ok || len(p) > len(w.byLine[line]) {
		w.byLine[line] = p
	}
}

func (w *yamlWalker) walk(n *yaml.Node, t reflect.Type, p cfgPath) *walkError {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	switch {
	case t == durationType:
		if n.Kind != yaml.ScalarNode {
			return &walkError{n.Line, fmt.Sprintf("%s: must be a duration; valid: a Go duration like 20ms, 1.5s, 0", p)}
		}
		if _, err := time.ParseDuration(n.Value); err != nil {
			return &walkError{n.Line, fmt.Sprintf("%s: %q is not a duration; valid: a Go duration with a unit like 20ms, 1.5s, 0", p, n.Value)}
		}
		return nil
	case t == byteRateType:
		if _, err := ParseByteRate(n.Value); err != nil || n.Kind != yaml.ScalarNode {
			return &walkError{n.Line, fmt.Sprintf("%s: %q is not a rate; valid: bytes/s like 1500, 64KB/s, 10MB/s", p, n.Value)}
		}
		return nil
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return &walkError{n.Line, fmt.Sprintf("%s: must be a mapping with fields %s", nonEmpty(p), strings.Join(yamlFields(t), ", "))}
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			f, ok := fieldByTag(t, k.Value)
			if !ok {
				return &walkError{k.Line, fmt.Sprintf("%s: unknown field %q; valid: %s", nonEmpty(p.at(k.Value)), k.Value, strings.Join(yamlFields(t), ", "))}
			}
			fp := p.at(k.Value)
			w.record(fp, k.Line)
			if err := w.walk(v, f.Type, fp); err != nil {
				return err
			}
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			return &walkError{n.Line, fmt.Sprintf("%s: must be a mapping", p)}
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if t.Key().Kind() == reflect.Int {
				if _, err := strconv.Atoi(k.Value); err != nil {
					return &walkError{k.Line, fmt.Sprintf("%s: key %q is not a status code; valid: integers 400 to 599", p, k.Value)}
				}
			}
			fp := p.at(k.Value)
			w.record(fp, k.Line)
			if err := w.walk(v, t.Elem(), fp); err != nil {
				return err
			}
		}
	default:
		if n.Kind != yaml.ScalarNode {
			return &walkError{n.Line, fmt.Sprintf("%s: must be a single %s value", p, t.Kind())}
		}
	}
	return nil
}

func nonEmpty(p cfgPath) string {
	if len(p) == 0 {
		return "top level"
	}
	return p.String()
}

// lineOf finds the line of p, or of its closest recorded parent.
func (w *yamlWalker) lineOf(p cfgPath) (int, bool) {
	for i := len(p); i > 0; i-- {
		if line, ok := w.lines[p[:i].String()]; ok {
			return line, true
		}
	}
	return 0, false
}

var yamlLineRe = regexp.MustCompile(`^line (\d+): (.*)$`)

// decodeError rewrites yaml.v3's "line N: cannot unmarshal ..." messages
// into "file:N: field: ..." ones.
func (w *yamlWalker) decodeError(name string, err error) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) || len(te.Errors) == 0 {
		return fmt.Errorf("%s:%s", name, yamlMessage(err.Error()))
	}
	m := yamlLineRe.FindStringSubmatch(te.Errors[0])
	if m == nil {
		return fmt.Errorf("%s: %s", name, te.Errors[0])
	}
	line, _ := strconv.Atoi(m[1])
	msg := m[2] + typeHint(m[2])
	if p, ok := w.byLine[line]; ok {
		return fmt.Errorf("%s:%d: %s: %s", name, line, p, msg)
	}
	return fmt.Errorf("%s:%d: %s", name, line, msg)
}

// typeHint says what a scalar of the target type looks like.
func typeHint(msg string) string {
	switch {
	case strings.HasSuffix(msg, "into bool"):
		return "; valid: true or false"
	case strings.HasSuffix(msg, "into int"), strings.HasSuffix(msg, "into int64"), strings.HasSuffix(msg, "into uint64"):
		return "; valid: an integer"
	case strings.HasSuffix(msg, "into float64"):
		return "; valid: a number"
	}
	return ""
}

// yamlMessage turns "yaml: line 3: did not find ..." into "3: did not find ..."
// (to follow "file:"), or " msg" when there is no line.
func yamlMessage(s string) string {
	s = strings.TrimPrefix(s, "yaml: ")
	if m := yamlLineRe.FindStringSubmatch(s); m != nil {
		return m[1] + ": " + m[2]
	}
	return " " + s
}

func fieldByTag(t reflect.Type, tag string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		if name, _, _ := strings.Cut(f.Tag.Get("yaml"), ","); name == tag && f.IsExported() {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

func yamlFields(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ","); name != "" && name != "-" {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}
