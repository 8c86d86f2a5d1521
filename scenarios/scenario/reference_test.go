package scenario

import (
	"bytes"
	"flag"
	"os"
	"strings"
	"testing"
)

var updateReference = flag.Bool("update", false, "rewrite ../REFERENCE.md from the scenario language")

const referenceFile = "../REFERENCE.md"

// TestReferenceDocumentsEveryKey fails when the language gains a key that
// the reference does not document, or keeps an entry for a key it lost.
func TestReferenceDocumentsEveryKey(t *testing.T) {
	keys := map[string]bool{}
	for _, k := range Keys() {
		keys[k.Path] = true
	}
	seen := map[string]bool{}
	for _, d := range referenceDocs {
		if seen[d.Path] {
			t.Errorf("reference: %s is documented twice", d.Path)
		}
		seen[d.Path] = true
		if !keys[d.Path] {
			t.Errorf("reference: %s is documented but is no key of the language", d.Path)
		}
	}
	for k := range keys {
		if !seen[k] {
			t.Errorf("reference: key %s is not documented: add it to referenceDocs (reference_docs.go)", k)
		}
	}
}

// TestReferenceExamplesParse checks every example against the language, so an
// example cannot name a key that does not exist or a value its type refuses,
// and checks that it mentions the key it illustrates.
func TestReferenceExamplesParse(t *testing.T) {
	for _, d := range referenceDocs {
		if strings.TrimSpace(d.Text) == "" || strings.TrimSpace(d.Example) == "" {
			t.Errorf("reference: %s needs a description and an example", d.Path)
			continue
		}
		if err := CheckExample(d.Example); err != nil {
			t.Errorf("reference: the example of %s does not parse: %v\n%s", d.Path, err, d.Example)
		}
		last := d.Path[strings.LastIndexAny(d.Path, ".]")+1:]
		if !strings.Contains(d.Example, last) && !strings.Contains(d.Path, "<") {
			t.Errorf("reference: the example of %s does not show %q:\n%s", d.Path, last, d.Example)
		}
	}
}

// TestReferenceFileIsCurrent compares REFERENCE.md with what the language
// generates; -update rewrites it.
func TestReferenceFileIsCurrent(t *testing.T) {
	var b bytes.Buffer
	if err := WriteReference(&b); err != nil {
		t.Fatal(err)
	}
	if *updateReference {
		if err := os.WriteFile(referenceFile, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(referenceFile)
	if err != nil {
		t.Fatalf("%v: run go test ./scenarios/scenario -run TestReference -update", err)
	}
	if !bytes.Equal(got, b.Bytes()) {
		t.Errorf("%s is out of date: run go test ./scenarios/scenario -run TestReference -update", referenceFile)
	}
}

// TestCheckExampleRefusesAnUnknownKey shows the example check can fail.
func TestCheckExampleRefusesAnUnknownKey(t *testing.T) {
	if err := CheckExample("backend:\n  tsl: true"); err == nil || !strings.Contains(err.Error(), "backend.tsl") {
		t.Errorf("CheckExample(backend.tsl) = %v, want an unknown-field error naming backend.tsl", err)
	}
	if err := CheckExample("load:\n  rate: fast"); err == nil {
		t.Error("CheckExample(load.rate: fast) = nil, want an error")
	}
}
