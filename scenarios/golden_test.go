package scenarios

import (
	"bufio"
	"compress/gzip"
	"os"
	"strconv"
	"strings"
	"testing"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/oranbench/oranbench/scenarios/scenario"
)

// testdata/requests-golden.txt.gz holds, for every route, flow and fixture
// set of the mix catalog, the requests they produce: each route's requests
// 0 to 100 of a run named "golden" (through the mix targeter), each flow's
// steps for objects 0 to 100, every fixture request, and which fixture set
// each route and flow prepares. Lines are tab-separated:
//
//	prepare  NAME            FIXTURES
//	route    NAME            N  METHOD  PATH  CONTENT-TYPE  QUOTED-BODY
//	flow     NAME#STEP       ID METHOD  PATH  (empty)       QUOTED-BODY
//	fixture  FIXTURES#STAGE  I  METHOD  PATH  CONTENT-TYPE  QUOTED-BODY
//
// It was written from the route table as it stood before the catalog moved
// into mockbackend, so it names routes and flows by their old (dashed)
// names, which the check maps to the catalog's (goldenNames); a mix no
// longer accepts them. It must never be regenerated from the code it
// checks: a difference is a change of what a run sends.
const goldenRequests = "testdata/requests-golden.txt.gz"

// goldenNames maps the golden file's dashed names, from before the route
// catalog, to the catalog's.
var goldenNames = map[string]string{
	"a1-policytypes-list":    "a1.types.list",
	"a1-policy-put":          "a1.policy.put",
	"a1-policy-get":          "a1.policy.get",
	"a1-policy-status":       "a1.policy.status",
	"e2-servicemodels-list":  "e2.servicemodels.list",
	"e2-node-get":            "e2.node.get",
	"e2-subscription-create": "e2.subscription.create",
	"e2-subscription-get":    "e2.subscription.get",
	"e2-indications-list":    "e2.indications.list",
	"e2-control":             "e2.control",
	"porch-package-create":   "porch.package.create",
	"porch-package-get":      "porch.package.get",
	"porch-revision-get":     "porch.revision.get",
	"porch-k8s-create":       "porch.k8s.create",
	"porch-k8s-get":          "porch.k8s.get",
	"rag-query":              "rag.query",
	"rag-intent":             "rag.intent",
	"rag-process":            "rag.process",
	"llm-chat":               "llm.chat",
	"llm-chat-stream":        "llm.chat.stream",
	"porch-propose-approve":  "porch.package.publish",
	"porch-k8s-lifecycle":    "porch.k8s.lifecycle",
	"a1-policy-apply":        "a1.policy.apply",
	"e2-subscribe":           "e2.subscription.lifecycle",
	"intent-pipeline":        "intent.pipeline",
}

// catalogName is the catalog's name for a golden route or flow name.
func catalogName(golden string) string {
	if n, ok := goldenNames[golden]; ok {
		return n
	}
	return golden
}

func goldenLine(kind, name string, n int, method, path string, body []byte, contentType string) string {
	return strings.Join([]string{kind, name, strconv.Itoa(n), method, path, contentType, strconv.Quote(string(body))}, "\t")
}

// currentGoldenLine recomputes one line of the golden file from the catalog.
func currentGoldenLine(t *testing.T, fields []string) string {
	t.Helper()
	kind, name := fields[0], fields[1]
	if kind == "prepare" {
		if r, ok := scenario.LookupRoute(catalogName(name)); ok {
			return "prepare\t" + name + "\t" + r.Fixtures
		}
		if f, ok := scenario.LookupFlow(catalogName(name)); ok {
			return "prepare\t" + name + "\t" + f.Fixtures
		}
		t.Fatalf("golden name %q is neither a route nor a flow", name)
	}
	n, err := strconv.Atoi(fields[2])
	if err != nil {
		t.Fatalf("golden line %q: %v", strings.Join(fields, "\t"), err)
	}
	base, idx, _ := strings.Cut(name, "#")
	step, _ := strconv.Atoi(idx)
	switch kind {
	case "route":
		if _, ok := scenario.LookupRoute(catalogName(name)); !ok {
			t.Fatalf("golden route %q is not in the catalog", name)
		}
		m, err := newMixTargeter("", "golden", []scenario.MixEntry{{Route: catalogName(name), Weight: 1}}, 1)
		if err != nil {
			t.Fatal(err)
		}
		m.n.Store(uint64(n))
		var tgt vegeta.Target
		if err := m.targeter()(&tgt); err != nil {
			t.Fatal(err)
		}
		return goldenLine(kind, name, n, tgt.Method, tgt.URL, tgt.Body, tgt.Header.Get("Content-Type"))
	case "flow":
		f, ok := scenario.LookupFlow(catalogName(base))
		if !ok || step >= len(f.Steps) {
			t.Fatalf("golden flow step %q is not in the catalog", name)
		}
		oid := "golden-0-" + strconv.Itoa(n)
		st := f.Steps[step]
		var body []byte
		if st.Body != nil {
			body = st.Body(oid)
		}
		return goldenLine(kind, name, n, st.Method, st.Path(oid), body, "")
	case "fixture":
		stages := fixtureRequests(base, false, "")
		if step >= len(stages) || n >= len(stages[step]) {
			t.Fatalf("golden fixture %q request %d is not in the catalog", name, n)
		}
		tgt := stages[step][n]
		return goldenLine(kind, name, n, tgt.Method, tgt.URL, tgt.Body, tgt.Header.Get("Content-Type"))
	}
	t.Fatalf("golden line of unknown kind %q", kind)
	return ""
}

// TestRoutesFlowsAndFixturesSendTheGoldenRequests proves that every route,
// flow and fixture sends byte for byte the method, path and body it sent
// when the golden file was written.
func TestRoutesFlowsAndFixturesSendTheGoldenRequests(t *testing.T) {
	f, err := os.Open(goldenRequests)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	counts := map[string]int{}
	names := map[string]map[string]bool{}
	diffs := 0
	for ln := 1; sc.Scan(); ln++ {
		want := sc.Text()
		fields := strings.Split(want, "\t")
		if len(fields) < 3 {
			t.Fatalf("golden line %d: %q", ln, want)
		}
		if got := currentGoldenLine(t, fields); got != want {
			if diffs++; diffs <= 5 {
				t.Errorf("golden line %d differs:\n got %s\nwant %s", ln, got, want)
			}
		}
		counts[fields[0]]++
		if names[fields[0]] == nil {
			names[fields[0]] = map[string]bool{}
		}
		base, _, _ := strings.Cut(fields[1], "#")
		names[fields[0]][base] = true
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if diffs > 0 {
		t.Fatalf("%d of %d golden requests differ", diffs, counts["route"]+counts["flow"]+counts["fixture"])
	}
	// The file covers the whole old catalog: 20 routes × 101 requests, 5
	// flows × 101 objects, the 3 fixture sets.
	if len(names["route"]) != 20 || counts["route"] != 20*101 || len(names["flow"]) != 5 || len(names["fixture"]) != 3 || counts["prepare"] != 25 {
		t.Fatalf("golden file covers %d routes (%d requests), %d flows, %d fixture sets, %d prepare lines; want 20 (2020), 5, 3, 25",
			len(names["route"]), counts["route"], len(names["flow"]), len(names["fixture"]), counts["prepare"])
	}
}
