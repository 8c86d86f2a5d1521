package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Both models run the engine's own worker loops instead of vegeta's
// attacker. vegeta hands each hit to a worker over a channel, reads every
// body into a new buffer, copies each request to attach a context and sends
// every result back over a channel, and on the fastest arm that per-hit
// work, not the transport under test, set the req/s. Here each worker calls
// the targeter, sends, drains the body while counting its bytes and records
// into one of a few shared recordings; a vegeta.Result is built only for
// Attack.OnResult. The closed model's workers take the next hit themselves;
// the open model's take it from a scheduler that paces arrivals as vegeta's
// attacker does (and with its pacers), adding a worker when none is free.

// recordShards bounds how many recordings the workers of an attack share
// (each histogram is about 200 KiB, so one per worker would cost hundreds
// of MiB at a concurrency of 1000); workers hash onto them and hold a
// shard's lock only to record.
func recordShards(workers uint64) int {
	return int(max(1, min(workers, uint64(4*runtime.GOMAXPROCS(0)))))
}

type recordShard struct {
	mu  sync.Mutex
	rec *Recording
	_   [64]byte // keep neighbouring shards' locks off one cache line
}

// attackRun is the state of one attack, shared by its workers.
type attackRun struct {
	ctx      context.Context
	a        Attack
	client   *http.Client
	deadline time.Time
	hits     atomic.Uint64
	stopped  atomic.Bool // a targeter failed: no worker starts another hit
	shards   []recordShard
	seriesMu sync.Mutex
	rec      *Recording // owns the timeline; the shards are merged into it
	sinkMu   sync.Mutex // serializes OnResult
}

func newAttackRun(ctx context.Context, a Attack, client *http.Client, rec *Recording, workers uint64) *attackRun {
	r := &attackRun{ctx: ctx, a: a, client: client, deadline: rec.Began.Add(a.Duration), rec: rec}
	r.shards = make([]recordShard, recordShards(workers))
	for i := range r.shards {
		r.shards[i].rec = NewRecording(rec.Response != nil)
	}
	return r
}

// completed is the number of hits recorded so far, for the CPU window: the
// shards' counts, read under their locks, so the request path pays
// nothing for it.
func (r *attackRun) completed() int64 {
	var n int64
	for i := range r.shards {
		sh := &r.shards[i]
		sh.mu.Lock()
		n += sh.rec.Hits
		sh.mu.Unlock()
	}
	return n
}

// startWindow starts measuring the attack's steady CPU window.
func (r *attackRun) startWindow() *WindowProbe {
	return StartWindow(WindowSkip(r.a.Duration), r.completed)
}

// mergeShards adds every shard's recording into the attack's.
func (r *attackRun) mergeShards() {
	for i := range r.shards {
		r.rec.merge(r.shards[i].rec)
	}
}

// runClosed runs a closed attack into rec and returns when every worker has
// stopped: the duration ran out, MaxHits were sent, a targeter failed or ctx
// was cancelled. Requests in flight when the duration runs out complete and
// are counted, as vegeta's attacker does, unless ctx ends with the duration
// (Attack.CancelAtEnd).
func runClosed(ctx context.Context, a Attack, client *http.Client, rec *Recording) {
	r := newAttackRun(ctx, a, client, rec, uint64(a.Concurrency))
	win := r.startWindow()
	var wg sync.WaitGroup
	for w := range a.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.closedWorker(&r.shards[w%len(r.shards)])
		}()
	}
	wg.Wait()
	rec.Steady = win.Stop()
	r.mergeShards()
}

func (r *attackRun) closedWorker(sh *recordShard) {
	var tgt vegeta.Target
	var tpl reqTemplate
	ctx := r.workerContext()
	for !r.stopped.Load() && r.ctx.Err() == nil {
		seq := r.hits.Add(1) - 1
		if seq >= r.a.MaxHits {
			return
		}
		began := time.Now()
		if !began.Before(r.deadline) {
			return
		}
		if r.do(ctx, sh, &tgt, &tpl, seq, began, time.Time{}) {
			ctx = r.workerContext()
		}
	}
}

// tick is one hit of the open model: its number and when it was due, as an
// offset from the attack start.
type tick struct {
	seq uint64
	due time.Duration
}

