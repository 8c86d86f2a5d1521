package scenario

import (
	"fmt"
	"strconv"
	"strings"
)

// Template placeholders of custom requests and body overrides.
const (
	placeholderN   = "{{n}}"   // request number within the run
	placeholderRun = "{{run}}" // the run's unique prefix
	placeholderID  = "{{id}}"  // run-n: unique across runs
)

func u(n uint64) string { return strconv.FormatUint(n, 10) }

// Template is a path or body with placeholders, split once so that
// rendering is a few appends per request.
type Template struct {
	parts []string // literals at even indexes, placeholders at odd ones
}

// CompileTemplate splits s at its placeholders ({{n}}, {{run}}, {{id}}); an
// unknown placeholder is an error naming the valid ones.
func CompileTemplate(s string) (*Template, error) {
	t := &Template{}
	for {
		i := strings.Index(s, "{{")
		if i < 0 {
			t.parts = append(t.parts, s)
			return t, nil
		}
		j := strings.Index(s[i:], "}}")
		if j < 0 {
			return nil, fmt.Errorf("unclosed %q; placeholders are %s, %s and %s", "{{", placeholderN, placeholderRun, placeholderID)
		}
		ph := s[i : i+j+2]
		switch ph {
		case placeholderN, placeholderRun, placeholderID:
		default:
			return nil, fmt.Errorf("unknown placeholder %s; valid are %s, %s and %s", ph, placeholderN, placeholderRun, placeholderID)
		}
		t.parts = append(t.parts, s[:i], ph)
		s = s[i+j+2:]
	}
}

// Render is the text with run for {{run}}, n for {{n}} and run-n for
// {{id}}.
func (t *Template) Render(run string, n uint64) string {
	if len(t.parts) == 1 {
		return t.parts[0]
	}
	var b strings.Builder
	for i, p := range t.parts {
		if i%2 == 0 {
			b.WriteString(p)
			continue
		}
		switch p {
		case placeholderN:
			b.WriteString(u(n))
		case placeholderRun:
			b.WriteString(run)
		case placeholderID:
			b.WriteString(run + "-" + u(n))
		}
	}
	return b.String()
}
