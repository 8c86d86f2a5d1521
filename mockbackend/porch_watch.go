package mockbackend

import (
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Watch event types, as the Kubernetes API spells them.
const (
	watchAdded    = "ADDED"
	watchModified = "MODIFIED"
	watchDeleted  = "DELETED"
	watchBookmark = "BOOKMARK"
	watchError    = "ERROR"
)

// DefaultWatchHistory is how many PackageRevision changes the mock keeps
// for watches that resume from a resourceVersion (Config.WatchHistory).
const DefaultWatchHistory = 1000

// DefaultWatchTimeout ends a watch that sets no timeoutSeconds, as the
// Kubernetes API server's --min-request-timeout does.
const DefaultWatchTimeout = 30 * time.Minute

// initialEventsEnd is the bookmark annotation that ends the initial events
// of a watch with sendInitialEvents=true.
const initialEventsEnd = "k8s.io/initial-events-end"

// k8sObjects is the Kubernetes-style PackageRevision store with its change
// history. Writes are serialized, and each takes its resourceVersion inside
// the lock, so resourceVersions increase in the order watchers see them.
type k8sObjects struct {
	mu  sync.RWMutex
	st  *store[*packageRevision]
	seq *atomic.Int64

	// history is a ring of the last len(history) events; events at or
	// below compacted are forgotten, and a watch from there answers 410.
	// The ring is bounded in bytes too (maxBytes, the store's bound): its
	// events may hold objects the store no longer does, and large ones.
	history   []watchEvent
	head, n   int
	compacted int64
	bytes     int64 // sum of the sizes of the events in the ring
	maxBytes  int64
	changed   chan struct{} // closed and replaced at every event

	// evicted collects the objects the store drops to make room during a
	// write; their DELETED events are recorded after the write's own, so
	// the history stays in resourceVersion order. Guarded by mu.
	evicted []*packageRevision

	watches        atomic.Int64 // open now
	watchesRefused atomic.Int64 // refused beyond maxWatches since start
}

type watchEvent struct {
	typ  string
	rv   int64
	obj  *packageRevision
	size int64
}

func newK8sObjects(st *store[*packageRevision], seq *atomic.Int64, history int) *k8sObjects {
	k := &k8sObjects{st: st, seq: seq, history: make([]watchEvent, history), maxBytes: st.maxBytes, changed: make(chan struct{})}
	st.onEvict = func(_ string, pr *packageRevision) { k.evicted = append(k.evicted, pr) }
	return k
}

// recordEvictedLocked records a DELETED event for each object evicted by
// the write just made; call with mu held, after that write's own event.
func (k *k8sObjects) recordEvictedLocked() {
	for i, pr := range k.evicted {
		k.recordDeleteLocked(pr)
		k.evicted[i] = nil
	}
	k.evicted = k.evicted[:0]
}

// stamp gives pr the next resourceVersion; call with mu held.
func (k *k8sObjects) stamp(pr *packageRevision) int64 {
	rv := k.seq.Add(1)
	pr.Metadata.ResourceVersion = strconv.FormatInt(rv, 10)
	return rv
}

// recordLocked appends an event; call with mu held.
func (k *k8sObjects) recordLocked(typ string, rv int64, pr *packageRevision) {
	if len(k.history) == 0 {
		k.compacted = rv
	} else {
		size := entrySize(pr)
		// Forget the oldest events while the ring is full in count or in
		// bytes, as etcd compacts: a watch from before them answers 410.
		for k.n > 0 && (k.n == len(k.history) || k.bytes+size > k.maxBytes) {
			old := &k.history[k.head]
			k.compacted = old.rv
			k.bytes -= old.size
			*old = watchEvent{}
			k.head = (k.head + 1) % len(k.history)
			k.n--
		}
		k.history[(k.head+k.n)%len(k.history)] = watchEvent{typ: typ, rv: rv, obj: pr, size: size}
		k.bytes += size
		k.n++
	}
	close(k.changed)
	k.changed = make(chan struct{})
}

func (k *k8sObjects) recordDeleteLocked(pr *packageRevision) {
	c := *pr
	rv := k.stamp(&c)
	k.recordLocked(watchDeleted, rv, &c)
}

func (k *k8sObjects) get(ns, name string) (*packageRevision, bool) { return k.st.get(ns, name) }

func (k *k8sObjects) len() int { return k.st.len() }

// create stores pr (errExists, errFull) with a new resourceVersion.
func (k *k8sObjects) create(ns string, pr *packageRevision) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	// pr took its resourceVersion before the lock; it keeps it when no
	// other was handed out since, so every event before it is older.
	rv, err := strconv.ParseInt(pr.Metadata.ResourceVersion, 10, 64)
	if err != nil || rv != k.seq.Load() {
		rv = k.stamp(pr)
	}
	defer k.recordEvictedLocked()
	if err := k.st.create(ns, pr.Metadata.Name, pr); err != nil {
		return err
	}
	k.recordLocked(watchAdded, rv, pr)
	return nil
}

