package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/oranbench/oranbench/scenarios"
	"github.com/oranbench/oranbench/targets/transport"
)

// manifests decodes every document of deploy/*.yaml by kind and name.
func manifests(t *testing.T) map[string]map[string]any {
	t.Helper()
	files, err := filepath.Glob("../../deploy/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests under deploy/: %v", err)
	}
	out := map[string]map[string]any{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(b))
		for {
			var doc map[string]any
			if err := dec.Decode(&doc); err != nil {
				if errors.Is(err, io.EOF) {
					break
				}
				t.Fatalf("%s: %v", f, err)
			}
			meta, _ := doc["metadata"].(map[string]any)
			out[fmt.Sprint(doc["kind"], "/", meta["name"])] = doc
		}
	}
	return out
}

func dig(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			s, _ := v.([]any)
			if k >= len(s) {
				return nil
			}
			v = s[k]
		}
	}
	return v
}

func TestTheShardJobRunsOneShardPerCompletionIndexAgainstAServiceAddress(t *testing.T) {
	m := manifests(t)
	job, ok := m["Job/oranbench-shards"]
	if !ok {
		t.Fatalf("no Job oranbench-shards among %d manifests", len(m))
	}
	n := dig(job, "spec", "completions")
	if dig(job, "spec", "completionMode") != "Indexed" || n != dig(job, "spec", "parallelism") {
		t.Fatalf("want an Indexed Job whose shards all run at once: mode %v, completions %v, parallelism %v",
			dig(job, "spec", "completionMode"), n, dig(job, "spec", "parallelism"))
	}
	c := dig(job, "spec", "template", "spec", "containers", 0)
	args := fmt.Sprint(dig(c, "args"))
	for _, want := range []string{fmt.Sprintf("--shard=$(JOB_COMPLETION_INDEX)/%v", n), "--allow-remote", "--out=/results/shard-$(JOB_COMPLETION_INDEX)"} {
		if !strings.Contains(args, want) {
			t.Errorf("shard args %s lack %s", args, want)
		}
	}
	if env := fmt.Sprint(dig(c, "env")); !strings.Contains(env, "batch.kubernetes.io/job-completion-index") {
		t.Errorf("JOB_COMPLETION_INDEX is not taken from the completion index: %s", env)
	}
	merge := fmt.Sprint(dig(m["Job/oranbench-merge"], "spec", "template", "spec", "containers", 0, "args"))
	if !strings.Contains(merge, "--merge") || !strings.Contains(merge, "/results/shard-*") {
		t.Errorf("merge Job args %s", merge)
	}

	doc, _ := dig(m["ConfigMap/oranbench-scenario"], "data", "sharded.yaml").(string)
	s, err := scenarios.Parse("deploy/scenario.yaml", []byte(doc), transport.NewRegistry())
	if err != nil {
		t.Fatalf("the ConfigMap's scenario does not load: %v", err)
	}
	if !strings.Contains(s.Spec().Backend.URL, ".svc.cluster.local") || scenarios.CheckBackend(s, false) == nil || scenarios.CheckBackend(s, true) != nil {
		t.Errorf("the scenario should target a Service address, refused without --allow-remote: %q", s.Spec().Backend.URL)
	}
	for i := 0; i < n.(int); i++ {
		if _, err := s.Shard(i, n.(int)); err != nil {
			t.Errorf("shard %d/%v: %v", i, n, err)
		}
	}
}

func TestNoManifestHoldsAPrivateAddress(t *testing.T) {
	private := regexp.MustCompile(`\b(10\.\d+\.\d+\.\d+|192\.168\.\d+\.\d+|172\.(1[6-9]|2\d|3[01])\.\d+\.\d+)\b`)
	files, _ := filepath.Glob("../../deploy/*")
	if len(files) < 5 {
		t.Fatalf("deploy/ holds %d files", len(files))
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if ip := private.Find(b); ip != nil {
			t.Errorf("%s holds the private address %s", f, ip)
		}
	}
}
