package mockbackend

import (
	"container/list"
	"errors"
	"iter"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

var (
	errExists = errors.New("already exists")
	// errFull: the store holds maxObjects objects and evicting is off.
	errFull = errors.New("store is full (maxObjects reached, storeFull: reject)")
	// errNoSpace: the object does not fit in maxStoreBytes and evicting
	// is off.
	errNoSpace = errors.New("store is out of space (maxStoreBytes reached, storeFull: reject)")
	// errTooLarge: the object alone is larger than maxStoreBytes.
	errTooLarge = errors.New("object is larger than the whole store (maxStoreBytes)")
)

// isStoreFull reports a write a store refused for lack of room.
func isStoreFull(err error) bool {
	return errors.Is(err, errFull) || errors.Is(err, errNoSpace) || errors.Is(err, errTooLarge)
}

// storeObjectOverhead is what the store estimates an object costs beyond
// the bytes its storeSize counts: the map entry, the list element, the
// entry and the object's own struct and pointers.
const storeObjectOverhead = 256

// sized is a stored value that can estimate the bytes it keeps alive.
type sized interface {
	// storeSize is the bytes of the variable-length data the value holds
	// (bodies, names, slices); the store adds storeObjectOverhead.
	storeSize() int64
}

// store is a map of objects grouped by parent (e.g. A1 policies by policy
// type), bounded in object count and in bytes. Insertion order drives
// eviction, oldest first.
type store[V sized] struct {
	mu       sync.RWMutex
	max      int
	maxBytes int64
	bytes    int64 // sum of the entries' sizes
	refused  atomic.Int64
	evict    bool
	items    map[storeKey]*list.Element
	order    *list.List // of *storeEntry[V], oldest at the front
	children map[string]map[string]struct{}

	// indexer, when set, files each value under secondary keys (e.g. Porch
	// revisions by repository) that lookup answers without a scan.
	indexer func(V) []string
	byIndex map[string]map[storeKey]struct{}

	// onEvict, when set, learns of each object evicted to make room; it
	// runs under the store's lock.
	onEvict func(parent string, v V)
}

type storeKey struct{ parent, id string }

type storeEntry[V any] struct {
	key  storeKey
	val  V
	size int64 // what val counted for when stored
}

func entrySize[V sized](v V) int64 { return storeObjectOverhead + v.storeSize() }

// newStore returns a store of at most max objects and maxBytes bytes; when
// evict is set, room is made by dropping the oldest objects.
func newStore[V sized](max int, maxBytes int64, evict bool) *store[V] {
	return &store[V]{
		max:      max,
		maxBytes: maxBytes,
		evict:    evict,
		items:    make(map[storeKey]*list.Element),
		order:    list.New(),
		children: make(map[string]map[string]struct{}),
		byIndex:  make(map[string]map[storeKey]struct{}),
	}
}

// withIndex sets the secondary-key function; call before first use.
func (st *store[V]) withIndex(f func(V) []string) *store[V] {
	st.indexer = f
	return st
}

func (st *store[V]) indexLocked(k storeKey, v V, add bool) {
	if st.indexer == nil {
		return
	}
	for _, ix := range st.indexer(v) {
		set := st.byIndex[ix]
		if add {
			if set == nil {
				set = make(map[storeKey]struct{})
				st.byIndex[ix] = set
			}
			set[k] = struct{}{}
			continue
		}
		delete(set, k)
		if len(set) == 0 {
			delete(st.byIndex, ix)
		}
	}
}

// setLocked replaces the value of an existing entry, keeping indexes and the
// byte count right. It fails as roomLocked does when the new value does not
// fit, leaving the entry as it was; self is the entry's list element, never
// evicted to make room.
func (st *store[V]) setLocked(self *list.Element, v V) error {
	ent := self.Value.(*storeEntry[V])
	size := entrySize(v)
	if err := st.roomLocked(false, size-ent.size, size, self); err != nil {
		return err
	}
	st.indexLocked(ent.key, ent.val, false)
	st.bytes += size - ent.size
	ent.val, ent.size = v, size
	st.indexLocked(ent.key, v, true)
	return nil
}

// roomLocked makes room for grow more bytes, and one more object when add,
// evicting the oldest objects other than self when evicting is on. size is
// the whole object's: one larger than the bound is refused without
// evicting anything. A refusal is counted.
func (st *store[V]) roomLocked(add bool, grow, size int64, self *list.Element) error {
	if size > st.maxBytes {
		st.refused.Add(1)
		return errTooLarge
	}
	for {
		countFull := add && len(st.items) >= st.max
		bytesFull := grow > 0 && st.bytes+grow > st.maxBytes
		if !countFull && !bytesFull {
			return nil
		}
		if !st.evict {
			st.refused.Add(1)
			if countFull {
				return errFull
			}
			return errNoSpace
		}
		victim := st.order.Front()
		if victim == self {
			victim = victim.Next()
		}
		if victim == nil { // only self is left, and it fits: unreachable
			st.refused.Add(1)
			return errNoSpace
		}
		old := st.removeLocked(victim)
		if st.onEvict != nil {
			st.onEvict(old.key.parent, old.val)
		}
	}
}

// lookup returns the values filed under index key ix, ordered by id.
func (st *store[V]) lookup(ix string) []V {
	st.mu.RLock()
	defer st.mu.RUnlock()
	return st.sortedValues(maps.Keys(st.byIndex[ix]))
}

// sortedValues returns the values of keys ordered by parent, then id; the
// caller holds st.mu.
func (st *store[V]) sortedValues(keys iter.Seq[storeKey]) []V {
	sorted := slices.SortedFunc(keys, func(a, b storeKey) int {
		if a.parent != b.parent {
			return strings.Compare(a.parent, b.parent)
		}
		return strings.Compare(a.id, b.id)
	})
	out := make([]V, 0, len(sorted))
	for _, k := range sorted {
		out = append(out, st.items[k].Value.(*storeEntry[V]).val)
	}
	return out
}

func (st *store[V]) get(parent, id string) (V, bool) {
	st.mu.RLock()
	defer st.mu.RUnlock()
	if e, ok := st.items[storeKey{parent, id}]; ok {
		return e.Value.(*storeEntry[V]).val, true
	}
	var zero V
	return zero, false
}

// put inserts or replaces; created reports an insert. It fails as
// roomLocked does when there is no room, leaving the store as it was.
func (st *store[V]) put(parent, id string, v V) (created bool, err error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	k := storeKey{parent, id}
	if e, ok := st.items[k]; ok {
		return false, st.setLocked(e, v)
	}
	return true, st.insertLocked(k, v)
}

// upsert stores fn(old, exists) under the key atomically; created reports an
// insert. It fails with errFull or errNoSpace when there is no room (see
// roomLocked), leaving the store as it was.
func (st *store[V]) upsert(parent, id string, fn func(old V, exists bool) V) (created bool, err error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	k := storeKey{parent, id}
	if e, ok := st.items[k]; ok {
		return false, st.setLocked(e, fn(e.Value.(*storeEntry[V]).val, true))
	}
	var zero V
	return true, st.insertLocked(k, fn(zero, false))
}

// create inserts only; errExists when the key is taken, or a roomLocked
// error when there is no room.
func (st *store[V]) create(parent, id string, v V) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	k := storeKey{parent, id}
	if _, ok := st.items[k]; ok {
		return errExists
	}
	return st.insertLocked(k, v)
}

