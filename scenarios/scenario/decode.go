package scenario

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

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
	if loc == "" {
		// A Spec written in Go has no file to point into.
		return fmt.Sprintf("%s: %q: %s", e.Field, e.Value, e.Valid)
	}
	return fmt.Sprintf("%s: %s: %q: %s", loc, e.Field, e.Value, e.Valid)
}

// longFormer is a type written either as a scalar shorthand or as a mapping;
// longForm returns a pointer to the struct the mapping decodes into.
type longFormer interface{ longForm() any }

var (
	unmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()
	longFormerType  = reflect.TypeFor[longFormer]()
	// durationType is a time.Duration field of the mock's own settings,
	// written like Duration.
	durationType = reflect.TypeFor[time.Duration]()
)

// checker walks a YAML tree beside the Go type it will decode into, before
// decoding: an unknown or duplicate field, a scalar of the wrong kind or a
// value its type's UnmarshalYAML refuses fails with the file, line and dotted
// field path. yaml.v3's own KnownFields stops at custom unmarshalers and names
// Go types instead of fields; this does neither. It also records the line of
// every field path, so later checks can point at the line too.
type checker struct {
	file  string
	lines map[string]int
}

func (c *checker) fail(n *yaml.Node, path, value, valid string) error {
	return &FieldError{File: c.file, Line: n.Line, Field: path, Value: value, Valid: valid}
}

func (c *checker) check(n *yaml.Node, t reflect.Type, path string) error {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if _, ok := c.lines[path]; !ok {
		c.lines[path] = n.Line
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	if t == durationType {
		if d, err := time.ParseDuration(n.Value); n.Kind != yaml.ScalarNode || err != nil || d < 0 {
			return c.fail(n, path, nodeText(n), "want a non-negative duration such as 250ms or 5s")
		}
		return nil
	}
	pt := reflect.PointerTo(t)
	if t.Kind() != reflect.Pointer && pt.Implements(unmarshalerType) {
		if n.Kind == yaml.MappingNode && pt.Implements(longFormerType) {
			long := reflect.New(t).Interface().(longFormer).longForm()
			return c.check(n, reflect.TypeOf(long).Elem(), path)
		}
		v := reflect.New(t).Interface()
		if err := n.Decode(v); err != nil {
			return c.fail(n, path, nodeText(n), trimYAMLMsg(err.Error()))
		}
		return nil
	}
	switch t.Kind() {
	case reflect.Pointer:
		return c.check(n, t.Elem(), path)
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return c.fail(n, path, nodeText(n), "want a mapping with the fields "+strings.Join(yamlFields(t), ", "))
		}
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := join(path, k.Value)
			c.lines[p] = k.Line
			if seen[k.Value] {
				return c.fail(k, p, k.Value, "the field is given twice")
			}
			seen[k.Value] = true
			f, ok := fieldByTag(t, k.Value)
			if !ok {
				return c.fail(k, p, k.Value, "unknown field; valid fields here are "+strings.Join(yamlFields(t), ", "))
			}
			if err := c.check(v, f.Type, p); err != nil {
				return err
			}
		}
		return nil
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return c.fail(n, path, nodeText(n), "want a list")
		}
		for i, e := range n.Content {
			if err := c.check(e, t.Elem(), path+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
		}
		return nil
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			return c.fail(n, path, nodeText(n), "want a mapping")
		}
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := join(path, k.Value)
			c.lines[p] = k.Line
			if seen[k.Value] {
				return c.fail(k, p, k.Value, "the key is given twice")
			}
			seen[k.Value] = true
			if err := c.check(k, t.Key(), p); err != nil {
				return err
			}
			if err := c.check(v, t.Elem(), p); err != nil {
				return err
			}
		}
		return nil
	case reflect.Interface:
		return nil
	}
	return c.checkScalar(n, t, path)
}

// checkScalar checks a value of a plain Go kind: a bool, a number that
// fits, or any scalar for a string.
func (c *checker) checkScalar(n *yaml.Node, t reflect.Type, path string) error {
	if n.Kind != yaml.ScalarNode {
		return c.fail(n, path, nodeText(n), "want a single value, not a "+kindName(n.Kind))
	}
	switch t.Kind() {
	case reflect.Bool:
		if n.Tag != "!!bool" {
			return c.fail(n, path, n.Value, "want true or false")
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if n.Tag != "!!int" {
			return c.fail(n, path, n.Value, "want a whole number")
		}
		if _, err := strconv.ParseInt(n.Value, 0, t.Bits()); err != nil {
			return c.fail(n, path, n.Value, "want a whole number that fits in "+strconv.Itoa(t.Bits())+" bits")
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if n.Tag != "!!int" {
			return c.fail(n, path, n.Value, "want a whole number >= 0")
		}
		if _, err := strconv.ParseUint(n.Value, 0, t.Bits()); err != nil {
			return c.fail(n, path, n.Value, "want a whole number >= 0")
		}
	case reflect.Float32, reflect.Float64:
		if n.Tag != "!!int" && n.Tag != "!!float" {
			return c.fail(n, path, n.Value, "want a number")
		}
	case reflect.String:
		// Any scalar reads as a string.
	}
	return nil
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func nodeText(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode {
		return n.Value
	}
	return kindName(n.Kind)
}

func kindName(k yaml.Kind) string {
	switch k {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	case yaml.DocumentNode:
		return "document"
	}
	return "value"
}

func trimYAMLMsg(msg string) string {
	msg = strings.TrimPrefix(msg, "yaml: ")
	msg = strings.ReplaceAll(msg, "unmarshal errors:\n  ", "")
	return msg
}

func fieldByTag(t reflect.Type, tag string) (reflect.StructField, bool) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.PkgPath != "" {
			continue
		}
		if name, _, _ := strings.Cut(f.Tag.Get("yaml"), ","); name == tag && name != "-" {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

func yamlFields(t reflect.Type) []string {
	var out []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.PkgPath != "" {
			continue
		}
		if name, _, _ := strings.Cut(f.Tag.Get("yaml"), ","); name != "" && name != "-" {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// line returns the line of a field path such as "load.model" or
// "mix[1].route", or of its closest ancestor that is in the document.
func (p *Plan) line(field string) int {
	for key := field; key != ""; {
		if l, ok := p.lines[key]; ok {
			return l
		}
		i := strings.LastIndexAny(key, ".[")
		if i < 0 {
			break
		}
		key = key[:i]
	}
	return p.lines[""]
}

// FieldErr is a *FieldError naming p's file, field's line in it, field,
// value and what is valid: how every error about a scenario reads.
func (p *Plan) FieldErr(field, value, valid string) error {
	return &FieldError{File: p.file, Line: p.line(field), Field: field, Value: value, Valid: valid}
}
