package mockbackend

import (
	"container/list"
	"errors"
	"iter"
	"maps"
	"slices"
	"strings"
	"sync"
)

var (
	errExists = errors.New("already exists")
	errFull   = errors.New("store is full")
)

// store is a bounded map of objects grouped by parent (e.g. A1 policies by
// policy type). Insertion order drives eviction, oldest first.
type store[V any] struct {
	mu       sync.RWMutex
	max      int
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
	key storeKey
	val V
}

func newStore[V any](max int, evict bool) *store[V] {
	return &store[V]{
		max:      max,
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

// setLocked replaces the value of an existing entry, keeping indexes right.
func (st *store[V]) setLocked(ent *storeEntry[V], v V) {
	st.indexLocked(ent.key, ent.val, false)
	ent.val = v
	st.indexLocked(ent.key, v, true)
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

// put inserts or replaces; created reports an insert. It fails with errFull
// only when the store is full and evicting is off.
func (st *store[V]) put(parent, id string, v V) (created bool, err error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	k := storeKey{parent, id}
	if e, ok := st.items[k]; ok {
		st.setLocked(e.Value.(*storeEntry[V]), v)
		return false, nil
	}
	return true, st.insertLocked(k, v)
}

// upsert stores fn(old, exists) under the key atomically; created reports an
// insert. It fails with errFull when the store is full and evicting is off.
func (st *store[V]) upsert(parent, id string, fn func(old V, exists bool) V) (created bool, err error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	k := storeKey{parent, id}
	if e, ok := st.items[k]; ok {
		ent := e.Value.(*storeEntry[V])
		st.setLocked(ent, fn(ent.val, true))
		return false, nil
	}
	var zero V
	return true, st.insertLocked(k, fn(zero, false))
}

// create inserts only; errExists when the key is taken.
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
	for len(st.items) >= st.max {
		if !st.evict {
			return errFull
		}
		old := st.removeLocked(st.order.Front())
		if st.onEvict != nil {
			st.onEvict(old.key.parent, old.val)
		}
	}
	st.items[k] = st.order.PushBack(&storeEntry[V]{key: k, val: v})
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
// returned unchanged. ok is false when the key is absent.
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
	st.setLocked(ent, nv)
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