func (st *store[V]) insertLocked(k storeKey, v V) error {
	size := entrySize(v)
	if err := st.roomLocked(true, size, size, nil); err != nil {
		return err
	}
	st.bytes += size
	st.items[k] = st.order.PushBack(&storeEntry[V]{key: k, val: v, size: size})
	st.indexLocked(k, v, true)
	kids := st.children[k.parent]
	if kids == nil {
		kids = make(map[string]struct{})
		st.children[k.parent] = kids
	}
	kids[k.id] = struct{}{}
	return nil
}

func (st *store[V]) removeLocked(e *list.Element) *storeEntry[V] {
	ent := st.order.Remove(e).(*storeEntry[V])
	st.bytes -= ent.size
	k := ent.key
	st.indexLocked(k, ent.val, false)
	delete(st.items, k)
	if kids := st.children[k.parent]; kids != nil {
		delete(kids, k.id)
		if len(kids) == 0 {
			delete(st.children, k.parent)
		}
	}
	return ent
}

// update applies fn to the stored value under the write lock; fn's error is
// returned unchanged, and errFull or errNoSpace when the new value does not
// fit. ok is false when the key is absent.
func (st *store[V]) update(parent, id string, fn func(v V) (V, error)) (v V, ok bool, err error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	e, found := st.items[storeKey{parent, id}]
	if !found {
		return v, false, nil
	}
	ent := e.Value.(*storeEntry[V])
	nv, err := fn(ent.val)
	if err != nil {
		return ent.val, true, err
	}
	if err := st.setLocked(e, nv); err != nil {
		return ent.val, true, err
	}
	return nv, true, nil
}

