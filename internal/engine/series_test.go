package engine

import (
	"context"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

func TestSeriesStepIsOneSecondExceptForShortAndLongRuns(t *testing.T) {
	cases := []struct {
		d    time.Duration
		want time.Duration
	}{
		{300 * time.Millisecond, 50 * time.Millisecond},
		{time.Second, 50 * time.Millisecond},
		{3 * time.Second, 150 * time.Millisecond},
		{10 * time.Second, 500 * time.Millisecond},
		{20 * time.Second, time.Second},
		{10 * time.Minute, time.Second},
		{10*time.Minute + time.Second, 2 * time.Second},
		{time.Hour, 6 * time.Second},
	}
	for _, c := range cases {
		if got := stepFor(c.d); got != c.want {
			t.Errorf("stepFor(%v) = %v, want %v", c.d, got, c.want)
		}
		if n := int((c.d + stepFor(c.d) - 1) / stepFor(c.d)); n > MaxIntervals {
			t.Errorf("stepFor(%v) gives %d intervals, more than %d", c.d, n, MaxIntervals)
		}
	}
}

func TestSeriesShowsAStallAsEmptyIntervalsAndFoldsLateResultsIntoTheOpenOne(t *testing.T) {
	s := newSeries(20 * time.Second)
	s.add(100*time.Millisecond, 2*time.Millisecond, false)
	s.add(900*time.Millisecond, 4*time.Millisecond, true)
	s.add(3200*time.Millisecond, 8*time.Millisecond, false)
	// Arrives after interval 3 opened although it ended in interval 2.
	s.add(2900*time.Millisecond, 16*time.Millisecond, false)
	got := s.finish()
	if len(got) != 4 {
		t.Fatalf("got %d intervals, want 4: %+v", len(got), got)
	}
	want := []struct {
		requests, errors int64
		max              time.Duration
	}{{2, 1, 4 * time.Millisecond}, {0, 0, 0}, {0, 0, 0}, {2, 0, 16 * time.Millisecond}}
	for i, w := range want {
		iv := got[i]
		if iv.Start != time.Duration(i)*time.Second || iv.Step != time.Second {
			t.Errorf("interval %d starts at %v (step %v), want %ds (1s)", i, iv.Start, iv.Step, i)
		}
		if iv.Requests != w.requests || iv.Errors != w.errors {
			t.Errorf("interval %d: %d requests, %d errors; want %d, %d", i, iv.Requests, iv.Errors, w.requests, w.errors)
		}
		// Two significant digits: within 1%.
		if diff := iv.Max - w.max; diff < -w.max/100 || diff > w.max/100 {
			t.Errorf("interval %d: max %v, want %v", i, iv.Max, w.max)
		}
	}
}

func TestSeriesSpansTheDurationAndCountsLateResultsInItsLastInterval(t *testing.T) {
	s := newSeries(30 * time.Second)
	for i := range 5000 {
		s.add(time.Duration(i)*time.Second/10, time.Millisecond, false)
	}
	got := s.finish()
	if len(got) != 30 {
		t.Fatalf("got %d intervals, want the duration's 30", len(got))
	}
	if last := got[29]; last.Requests != 5000-29*10 {
		t.Fatalf("the last interval holds %d requests, want every late one: %d", last.Requests, 5000-29*10)
	}
	var total int64
	for _, iv := range got {
		total += iv.Requests
	}
	if total != 5000 {
		t.Fatalf("intervals hold %d requests, want all 5000", total)
	}
}

func TestRunHandsEveryMeasuredResultToOnResultAndTheTimeline(t *testing.T) {
	srv, served := sleepServer(t, time.Millisecond)
	var seen, seq int64
	rec, err := Run(context.Background(), Attack{
		Targeter: target(srv.URL), Client: newClient(t),
		Model: Closed, Concurrency: 3, Duration: 1500 * time.Millisecond, MaxHits: 150,
		OnResult: func(r *vegeta.Result) {
			seen++
			seq = max(seq, int64(r.Seq)+1)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen != rec.Hits || seq != rec.Hits || served.Load() != rec.Hits {
		t.Fatalf("OnResult saw %d results (seq up to %d), recording counts %d, server %d", seen, seq, rec.Hits, served.Load())
	}
	var total int64
	for _, iv := range rec.Series {
		total += iv.Requests
	}
	if total != rec.Hits || len(rec.Series) == 0 || len(rec.Series) > 20 {
		t.Fatalf("timeline holds %d requests in %d intervals, want %d in 1..20", total, len(rec.Series), rec.Hits)
	}
}
