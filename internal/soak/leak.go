package soak

import (
	"context"
	"os"
	"sync"
	"time"
)

// The leak control's rates: what a soak must catch. A subject that leaks
// this little beside the others, under the same load, and is not flagged
// voids the soak's verdicts.
const (
	LeakEvery           = time.Minute
	LeakHeapBytes       = 64 << 10 // per LeakEvery
	LeakFDEvery         = 10       // one fd per this many LeakEvery
	leakGoroutinesEvery = 1
)

// LeakText describes the control's leak at speedup 1.
const LeakText = "1 goroutine and 64 KiB of live heap per minute, and 1 fd per 10 minutes"

// Leak leaks on purpose until ctx ends: every period one goroutine and
// LeakHeapBytes of heap kept live (touched, so resident too), and every
// LeakFDEvery periods one open file. It then releases all it held and
// returns once its goroutines have ended.
func Leak(ctx context.Context, period time.Duration) {
	var (
		held  [][]byte
		files []*os.File
		wg    sync.WaitGroup
	)
	defer func() {
		wg.Wait()
		for _, f := range files {
			f.Close()
		}
		held = nil
		_ = held
	}()
	tick := time.NewTicker(period)
	defer tick.Stop()
	for n := 1; ; n++ {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		wg.Add(leakGoroutinesEvery)
		go func() { defer wg.Done(); <-ctx.Done() }()
		b := make([]byte, LeakHeapBytes)
		for i := range b {
			b[i] = byte(i)
		}
		held = append(held, b)
		if n%LeakFDEvery == 0 {
			if f, err := os.Open(os.DevNull); err == nil {
				files = append(files, f)
			}
		}
	}
}