// runOpen runs an open attack into rec: a scheduler paces the hits with
// a.Pacer and hands each to a free worker, starting one (up to MaxWorkers)
// when none is free, as vegeta's attacker does. Each hit is recorded with the
// time it was due, so response time includes any wait for a worker. It
// returns when the duration ran out, the pacer or MaxHits stopped it, a
// targeter failed or ctx was cancelled, and every worker has finished.
func runOpen(ctx context.Context, a Attack, client *http.Client, rec *Recording) {
	r := newAttackRun(ctx, a, client, rec, a.MaxWorkers)
	pacer := newDuePacer(a.Pacer, a.MaxHits)
	ticks := make(chan tick)
	win := r.startWindow()
	var wg sync.WaitGroup
	var workers uint64
	spawn := func() {
		sh := &r.shards[workers%uint64(len(r.shards))]
		workers++
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.openWorker(sh, ticks)
		}()
	}
	for range a.Workers {
		spawn()
	}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
schedule:
	for hits := uint64(0); !r.stopped.Load(); {
		elapsed := time.Since(rec.Began)
		if elapsed > a.Duration {
			break
		}
		wait, due, stop := pacer.next(elapsed, hits)
		if stop || due > a.Duration {
			// A hit due after the end is not waited for: at a low rate
			// the wait would outlast the duration many times over.
			break
		}
		if wait > 0 {
			timer.Reset(wait)
			select {
			case <-timer.C:
			case <-ctx.Done():
				break schedule
			}
		}
		t := tick{seq: hits, due: due}
		if workers < a.MaxWorkers {
			select {
			case ticks <- t:
				hits++
				continue
			case <-ctx.Done():
				break schedule
			default:
				spawn()
			}
		}
		select {
		case ticks <- t:
			hits++
		case <-ctx.Done():
			break schedule
		}
	}
	close(ticks)
	wg.Wait()
	rec.Steady = win.Stop()
	r.mergeShards()
}

func (r *attackRun) openWorker(sh *recordShard, ticks <-chan tick) {
	var tgt vegeta.Target
	var tpl reqTemplate
	ctx := r.workerContext()
	for t := range ticks {
		if r.stopped.Load() || r.ctx.Err() != nil {
			continue // the scheduler is stopping: drain
		}
		if r.do(ctx, sh, &tgt, &tpl, t.seq, time.Now(), r.rec.Began.Add(t.due)) {
			ctx = r.workerContext()
		}
	}
}

// do sends hit seq, records it (due is its intended send time, zero in the
// closed model) and hands it to OnResult; it reports whether the request
// failed, so the worker derives a fresh context.
func (r *attackRun) do(ctx context.Context, sh *recordShard, tgt *vegeta.Target, tpl *reqTemplate, seq uint64, began, due time.Time) (failed bool) {
	*tgt = vegeta.Target{}
	h, body := r.hit(ctx, tgt, tpl, began)
	if h.cancelled {
		sh.mu.Lock()
		sh.rec.Cancelled++
		sh.mu.Unlock()
		return true
	}
	sh.mu.Lock()
	sh.rec.addHit(h, due)
	sh.mu.Unlock()
	end := began.Add(h.latency)
	r.seriesMu.Lock()
	r.rec.series.add(end.Sub(r.rec.Began), h.latency, !h.ok())
	r.seriesMu.Unlock()
	if r.a.OnResult != nil {
		res := &vegeta.Result{
			Attack: r.a.Name, Seq: seq, Code: h.code, Timestamp: began, Latency: h.latency,
			BytesIn: h.bytesIn, BytesOut: h.bytesOut, Error: h.err, Body: body,
			Method: tgt.Method, URL: tgt.URL,
		}
		r.sinkMu.Lock()
		r.a.OnResult(res)
		r.sinkMu.Unlock()
	}
	return h.err != ""
}

// workerContext is the context a worker's requests derive from.
func (r *attackRun) workerContext() context.Context {
	if r.a.WorkerContext == nil {
		return r.ctx
	}
	return r.a.WorkerContext(r.ctx)
}

