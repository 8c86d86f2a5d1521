package mockbackend

import (
	"bufio"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

type rawWatchEvent struct {
	Type   string `json:"type"`
	Object struct {
		Kind     string `json:"kind"`
		Code     int    `json:"code"`
		Reason   string `json:"reason"`
		Metadata struct {
			Name            string            `json:"name"`
			ResourceVersion string            `json:"resourceVersion"`
			Annotations     map[string]string `json:"annotations"`
		} `json:"metadata"`
	} `json:"object"`
}

// watchLines opens a watch and returns its events as they arrive and a
// channel closed when the stream ends.
func watchLines(t *testing.T, c *http.Client, url string) (<-chan rawWatchEvent, *http.Response) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != http.StatusOK {
		return nil, resp
	}
	ch := make(chan rawWatchEvent, 64)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(ch)
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			var ev rawWatchEvent
			if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
				t.Errorf("watch line %q: %v", sc.Text(), err)
				return
			}
			ch <- ev
		}
	}()
	t.Cleanup(func() { resp.Body.Close(); <-done })
	return ch, resp
}

func nextEvent(t *testing.T, ch <-chan rawWatchEvent) rawWatchEvent {
	t.Helper()
	select {
	case ev, ok := <-ch:
		if !ok {
			t.Fatal("the watch ended; want another event")
		}
		return ev
	case <-time.After(5 * time.Second):
		t.Fatal("no watch event within 5s")
	}
	return rawWatchEvent{}
}

func TestWatchStreamsChangesAndEndsOnItsTimeout(t *testing.T) {
	s := startServer(t, Config{TLS: true, WatchHistory: 3})
	c := newClient(t, s, nil)
	base := s.URL() + "/apis/porch.kpt.dev/v1alpha1/namespaces/ran/packagerevisions"
	obj := func(name, repo string) string {
		return `{"metadata":{"name":"` + name + `"},"spec":{"packageName":"p","repository":"` + repo + `"}}`
	}
	if r := do(t, c, "POST", base, obj("a.p.v1", "a")); r.code != 201 {
		t.Fatalf("create: %d %s", r.code, r.body)
	}

	// No resourceVersion: the current objects first, then the changes.
	all, _ := watchLines(t, c, base+"?watch=true&timeoutSeconds=2")
	if ev := nextEvent(t, all); ev.Type != "ADDED" || ev.Object.Metadata.Name != "a.p.v1" {
		t.Fatalf("first event %+v; want ADDED a.p.v1 (the current state)", ev)
	}
	// A field selector: only repository b.
	onlyB, _ := watchLines(t, c, base+"?watch=1&fieldSelector=spec.repository%3Db&resourceVersion=1&timeoutSeconds=2")
	do(t, c, "POST", base, obj("b.p.v1", "b"))
	do(t, c, "PATCH", base+"/b.p.v1", `{"metadata":{"labels":{"x":"y"}}}`)
	do(t, c, "DELETE", base+"/a.p.v1", "")
	for _, want := range []string{"ADDED b.p.v1", "MODIFIED b.p.v1", "DELETED a.p.v1"} {
		if ev := nextEvent(t, all); ev.Type+" "+ev.Object.Metadata.Name != want {
			t.Fatalf("event %s %s; want %s", ev.Type, ev.Object.Metadata.Name, want)
		}
	}
	for _, want := range []string{"ADDED b.p.v1", "MODIFIED b.p.v1"} {
		if ev := nextEvent(t, onlyB); ev.Type+" "+ev.Object.Metadata.Name != want {
			t.Fatalf("selected event %s %s; want %s", ev.Type, ev.Object.Metadata.Name, want)
		}
	}
	start := time.Now()
	if _, open := <-all; open {
		t.Fatal("an event after the last change; want the stream to end at timeoutSeconds")
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("the watch ended %v after the last change; want about 2s (timeoutSeconds)", d)
	}

	// sendInitialEvents: the state, then a bookmark that ends it.
	init, _ := watchLines(t, c, base+"?watch=true&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan&timeoutSeconds=1")
	if ev := nextEvent(t, init); ev.Type != "ADDED" || ev.Object.Metadata.Name != "b.p.v1" {
		t.Fatalf("initial event %+v; want ADDED b.p.v1", ev)
	}
	if ev := nextEvent(t, init); ev.Type != "BOOKMARK" || ev.Object.Metadata.Annotations[initialEventsEnd] != "true" {
		t.Fatalf("after the initial events %+v; want a BOOKMARK annotated %s", ev, initialEventsEnd)
	}

	// A fifth change pushes resourceVersion 2 out of the history of 3: a
	// watch from 1 would miss it.
	do(t, c, "PATCH", base+"/b.p.v1", `{"metadata":{"labels":{"x":"z"}}}`)
	for _, tc := range []struct {
		name, query string
		code        int
		want        string
	}{
		{"a resourceVersion older than the history", "resourceVersion=1", 410, `"reason":"Expired"`},
		{"a bad timeout", "timeoutSeconds=soon", 400, "timeoutSeconds"},
		{"a field no selector knows", "fieldSelector=spec.colour%3Dred", 400, "field label not supported: spec.colour"},
		{"a bad label selector", "labelSelector=a%20in%20(", 400, "labelSelector"},
		{"initial events without bookmarks", "sendInitialEvents=true", 422, "allowWatchBookmarks"},
	} {
		r := do(t, c, "GET", base+"?watch=true&"+tc.query, "")
		if r.code != tc.code || !strings.Contains(string(r.body), tc.want) || jsonPath(t, r.body, "kind") != "Status" {
			t.Errorf("%s: %d %s; want a %d Status with %s", tc.name, r.code, r.body, tc.code, tc.want)
		}
	}
}

