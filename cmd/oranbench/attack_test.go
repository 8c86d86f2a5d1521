package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestAttackReportsEveryClientCounter: the ad hoc attack's JSON carries the
// same connection counters a scenario's results do, wait maximum and time to
// first byte included.
func TestAttackReportsEveryClientCounter(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		time.Sleep(time.Millisecond)
		w.Write([]byte("ok"))
	}))
	defer srv.Close()
	code, out, errOut := run(t, "attack", "--url", srv.URL, "--concurrency", "4", "--duration", "20s",
		"--max-requests", "200", "--profile", "tuned", "--json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var res attackResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	c := res.Client
	if res.Requests != 200 || res.Successes != 200 {
		t.Fatalf("requests %d, successes %d, want 200 each", res.Requests, res.Successes)
	}
	if c.New+c.Reused != 200 || c.Dials < 4 || c.Protocols["HTTP/1.1"] != 200 {
		t.Errorf("new %d + reused %d, dials %d, HTTP/1.1 %d: want 200, >= 4, 200", c.New, c.Reused, c.Dials, c.Protocols["HTTP/1.1"])
	}
	if c.ConnWaitMax <= 0 || c.ConnWaitMax < c.ConnWaitMean {
		t.Errorf("conn wait max %s, mean %s: want 0 < mean <= max", c.ConnWaitMax, c.ConnWaitMean)
	}
	if c.TTFBMean < time.Millisecond {
		t.Errorf("mean TTFB %s, want >= 1ms (the handler sleeps 1ms)", c.TTFBMean)
	}
}