func (st *store[V]) delete(parent, id string) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	e, ok := st.items[storeKey{parent, id}]
	if ok {
		st.removeLocked(e)
	}
	return ok
}

// deleteChildren removes every object under parent and returns how many.
func (st *store[V]) deleteChildren(parent string) int {
	st.mu.Lock()
	defer st.mu.Unlock()
	kids := st.children[parent]
	n := len(kids)
	for id := range kids {
		st.removeLocked(st.items[storeKey{parent, id}])
	}
	return n
}

// ids lists the ids under parent, sorted.
func (st *store[V]) ids(parent string) []string {
	st.mu.RLock()
	ids := make([]string, 0, len(st.children[parent]))
	for id := range st.children[parent] {
		ids = append(ids, id)
	}
	st.mu.RUnlock()
	slices.Sort(ids)
	return ids
}

// all lists every value, ordered by parent, then id.
func (st *store[V]) all() []V {
	st.mu.RLock()
	defer st.mu.RUnlock()
	return st.sortedValues(maps.Keys(st.items))
}

// values lists the values under parent, ordered by id.
func (st *store[V]) values(parent string) []V {
	ids := st.ids(parent)
	out := make([]V, 0, len(ids))
	for _, id := range ids {
		if v, ok := st.get(parent, id); ok {
			out = append(out, v)
		}
	}
	return out
}

func (st *store[V]) countChildren(parent string) int {
	st.mu.RLock()
	defer st.mu.RUnlock()
	return len(st.children[parent])
}

func (st *store[V]) len() int {
	st.mu.RLock()
	defer st.mu.RUnlock()
	return len(st.items)
}

// size returns the bytes the store holds by its estimate.
func (st *store[V]) size() int64 {
	st.mu.RLock()
	defer st.mu.RUnlock()
	return st.bytes
}

// refusals counts the writes refused for lack of room since start.
func (st *store[V]) refusals() int64 { return st.refused.Load() }

// The storeSize estimates of the stored types: the variable-length data
// each keeps alive. Fixed-size fields are in storeObjectOverhead; slices of
// structs count a small overhead per element.

// A policy keeps the request body it was read into, spare capacity and all.
func (t *a1PolicyType) storeSize() int64 { return int64(cap(t.Body)) }

func (p *a1Policy) storeSize() int64 { return int64(cap(p.Body)) }

func (n *e2Node) storeSize() int64 {
	b := int64(len(n.NodeID) + len(n.GlobalE2NodeID) + len(n.NodeType) + len(n.State))
	for _, f := range n.RANFunctions {
		b += 64 + int64(len(f.RANFunctionDefinition)+len(f.RANFunctionOID))
	}
	if n.Config != nil {
		b += int64(len(*n.Config))
	}
	return b
}

func (s *e2Subscription) storeSize() int64 {
	b := int64(len(s.SubscriptionID) + len(s.NodeID) + len(s.RequestorID) + len(s.Status))
	for _, raw := range s.EventTriggers {
		b += 24 + int64(len(raw))
	}
	for _, raw := range s.Actions {
		b += 24 + int64(len(raw))
	}
	return b
}

func (pr *packageRevision) storeSize() int64 {
	m := &pr.Metadata
	b := len(pr.APIVersion) + len(pr.Kind) + len(m.Name) + len(m.Namespace) + len(m.UID) + len(m.ResourceVersion) + len(m.CreationTimestamp)
	for k, v := range m.Labels {
		b += 32 + len(k) + len(v)
	}
	for k, v := range m.Annotations {
		b += 32 + len(k) + len(v)
	}
	sp := &pr.Spec
	b += len(sp.PackageName) + len(sp.Repository) + len(sp.WorkspaceName) + len(sp.Revision) + len(sp.Lifecycle) + len(sp.Intent)
	b += len(pr.Status.PublishedAt)
	for _, r := range pr.Status.Resources {
		b += 64 + len(r.Path) + len(r.SHA256)
	}
	return int64(b)
}
