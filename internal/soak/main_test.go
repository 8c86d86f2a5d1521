package soak

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// The test binary doubles as a soak child: started as `BIN soak-child`, it
// runs testSubject.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == ChildCommand {
		if err := ServeChild(os.Stdin, os.Stdout, testSubject); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		os.Exit(0)
	}
	goleak.VerifyTestMain(m)
}

// testConfig configures testSubject: leak every LeakPeriod (none when 0)
// for Run, or fail with Fail.
type testConfig struct {
	LeakPeriod time.Duration
	Run        time.Duration
	Fail       string
}

type testOutcome struct{ Ran time.Duration }

func testSubject(ctx context.Context, b []byte) (any, error) {
	var c testConfig
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, err
	}
	if c.Fail != "" {
		return nil, fmt.Errorf("%s", c.Fail)
	}
	began := time.Now()
	ctx, cancel := context.WithTimeout(ctx, c.Run)
	defer cancel()
	if c.LeakPeriod > 0 {
		Leak(ctx, c.LeakPeriod)
	} else {
		<-ctx.Done()
	}
	return testOutcome{Ran: time.Since(began)}, nil
}