// F4: watches were unbounded (5,000 held open at once). Beyond maxWatches
// one more is refused as a Kubernetes API server refuses requests beyond
// its in-flight limit: 429, Retry-After and a TooManyRequests Status; a
// slot freed by a watch that ends is taken again.
func TestWatchesBeyondMaxWatchesAreRefusedWith429(t *testing.T) {
	s := startServer(t, Config{MaxWatches: 2})
	c := newClient(t, s, nil)
	url := s.URL() + "/apis/porch.kpt.dev/v1alpha1/namespaces/ran/packagerevisions?watch=true&timeoutSeconds=30"
	open := func() *http.Response {
		t.Helper()
		resp, err := c.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	first, second := open(), open()
	if first.StatusCode != 200 || second.StatusCode != 200 {
		t.Fatalf("the first two watches: %d and %d, want 200", first.StatusCode, second.StatusCode)
	}
	r := do(t, c, "GET", url, "")
	if r.code != http.StatusTooManyRequests || r.header.Get("Retry-After") != "1" {
		t.Fatalf("a third watch: %d with Retry-After %q, want 429 with Retry-After 1", r.code, r.header.Get("Retry-After"))
	}
	if jsonPath(t, r.body, "kind") != "Status" || jsonPath(t, r.body, "reason") != "TooManyRequests" ||
		jsonPath(t, r.body, "details.retryAfterSeconds") != 1.0 || !strings.Contains(string(r.body), "maxWatches") {
		t.Errorf("the refusal body %s, want a TooManyRequests Status with retryAfterSeconds 1 naming maxWatches", r.body)
	}
	if got := s.porch.k8s.watchesRefused.Load(); got != 1 {
		t.Errorf("watches refused: %d, want 1", got)
	}
	m := do(t, c, "GET", s.URL()+"/metrics", "")
	for _, want := range []string{"oranbench_mock_watches_open 2", "oranbench_mock_watches_refused_total 1"} {
		if !strings.Contains(string(m.body), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	first.Body.Close()
	waitFor(t, func() bool { return s.porch.k8s.watches.Load() == 1 })
	if again := open(); again.StatusCode != 200 {
		t.Errorf("a watch after one ended: %d, want 200", again.StatusCode)
	}
}

// F4: with stores bounded, evictions are routine, and an evicted object's
// DELETED event took a resourceVersion above that of the ADDED that caused
// it while being recorded before it: a watcher saw resourceVersions go
// backwards and, resuming from the lower one, got the DELETED again.
func TestEvictionEventsKeepResourceVersionsIncreasing(t *testing.T) {
	s := startServer(t, Config{MaxObjects: 2})
	c := newClient(t, s, nil)
	base := s.URL() + "/apis/porch.kpt.dev/v1alpha1/namespaces/ran/packagerevisions"
	rv := jsonPath(t, do(t, c, "GET", base, "").body, "metadata.resourceVersion").(string)
	events, _ := watchLines(t, c, base+"?watch=true&timeoutSeconds=5&resourceVersion="+rv)
	for _, name := range []string{"a", "b", "c", "d"} {
		if r := do(t, c, "POST", base, `{"metadata":{"name":"`+name+`"},"spec":{"packageName":"p","repository":"r"}}`); r.code != 201 {
			t.Fatalf("create %s: %d %s", name, r.code, r.body)
		}
	}
	seen := map[string]bool{}
	last := 0
	for range 6 { // ADDED a, b, c, d; DELETED a, b
		ev := nextEvent(t, events)
		key := ev.Type + " " + ev.Object.Metadata.Name
		if seen[key] {
			t.Errorf("%s delivered twice", key)
		}
		seen[key] = true
		n, _ := strconv.Atoi(ev.Object.Metadata.ResourceVersion)
		if n <= last {
			t.Errorf("%s at resourceVersion %d after %d, want increasing", key, n, last)
		}
		last = n
	}
	for _, want := range []string{"ADDED a", "ADDED b", "ADDED c", "ADDED d", "DELETED a", "DELETED b"} {
		if !seen[want] {
			t.Errorf("no %s event; got %v", want, seen)
		}
	}
}
