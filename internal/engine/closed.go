package engine

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// The closed model runs its own worker loops instead of vegeta's attacker:
// vegeta paces even an unthrottled attack through a scheduler goroutine,
// hands each hit to a worker over a channel, reads every body into a new
// buffer and sends every result back over a channel, and on the fastest
// arm that per-hit work, not the transport under test, set the req/s. Here
// each worker calls the targeter, sends, drains the body while counting its
// bytes and records into one of a few shared recordings; nothing crosses a
// channel per request. A vegeta.Result is built only for Attack.OnResult.

// recordShards bounds how many recordings the workers of a closed attack
// share (each histogram is about 200 KiB, so one per worker would cost
// hundreds of MiB at a concurrency of 1000); workers hash onto them and
// hold a shard's lock only to record.
func recordShards(concurrency int) int {
	return max(1, min(concurrency, 4*runtime.GOMAXPROCS(0)))
}

type recordShard struct {
	mu  sync.Mutex
	rec *Recording
	_   [64]byte // keep neighbouring shards' locks off one cache line
}

// closedRun is the state of one closed attack, shared by its workers.
type closedRun struct {
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

// runClosed runs a closed attack into rec and returns when every worker has
// stopped: the duration ran out, MaxHits were sent, a targeter failed or ctx
// was cancelled. Requests in flight when the duration runs out complete and
// are counted, as vegeta's attacker does.
func runClosed(ctx context.Context, a Attack, client *http.Client, rec *Recording) {
	r := &closedRun{ctx: ctx, a: a, client: client, deadline: rec.Began.Add(a.Duration), rec: rec}
	r.shards = make([]recordShard, recordShards(a.Concurrency))
	for i := range r.shards {
		r.shards[i].rec = NewRecording(false)
	}
	var wg sync.WaitGroup
	for w := range a.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.worker(&r.shards[w%len(r.shards)])
		}()
	}
	wg.Wait()
	for i := range r.shards {
		rec.merge(r.shards[i].rec)
	}
}

func (r *closedRun) worker(sh *recordShard) {
	var tgt vegeta.Target
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
		tgt = vegeta.Target{}
		h, body := r.hit(ctx, &tgt, began)
		if h.err != "" {
			ctx = r.workerContext()
		}
		sh.mu.Lock()
		sh.rec.addHit(h, time.Time{})
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
	}
}

// workerContext is the context a worker's requests derive from.
func (r *closedRun) workerContext() context.Context {
	if r.a.WorkerContext == nil {
		return r.ctx
	}
	return r.a.WorkerContext(r.ctx)
}

// hit sends one request and reads its response. Error texts match vegeta's
// (the client's error, or the status line of a code outside 200–399), so
// reports read the same whichever model ran. The body is kept, up to
// MaxBody, only when OnResult will see it.
func (r *closedRun) hit(ctx context.Context, tgt *vegeta.Target, began time.Time) (hit, []byte) {
	h := hit{began: began}
	fail := func(err error) (hit, []byte) {
		h.err = err.Error()
		h.latency = time.Since(began)
		return h, nil
	}
	if err := r.a.Targeter(tgt); err != nil {
		r.stopped.Store(true)
		return fail(err)
	}
	req, err := newRequest(ctx, tgt)
	if err != nil {
		return fail(err)
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return fail(err)
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
		return fail(err)
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
	for k, vs := range tgt.Header {
		req.Header[k] = append([]string(nil), vs...)
	}
	if host := req.Header.Get("Host"); host != "" {
		req.Host = host
	}
	return req, nil
}
