package mockbackend

import (
	"math/rand/v2"
	"sync"
	"time"

	"github.com/Shopify/toxiproxy/v2/toxics"
)

// rttToxicType is the Toxiproxy toxic the mock's RTT and jitter use.
const rttToxicType = "oranbench_latency"

func init() { toxics.Register(rttToxicType, new(rttToxic)) }

// rttToxic is Toxiproxy's latency toxic made fit for measuring: it delays
// every chunk to its arrival time plus latency ± jitter like the stock one,
// but in microseconds rather than whole milliseconds, with jitter drawn from
// a seeded generator (a run repeats), and with its timer started early by the
// median lateness Go's timers have shown here, so the median chunk leaves on
// time instead of a few hundred microseconds late in each direction. It does
// not spin, so the CPU stays free for the load it emulates a network for; the
// price is that a chunk may leave up to that lateness (well under a
// millisecond) early, as on a network with a little jitter.
type rttToxic struct {
	LatencyUS int64 `json:"latency_us"`
	JitterUS  int64 `json:"jitter_us"`
	Seed      int64 `json:"seed"`

	mu  sync.Mutex // guards rng: every connection's Pipe shares the toxic
	rng *rand.Rand
}

// netemLate learns how late timers fire in the proxy's goroutines; it is
// shared by every rttToxic of the process, as the lateness is the runtime's.
var netemLate lateness

// GetBufferSize makes the toxic buffered as the stock latency toxic is, so
// chunks queue behind a delayed one instead of stalling the reader.
func (t *rttToxic) GetBufferSize() int { return 1024 }

func (t *rttToxic) delay() time.Duration {
	d := t.LatencyUS
	if t.JitterUS > 0 {
		t.mu.Lock()
		if t.rng == nil {
			t.rng = rand.New(rand.NewPCG(uint64(t.Seed), 0x6e6574656d))
		}
		d += t.rng.Int64N(2*t.JitterUS+1) - t.JitterUS
		t.mu.Unlock()
	}
	return time.Duration(max(d, 0)) * time.Microsecond
}

// Pipe implements toxics.Toxic.
func (t *rttToxic) Pipe(stub *toxics.ToxicStub) {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case <-stub.Interrupt:
			return
		case c := <-stub.Input:
			if c == nil {
				stub.Close()
				return
			}
			due := c.Timestamp.Add(t.delay())
			// Start early by at most half of what is left: a short delay then
			// still runs a timer, whose lateness keeps the estimate honest.
			left := time.Until(due)
			if wait := left - min(netemLate.get(), left/2); wait > 0 {
				set := time.Now()
				timer.Reset(wait)
				select {
				case <-timer.C:
					netemLate.observe(time.Since(set) - wait)
				case <-stub.Interrupt:
					timer.Stop()
					stub.Output <- c // never drop data; leave without the delay
					return
				}
			}
			c.Timestamp = due
			stub.Output <- c
		}
	}
}
