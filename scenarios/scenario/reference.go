package scenario

import (
	"fmt"
	"io"
	"reflect"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/oranbench/oranbench/mockbackend"
)

// Key is one YAML key of a scenario document, found by walking Spec's Go
// type with the rules the decoder uses (decode.go): its dotted path
// ("backend.tls", "mix[].route", "backend.routes.<route>.latency") and the
// kind of value it takes.
type Key struct {
	// Path is the key's place in a document; "[]" stands for any element
	// of a list, "<name>" for any key of a mapping. A key of a section
	// (a type used at several places, see Section) is written relative to
	// it, under the section's name.
	Path string
	// Type is what the value is: "bool", "integer", "number", "string",
	// "duration", "byte rate", "list of ...", "mapping", or a shorthand
	// "X or mapping".
	Type string
	// Section is the section the key belongs to ("" for the document).
	Section string
}

// sectionTypes are the types written at more than one place of a document;
// their keys are documented once, in a section named for the type.
var sectionTypes = map[reflect.Type]string{
	reflect.TypeFor[LatencySpec]():          "latency",
	reflect.TypeFor[mockbackend.Faults]():   "faults",
	reflect.TypeFor[mockbackend.Capacity](): "capacity",
	reflect.TypeFor[Sweep]():                "sweep",
	reflect.TypeFor[mockbackend.NetFault](): "netFault",
}

// mapKeyNames names the keys of a mapping in a path, by the mapping's path.
var mapKeyNames = map[string]string{
	"backend.routes": "<route>",
}

// Keys returns every key a scenario document may hold, the document's first
// and then each section's, in the order of the Go fields.
func Keys() []Key {
	w := &keyWalker{}
	w.walk(reflect.TypeFor[Spec](), "", "")
	names := make([]string, 0, len(sectionTypes))
	byName := map[string]reflect.Type{}
	for t, n := range sectionTypes {
		names = append(names, n)
		byName[n] = t
	}
	sort.Strings(names)
	for _, n := range names {
		w.walkStruct(structOf(byName[n]), n, n)
	}
	return w.keys
}

type keyWalker struct{ keys []Key }

func (w *keyWalker) add(path, typ, section string) {
	w.keys = append(w.keys, Key{Path: path, Type: typ, Section: section})
}

// structOf is the struct a type's mapping decodes into: the long form of a
// shorthand type, else the type itself.
func structOf(t reflect.Type) reflect.Type {
	if pt := reflect.PointerTo(t); pt.Implements(longFormerType) {
		return reflect.TypeOf(reflect.New(t).Interface().(longFormer).longForm()).Elem()
	}
	return t
}

// walk records the key at path, of type t, and the keys under it.
func (w *keyWalker) walk(t reflect.Type, path, section string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if name, ok := sectionTypes[t]; ok && path != "" && section != name {
		w.add(path, typeName(t)+" (see "+name+")", section)
		return
	}
	if path != "" {
		w.add(path, typeName(t), section)
	}
	switch {
	case t == durationType || t == reflect.TypeFor[Duration]():
	case reflect.PointerTo(t).Implements(longFormerType):
		w.walkStruct(structOf(t), path, section)
	case reflect.PointerTo(t).Implements(unmarshalerType):
	case t.Kind() == reflect.Struct:
		w.walkStruct(t, path, section)
	case t.Kind() == reflect.Slice:
		e := t.Elem()
		for e.Kind() == reflect.Pointer {
			e = e.Elem()
		}
		if e.Kind() == reflect.Struct && !reflect.PointerTo(e).Implements(unmarshalerType) || reflect.PointerTo(e).Implements(longFormerType) {
			w.walkStruct(structOf(e), path+"[]", section)
		}
	case t.Kind() == reflect.Map:
		e := t.Elem()
		for e.Kind() == reflect.Pointer {
			e = e.Elem()
		}
		if e.Kind() == reflect.Struct {
			key := mapKeyNames[path]
			if key == "" {
				key = "<name>"
			}
			w.walkStruct(structOf(e), path+"."+key, section)
		}
	}
}

func (w *keyWalker) walkStruct(t reflect.Type, path, section string) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.PkgPath != "" {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "" || name == "-" {
			continue
		}
		p := name
		if path != "" {
			p = path + "." + name
		}
		w.walk(f.Type, p, section)
	}
}

// typeName describes the value a key of type t takes.
func typeName(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t {
	case durationType, reflect.TypeFor[Duration]():
		return "duration"
	case reflect.TypeFor[mockbackend.ByteRate]():
		return "byte rate"
	case reflect.TypeFor[LatencySpec]():
		return "duration or mapping"
	case reflect.TypeFor[ArmSpec]():
		return "profile name or mapping"
	case reflect.TypeFor[ThresholdSpec]():
		return "expression or mapping"
	}
	switch t.Kind() {
	case reflect.Bool:
		return "bool"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.String:
		return "string"
	case reflect.Slice:
		return "list of " + typeName(t.Elem())
	case reflect.Map:
		return "mapping of " + typeName(t.Key()) + " to " + typeName(t.Elem())
	case reflect.Struct:
		return "mapping"
	}
	return t.Kind().String()
}

// KeyDoc documents one key: its default, what is valid, a one-line
// description and an example, a YAML document fragment that sets it.
type KeyDoc struct {
	Path    string
	Default string
	Valid   string
	Text    string
	Example string
}

// CheckExample decodes a reference example as a scenario fragment: an
// unknown key, a value of the wrong kind or one the key's type refuses is
// an error naming the field.
func CheckExample(example string) error {
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(example), &n); err != nil {
		return err
	}
	if len(n.Content) == 0 {
		return fmt.Errorf("empty example")
	}
	c := &checker{file: "example", lines: map[string]int{}}
	return c.check(n.Content[0], reflect.TypeFor[Spec](), "")
}

// WriteReference writes the scenario reference in Markdown: every key of
// Keys with its type, default, valid values and an example, from docs.
// It fails on a key without a document, so the reference cannot fall behind
// the Spec.
func WriteReference(w io.Writer) error {
	docs := map[string]KeyDoc{}
	for _, d := range referenceDocs {
		docs[d.Path] = d
	}
	var missing []string
	for _, k := range Keys() {
		if _, ok := docs[k.Path]; !ok {
			missing = append(missing, k.Path)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("scenario reference: no entry for %s", strings.Join(missing, ", "))
	}
	var b strings.Builder
	b.WriteString(referenceIntro)
	section := "-"
	for _, k := range Keys() {
		if k.Section != section {
			section = k.Section
			title := "The document"
			if section != "" {
				title = "Section `" + section + "`"
			}
			b.WriteString("\n## " + title + "\n\n")
			if s := sectionIntro[section]; s != "" {
				b.WriteString(s + "\n\n")
			}
		}
		d := docs[k.Path]
		fmt.Fprintf(&b, "### `%s`\n\n", k.Path)
		fmt.Fprintf(&b, "%s\n\n", d.Text)
		fmt.Fprintf(&b, "- type: %s\n", k.Type)
		if d.Default != "" {
			fmt.Fprintf(&b, "- default: %s\n", d.Default)
		}
		if d.Valid != "" {
			fmt.Fprintf(&b, "- valid: %s\n", d.Valid)
		}
		fmt.Fprintf(&b, "\n```yaml\n%s\n```\n\n", strings.TrimSpace(d.Example))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