// update replaces the object with fn's copy, stamped with a new
// resourceVersion; found is false when it does not exist.
func (k *k8sObjects) update(ns, name string, fn func(*packageRevision) (*packageRevision, error)) (*packageRevision, bool, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	defer k.recordEvictedLocked()
	var rv int64
	pr, found, err := k.st.update(ns, name, func(old *packageRevision) (*packageRevision, error) {
		c, err := fn(old)
		if err != nil {
			return nil, err
		}
		if c == old {
			cc := *old
			c = &cc
		}
		rv = k.stamp(c)
		return c, nil
	})
	if found && err == nil {
		k.recordLocked(watchModified, rv, pr)
	}
	return pr, found, err
}

// delete removes the object and records its deletion.
func (k *k8sObjects) delete(ns, name string) (*packageRevision, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	pr, ok := k.st.get(ns, name)
	if !ok || !k.st.delete(ns, name) {
		return nil, false
	}
	k.recordDeleteLocked(pr)
	return pr, true
}

// list returns the objects of ns (every namespace when all) and the
// resourceVersion they were current at.
func (k *k8sObjects) list(ns string, all bool) ([]*packageRevision, int64) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	var items []*packageRevision
	if all {
		items = k.st.all()
	} else {
		items = k.st.values(ns)
	}
	return items, k.seq.Load()
}

// since returns the events after resourceVersion from, and a channel closed
// at the next event; ok is false when the history no longer reaches back to
// from.
func (k *k8sObjects) since(from int64) (evs []watchEvent, next <-chan struct{}, ok bool) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	if from < k.compacted {
		return nil, nil, false
	}
	for i := range k.n {
		ev := k.history[(k.head+i)%len(k.history)]
		if ev.rv > from {
			evs = append(evs, ev)
		}
	}
	return evs, k.changed, true
}

// oldest is the oldest resourceVersion a watch may start from.
func (k *k8sObjects) oldest() int64 {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.compacted
}

// watchRequest is a parsed watch=true list request.
type watchRequest struct {
	ns        string
	all       bool // every namespace
	sel       *k8sSelector
	from      int64 // resourceVersion to start after; -1: send the current state first
	timeout   time.Duration
	initial   bool // sendInitialEvents: the current state first, then a bookmark
	bookmarks bool // allowWatchBookmarks
}

// parseWatch reads the watch parameters of a list request; it writes a
// 400 Status and reports false for a bad one.
func parseWatch(w http.ResponseWriter, r *http.Request, ns string, all bool, sel *k8sSelector) (watchRequest, bool) {
	q := r.URL.Query()
	wr := watchRequest{ns: ns, all: all, sel: sel, from: -1, timeout: DefaultWatchTimeout,
		bookmarks: q.Get("allowWatchBookmarks") == "true", initial: q.Get("sendInitialEvents") == "true"}
	if v := q.Get("timeoutSeconds"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			writeK8sStatus(w, http.StatusBadRequest, metav1.StatusReasonBadRequest, "", "timeoutSeconds", "timeoutSeconds "+strconv.Quote(v)+" is invalid; valid: a whole number of seconds >= 0")
			return wr, false
		}
		if n > 0 {
			wr.timeout = time.Duration(n) * time.Second
		}
	}
	switch v := q.Get("resourceVersion"); v {
	case "", "0":
	default:
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			writeK8sStatus(w, http.StatusBadRequest, metav1.StatusReasonBadRequest, "", "resourceVersion", "resourceVersion "+strconv.Quote(v)+" is invalid; valid: a resourceVersion from an object or list, or 0")
			return wr, false
		}
		if !wr.initial {
			wr.from = n
		}
	}
	if wr.initial && !wr.bookmarks {
		writeK8sStatus(w, http.StatusUnprocessableEntity, metav1.StatusReasonInvalid, "", "allowWatchBookmarks", "sendInitialEvents requires allowWatchBookmarks=true")
		return wr, false
	}
	return wr, true
}

