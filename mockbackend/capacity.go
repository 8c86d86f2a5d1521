package mockbackend

import (
	"context"
	"sync/atomic"
	"time"
)

// limiter caps concurrent requests with a bounded queue in front, so a route
// saturates like a real backend: beyond MaxInFlight requests wait, beyond
// QueueDepth waiting ones are refused.
type limiter struct {
	slots      chan struct{}
	queueDepth int64
	queued     atomic.Int64
	timeout    time.Duration
	retryAfter string
}

func newLimiter(c Capacity) *limiter {
	if c.MaxInFlight == 0 {
		return nil
	}
	ra := c.QueueTimeout
	if ra == 0 {
		ra = DefaultRetryAfter
	}
	return &limiter{
		slots:      make(chan struct{}, c.MaxInFlight),
		queueDepth: int64(c.QueueDepth),
		timeout:    c.QueueTimeout,
		retryAfter: retryAfterSeconds(ra),
	}
}

// admission is the outcome of acquire.
type admission uint8

const (
	admitted     admission = iota
	queueFull              // no room to wait: 503
	queueTimeout           // waited QueueTimeout without a slot: 503
	abandoned              // client left or server closing while queued
)

// acquire takes a slot, waiting in the queue when allowed. onQueue is called
// with +1/-1 around the wait so route and server gauges follow.
func (l *limiter) acquire(ctx context.Context, closing <-chan struct{}, onQueue func(int64)) admission {
	select {
	case l.slots <- struct{}{}:
		return admitted
	default:
	}
	if l.queued.Add(1) > l.queueDepth {
		l.queued.Add(-1)
		return queueFull
	}
	onQueue(1)
	defer func() {
		l.queued.Add(-1)
		onQueue(-1)
	}()
	var timeout <-chan time.Time
	if l.timeout > 0 {
		t := time.NewTimer(l.timeout)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case l.slots <- struct{}{}:
		return admitted
	case <-timeout:
		return queueTimeout
	case <-ctx.Done():
		return abandoned
	case <-closing:
		return abandoned
	}
}

func (l *limiter) release() { <-l.slots }
