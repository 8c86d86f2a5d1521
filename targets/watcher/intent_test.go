package watcher

import (
	"errors"
	"strings"
	"testing"
)

func TestParseIntentNamesTheBadField(t *testing.T) {
	deep := strings.Repeat("[", 101) + strings.Repeat("]", 101)
	cases := []struct {
		name      string
		body      string
		wantField string // "" for a valid intent
		wantText  string
	}{
		{"a complete scaling intent is valid", `{"intent_type":"scaling","target":"nf-a","namespace":"ran-a","replicas":3}`, "", ""},
		{"intent_type may be omitted", `{"target":"nf-a","namespace":"ran-a","replicas":0,"extra":{"k":[1,2]}}`, "", ""},
		{"a missing target is named", `{"namespace":"ran-a","replicas":3}`, "target", "missing"},
		{"a missing namespace is named", `{"target":"nf-a","replicas":3}`, "namespace", "missing"},
		{"a missing replicas is named", `{"target":"nf-a","namespace":"ran-a"}`, "replicas", "missing"},
		{"replicas as a string is refused", `{"target":"nf-a","namespace":"ran-a","replicas":"3"}`, "replicas", `got "3"`},
		{"negative replicas are refused", `{"target":"nf-a","namespace":"ran-a","replicas":-1}`, "replicas", "0–1000"},
		{"an upper-case target is refused", `{"target":"NF","namespace":"ran-a","replicas":1}`, "target", "DNS-1123"},
		{"another intent type is refused", `{"intent_type":"delete","target":"nf-a","namespace":"ran-a","replicas":1}`, "intent_type", `"delete"`},
		{"an array is not an intent", `[1,2]`, "", "not a JSON object"},
		{"truncated JSON is refused", `{"target":"nf-a",`, "", "not a JSON object"},
		{"nesting past MaxJSONDepth is refused", `{"target":"nf-a","namespace":"ran-a","replicas":1,"x":` + deep + `}`, "", "MaxJSONDepth 100"},
		{"brackets inside strings do not count as depth", `{"target":"nf-a","namespace":"ran-a","replicas":1,"x":"` + strings.Repeat("[", 200) + `\""}`, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in, err := ParseIntent([]byte(tc.body), DefaultMaxJSONDepth)
			valid := tc.wantField == "" && tc.wantText == ""
			if valid {
				if err != nil {
					t.Fatalf("ParseIntent: %v", err)
				}
				if in.Target != "nf-a" || in.Namespace != "ran-a" {
					t.Fatalf("ParseIntent = %+v, want target nf-a namespace ran-a", in)
				}
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("ParseIntent error = %v, want *ValidationError", err)
			}
			if ve.Field != tc.wantField || !strings.Contains(err.Error(), tc.wantText) {
				t.Fatalf("ParseIntent error = %q (field %q), want field %q and text %q", err, ve.Field, tc.wantField, tc.wantText)
			}
		})
	}
}

func TestPackageNameIsAValidLabelDerivedFromContent(t *testing.T) {
	var a, b [32]byte
	b[0] = 1
	long := strings.Repeat("x", 63)
	cases := []struct {
		name   string
		target string
		sum    [32]byte
		want   string
	}{
		{"short target keeps its name", "nf-a", a, "nf-a-000000000000"},
		{"content changes the name", "nf-a", b, "nf-a-010000000000"},
		{"long target is cut to stay within 63 chars", long, a, strings.Repeat("x", 50) + "-000000000000"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := PackageName(tc.target, tc.sum)
			if got != tc.want || len(got) > 63 || !dnsLabel.MatchString(got) {
				t.Fatalf("PackageName = %q (len %d), want %q", got, len(got), tc.want)
			}
		})
	}
}