// k8sWatch streams watch events as newline-separated JSON objects
// ({"type":"ADDED","object":{...}}) until the timeout, the client going away
// or the server shutting down. A resourceVersion older than the history
// answers 410 Gone (reason Expired).
func (s *Server) k8sWatch(w http.ResponseWriter, r *http.Request, wr watchRequest) {
	k := s.porch.k8s
	if n := k.watches.Add(1); n > int64(s.cfg.MaxWatches) {
		k.watches.Add(-1)
		k.watchesRefused.Add(1)
		writeK8sTooManyWatches(w, s.cfg.MaxWatches)
		return
	}
	defer k.watches.Add(-1)
	cursor := wr.from
	var initial []*packageRevision
	if cursor < 0 {
		initial, cursor = k.list(wr.ns, wr.all)
	} else if oldest := k.oldest(); cursor < oldest {
		writeK8sStatus(w, http.StatusGone, metav1.StatusReasonExpired, "", "",
			"too old resource version: "+strconv.FormatInt(cursor, 10)+" ("+strconv.FormatInt(oldest, 10)+")")
		return
	}
	timer := time.NewTimer(wr.timeout)
	defer timer.Stop()
	w.Header().Set("Content-Type", contentTypeJSON)
	w.Header().Set("Cache-Control", "no-cache, private")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	enc := json.NewEncoder(w)
	send := func(typ string, obj any) bool {
		return enc.Encode(struct {
			Type   string `json:"type"`
			Object any    `json:"object"`
		}{typ, obj}) == nil
	}
	for _, pr := range initial {
		if wr.sel.matches(pr) && !send(watchAdded, pr) {
			return
		}
	}
	if wr.initial {
		bm := bookmark(cursor)
		bm.Metadata.Annotations = map[string]string{initialEventsEnd: "true"}
		if !send(watchBookmark, bm) {
			return
		}
	}
	if rc.Flush() != nil {
		return
	}
	for {
		evs, next, ok := k.since(cursor)
		if !ok {
			// The watcher fell behind the history: end the stream the way
			// the API server does, so the client re-lists.
			send(watchError, k8sStatusBody(http.StatusGone, metav1.StatusReasonExpired, "", "",
				"too old resource version: "+strconv.FormatInt(cursor, 10)+" ("+strconv.FormatInt(k.oldest(), 10)+")"))
			_ = rc.Flush()
			return
		}
		for _, ev := range evs {
			cursor = ev.rv
			if ev.obj.Metadata.Namespace != wr.ns && !wr.all || !wr.sel.matches(ev.obj) {
				continue
			}
			if !send(ev.typ, ev.obj) {
				return
			}
		}
		if len(evs) > 0 && rc.Flush() != nil {
			return
		}
		select {
		case <-next:
		case <-timer.C:
			return
		case <-r.Context().Done():
			return
		case <-s.closing:
			return
		case <-s.watchStop:
			return
		}
	}
}

// watchRetryAfter is the Retry-After of a watch refused beyond maxWatches:
// the second a Kubernetes API server asks for beyond its in-flight limit.
const watchRetryAfter = 1

// writeK8sTooManyWatches refuses a watch beyond maxWatches as a Kubernetes
// API server refuses requests beyond --max-requests-inflight: 429 with
// Retry-After. The body is the Status apierrors.NewTooManyRequests builds,
// reason TooManyRequests with details.retryAfterSeconds, which client-go
// and kubectl read; the server's own filter sends the same code and header.
func writeK8sTooManyWatches(w http.ResponseWriter, max int) {
	st := k8sStatusBody(http.StatusTooManyRequests, metav1.StatusReasonTooManyRequests, "", "",
		"Too many requests, please try again later: "+strconv.Itoa(max)+" watches are open (maxWatches)")
	st.Details.RetryAfterSeconds = watchRetryAfter
	w.Header().Set("Retry-After", strconv.Itoa(watchRetryAfter))
	writeJSON(w, http.StatusTooManyRequests, st)
}

// isWatch reports a list request that asks for a watch.
func isWatch(r *http.Request) bool {
	v := r.URL.Query().Get("watch")
	return v == "true" || v == "1"
}

// bookmark is the object of a BOOKMARK event: only its resourceVersion.
func bookmark(rv int64) *packageRevision {
	return &packageRevision{APIVersion: porchAPIVersion, Kind: porchKind,
		Metadata: objectMeta{ResourceVersion: strconv.FormatInt(rv, 10)}}
}