// hit sends one request and reads its response. Error texts match vegeta's
// (the client's error, or the status line of a code outside 200–399), so
// reports read the same whichever model ran. The body is kept, up to
// MaxBody, only when OnResult will see it.
func (r *attackRun) hit(ctx context.Context, tgt *vegeta.Target, tpl *reqTemplate, began time.Time) (hit, []byte) {
	h := hit{began: began}
	fail := func(err error) (hit, []byte) {
		// The run's own end or interruption is not the target's failure.
		h.cancelled = r.ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded))
		h.err = err.Error()
		h.latency = time.Since(began)
		return h, nil
	}
	if err := r.a.Targeter(tgt); err != nil {
		r.stopped.Store(true)
		return fail(err)
	}
	// The request timeout, as http.Client.Timeout would set it for one of
	// net/http's own transports: a deadline on the request's context.
	ctx, cancel := context.WithTimeout(ctx, r.a.RequestTimeout)
	defer cancel()
	req, err := tpl.newRequest(ctx, tgt)
	if err != nil {
		return fail(err)
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return fail(r.timedOut(ctx, err, "exceeded while awaiting headers"))
	}
	defer resp.Body.Close()
	var body []byte
	var n int64
	if r.a.OnResult != nil {
		var buf bytes.Buffer
		limited := io.Reader(resp.Body)
		if r.a.MaxBody >= 0 {
			limited = io.LimitReader(resp.Body, r.a.MaxBody)
		}
		n, err = buf.ReadFrom(limited)
		body = buf.Bytes()
		if err == nil {
			var rest int64
			rest, err = io.Copy(io.Discard, resp.Body)
			n += rest
		}
	} else {
		n, err = io.Copy(io.Discard, resp.Body)
	}
	h.bytesIn = uint64(n)
	if err != nil {
		return fail(r.timedOut(ctx, err, "or context cancellation while reading body"))
	}
	if req.ContentLength > 0 {
		h.bytesOut = uint64(req.ContentLength)
	}
	h.code = uint16(resp.StatusCode)
	if h.code < 200 || h.code >= 400 {
		h.err = resp.Status
	}
	h.latency = time.Since(began)
	return h, body
}

// timedOut names err as net/http does when Client.Timeout ran out, when
// the request's own deadline (not the run's end) cut it off.
func (r *attackRun) timedOut(reqCtx context.Context, err error, what string) error {
	if r.ctx.Err() == nil && errors.Is(reqCtx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("%w (Client.Timeout %s)", err, what)
	}
	return err
}

// newRequest builds tgt's request as vegeta's Target.Request does, but bound
// to ctx from the start: one request per hit instead of a copy per hit to
// attach the run's context.
func newRequest(ctx context.Context, tgt *vegeta.Target) (*http.Request, error) {
	var body io.Reader
	if len(tgt.Body) != 0 {
		body = bytes.NewReader(tgt.Body)
	}
	req, err := http.NewRequestWithContext(ctx, tgt.Method, tgt.URL, body)
	if err != nil {
		return nil, err
	}
	setHeader(req, tgt.Header)
	return req, nil
}

// setHeader gives req a copy of h (the targeter's map is shared by every
// hit) and takes its Host from a Host header.
func setHeader(req *http.Request, h http.Header) {
	for k, vs := range h {
		req.Header[k] = append([]string(nil), vs...)
	}
	if host := req.Header.Get("Host"); host != "" {
		req.Host = host
	}
}

// reqTemplate is a worker's last request without a body, parsed once: the
// next hit with the same method and URL copies it instead of parsing the
// URL again (url.Parse was a few percent of a request's CPU against a fast
// backend). Each hit gets its own Request, URL and Header, so nothing a
// request or its transport changes reaches the next.
type reqTemplate struct {
	method, url string
	req         *http.Request
}

func (c *reqTemplate) newRequest(ctx context.Context, tgt *vegeta.Target) (*http.Request, error) {
	if len(tgt.Body) != 0 {
		return newRequest(ctx, tgt)
	}
	if c.req == nil || c.method != tgt.Method || c.url != tgt.URL {
		req, err := http.NewRequestWithContext(context.Background(), tgt.Method, tgt.URL, nil)
		if err != nil {
			c.req = nil
			return nil, err
		}
		c.method, c.url, c.req = tgt.Method, tgt.URL, req
	}
	req := c.req.WithContext(ctx)
	u := *c.req.URL
	req.URL = &u
	req.Header = make(http.Header, len(tgt.Header))
	setHeader(req, tgt.Header)
	return req, nil
}
