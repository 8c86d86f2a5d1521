package watcher

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"runtime"
	"testing"
)

// F25: the soak found the watcher's live heap growing with every distinct
// intent it processed: the de-duplication set kept an entry and a channel
// per content hash for the watcher's life. A done hash now holds one map
// slot and nothing else.
func TestADoneContentHashHoldsOnlyItsMapSlot(t *testing.T) {
	const n = 50_000
	d := newDedupSet()
	heap := func() uint64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	before := heap()
	var b [8]byte
	for i := range n {
		binary.LittleEndian.PutUint64(b[:], uint64(i))
		sum := sha256.Sum256(b[:])
		if ok, err := d.claim(context.Background(), sum); !ok || err != nil {
			t.Fatalf("claim %d: %v %v", i, ok, err)
		}
		d.done(sum)
	}
	per := float64(heap()-before) / n
	runtime.KeepAlive(d)
	t.Logf("%.0f bytes per done content hash", per)
	// A map slot of a 32-byte key and a pointer, with the map's growth
	// slack, is under 100 bytes; an entry and a channel each add ~150.
	if per > 100 {
		t.Errorf("%.0f bytes held per done content hash, want under 100 (the map slot alone)", per)
	}
	if ok, _ := d.claim(context.Background(), sha256.Sum256([]byte{0, 0, 0, 0, 0, 0, 0, 0})); ok {
		t.Error("a done hash was claimed again")
	}
}
