package watcher

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
)

// IntentPattern is the file-name pattern the watcher reacts to.
const IntentPattern = "intent-*.json"

// MaxReplicas is the largest replica count an intent may ask for.
const MaxReplicas = 1000

// Intent is a scaling intent: the fields the watcher requires and checks.
// Other fields in the file are kept in the raw JSON sent to Porch.
type Intent struct {
	// IntentType is optional; when present it must be "scaling".
	IntentType string `json:"intent_type,omitempty"`
	// Target is the network function to scale: a DNS-1123 label.
	Target string `json:"target"`
	// Namespace is the target's namespace: a DNS-1123 label.
	Namespace string `json:"namespace"`
	// Replicas is the desired replica count, 0–MaxReplicas.
	Replicas int `json:"replicas"`
}

// ValidationError names the field of an intent that is wrong and why.
type ValidationError struct {
	Field  string
	Reason string
}

func (e *ValidationError) Error() string {
	if e.Field == "" {
		return e.Reason
	}
	return fmt.Sprintf("field %q: %s", e.Field, e.Reason)
}

var dnsLabel = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$`)

// isIntentName reports whether a base file name is an intent file.
func isIntentName(name string) bool {
	ok, _ := filepath.Match(IntentPattern, name)
	return ok
}

// ParseIntent checks data against the depth cap and the intent schema. The
// error is a *ValidationError naming the offending field.
func ParseIntent(data []byte, maxDepth int) (Intent, error) {
	if err := checkDepth(data, maxDepth); err != nil {
		return Intent{}, err
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		return Intent{}, &ValidationError{Reason: fmt.Sprintf("not a JSON object: %v", err)}
	}
	var in Intent
	if raw, ok := fields["intent_type"]; ok {
		if err := json.Unmarshal(raw, &in.IntentType); err != nil || in.IntentType != "scaling" {
			return Intent{}, &ValidationError{Field: "intent_type", Reason: fmt.Sprintf("want \"scaling\", got %s", clip(raw))}
		}
	}
	for _, f := range []struct {
		name string
		dst  *string
	}{{"target", &in.Target}, {"namespace", &in.Namespace}} {
		raw, ok := fields[f.name]
		if !ok {
			return Intent{}, &ValidationError{Field: f.name, Reason: "required field is missing"}
		}
		if err := json.Unmarshal(raw, f.dst); err != nil || !dnsLabel.MatchString(*f.dst) {
			return Intent{}, &ValidationError{Field: f.name, Reason: fmt.Sprintf("want a DNS-1123 label (lower-case letters, digits, '-', ≤ 63 chars), got %s", clip(raw))}
		}
	}
	raw, ok := fields["replicas"]
	if !ok {
		return Intent{}, &ValidationError{Field: "replicas", Reason: "required field is missing"}
	}
	if err := json.Unmarshal(raw, &in.Replicas); err != nil || in.Replicas < 0 || in.Replicas > MaxReplicas {
		return Intent{}, &ValidationError{Field: "replicas", Reason: fmt.Sprintf("want an integer 0–%d, got %s", MaxReplicas, clip(raw))}
	}
	return in, nil
}

// checkDepth rejects JSON nested deeper than maxDepth without building it, so
// a hostile file cannot make the decoder recurse deeply.
func checkDepth(data []byte, maxDepth int) error {
	depth, inString, escaped := 0, false, false
	for _, b := range data {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case b == '\\':
				escaped = true
			case b == '"':
				inString = false
			}
		case b == '"':
			inString = true
		case b == '{' || b == '[':
			depth++
			if depth > maxDepth {
				return &ValidationError{Reason: fmt.Sprintf("JSON nesting deeper than MaxJSONDepth %d", maxDepth)}
			}
		case b == '}' || b == ']':
			depth--
		}
	}
	return nil
}

// clip shortens a raw JSON value for an error message.
func clip(raw []byte) string {
	const maxLen = 64
	raw = bytes.TrimSpace(raw)
	if len(raw) > maxLen {
		return string(raw[:maxLen]) + "…"
	}
	return string(raw)
}

// errTooLarge is returned when an intent file exceeds MaxFileBytes.
var errTooLarge = errors.New("file exceeds MaxFileBytes")
