package engine

import (
	"sync"
	"time"
)

// CPUWindow is what a load generator's process spent over the steady part
// of an attack: its own CPU time (user+sys from getrusage, every thread and
// the garbage collector included) between two samples, and the requests
// completed between them. Start-up (flag parsing, client-go's init, the
// binary's page-in) and teardown (merging, printing, closing connections)
// fall outside it, so CPU per request compares generators fairly whatever
// their binary.
type CPUWindow struct {
	Requests int64
	Wall     time.Duration
	CPU      time.Duration
}

// PerRequest is CPU divided by Requests, 0 when none completed.
func (w CPUWindow) PerRequest() time.Duration {
	if w.Requests <= 0 {
		return 0
	}
	return w.CPU / time.Duration(w.Requests)
}

// Utilization is CPU divided by Wall: 1.0 is one CPU busy all the time.
func (w CPUWindow) Utilization() float64 {
	if w.Wall <= 0 {
		return 0
	}
	return w.CPU.Seconds() / w.Wall.Seconds()
}

// WindowSkip is how much of an attack of duration d the steady window
// leaves out at the start (connection set-up, TLS handshakes, the first
// garbage collections): a tenth of it, at most one second.
func WindowSkip(d time.Duration) time.Duration { return min(d/10, time.Second) }

// WindowProbe measures a CPUWindow. StartWindow samples at once, and again
// after skip unless Stop comes first; Stop samples the end. So a load that
// ends before skip (bounded by a request count) is measured from its first
// request.
type WindowProbe struct {
	done func() int64
	stop chan struct{}
	wg   sync.WaitGroup

	mu    sync.Mutex
	start cpuSample
}

type cpuSample struct {
	at   time.Time
	cpu  time.Duration
	done int64
}

// sampleCPU reads the process's CPU time; ok is false where the platform has
// no getrusage.
func sampleCPU(done func() int64) (s cpuSample, ok bool) {
	cpu, ok := processCPU()
	return cpuSample{at: time.Now(), cpu: cpu, done: done()}, ok
}

// StartWindow starts measuring; done returns the number of requests
// completed so far (it is called from another goroutine).
func StartWindow(skip time.Duration, done func() int64) *WindowProbe {
	p := &WindowProbe{done: done, stop: make(chan struct{})}
	p.start, _ = sampleCPU(done)
	if skip > 0 {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			t := time.NewTimer(skip)
			defer t.Stop()
			select {
			case <-t.C:
				s, _ := sampleCPU(done)
				p.mu.Lock()
				p.start = s
				p.mu.Unlock()
			case <-p.stop:
			}
		}()
	}
	return p
}

// Stop ends the window and returns it; the zero CPUWindow where the
// platform cannot measure CPU time. Call it once.
func (p *WindowProbe) Stop() CPUWindow {
	close(p.stop)
	p.wg.Wait()
	end, ok := sampleCPU(p.done)
	if !ok {
		return CPUWindow{}
	}
	p.mu.Lock()
	start := p.start
	p.mu.Unlock()
	return CPUWindow{Requests: end.done - start.done, Wall: end.at.Sub(start.at), CPU: end.cpu - start.cpu}
}
