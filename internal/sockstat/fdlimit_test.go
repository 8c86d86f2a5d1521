package sockstat

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestFDLimit(t *testing.T) {
	soft, hard, err := FDLimit()
	if errors.Is(err, ErrNotSupported) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if soft == 0 || soft > hard {
		t.Errorf("FDLimit = %d, %d: want 0 < soft <= hard", soft, hard)
	}
	// This test binary has a few descriptors open, so the limit is at
	// least a handful, and a single connection fits.
	if err := CheckConns(1, 2, 0); err != nil {
		t.Errorf("CheckConns(1, 2, 0) = %v with a soft limit of %d", err, soft)
	}
	if soft < math.MaxInt64/4 {
		err := CheckConns(int(soft), 2, 64)
		if err == nil || !strings.Contains(err.Error(), "ulimit -n") {
			t.Errorf("CheckConns(%d, 2, 64) = %v, want the limit error", soft, err)
		}
	}
}

func TestCheckConnsMessage(t *testing.T) {
	err := checkConns(5000, 2, 64, 4096)
	want := `concurrency 5000 needs about 10,064 file descriptors (2 per connection + 64 reserved), but the limit is 4,096 (ulimit -n); raise it with "ulimit -n 20000" or lower the concurrency`
	if err == nil || err.Error() != want {
		t.Errorf("checkConns(5000, 2, 64, 4096) =\n  %v\nwant\n  %s", err, want)
	}
}

func TestCheckConns(t *testing.T) {
	for _, tc := range []struct {
		conns, perConn, reserve int
		soft                    uint64
		want                    []string // substrings of the error; nil: no error
	}{
		{10, 2, 64, 84, nil},
		{10, 2, 64, 1 << 20, nil},
		{0, 2, 64, 64, nil},
		{100_000, 1, 0, math.MaxUint64, nil}, // RLIM_INFINITY
		{10, 2, 64, 83, []string{"concurrency 10 needs about 84 file descriptors (2 per connection + 64 reserved)", "the limit is 83 (ulimit -n)", `"ulimit -n 100"`}},
		{0, 2, 65, 64, []string{"concurrency 0 needs about 65 ", `"ulimit -n 100"`}},
		{60_000, 3, 100, 65_536, []string{"180,100 file descriptors (3 per connection + 100 reserved)", "the limit is 65,536 (ulimit -n)", `"ulimit -n 200000"`}},
		{1_000_000, 2, 0, 1_048_576, []string{"about 2,000,000 file", "limit is 1,048,576", `"ulimit -n 2000000"`}},
		{math.MaxInt, 4, 64, math.MaxUint64 - 1, []string{"about 18,446,744,073,709,551,615 file", "ulimit -n"}},
		{-1, 2, 64, 100, []string{"must not be negative"}},
		{1, -2, 64, 100, []string{"must not be negative"}},
		{1, 2, -64, 100, []string{"must not be negative"}},
	} {
		err := checkConns(tc.conns, tc.perConn, tc.reserve, tc.soft)
		if tc.want == nil {
			if err != nil {
				t.Errorf("checkConns(%d, %d, %d, %d) = %v, want nil", tc.conns, tc.perConn, tc.reserve, tc.soft, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("checkConns(%d, %d, %d, %d) = nil, want an error", tc.conns, tc.perConn, tc.reserve, tc.soft)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("checkConns(%d, %d, %d, %d) = %q, want it to contain %q", tc.conns, tc.perConn, tc.reserve, tc.soft, err, w)
			}
		}
	}
}

func TestRoundUp125(t *testing.T) {
	for n, want := range map[uint64]uint64{
		0: 1, 1: 1, 2: 2, 3: 5, 5: 5, 6: 10, 84: 100, 10_064: 20_000, 20_001: 50_000, 50_001: 100_000,
		5_000_000_000_000_000_000: 5_000_000_000_000_000_000,
		5_000_000_000_000_000_001: 5_000_000_000_000_000_001,
		math.MaxUint64:            math.MaxUint64,
	} {
		if got := roundUp125(n); got != want {
			t.Errorf("roundUp125(%d) = %d, want %d", n, got, want)
		}
	}
}

func TestGroupDigits(t *testing.T) {
	for n, want := range map[uint64]string{
		0: "0", 7: "7", 999: "999", 1000: "1,000", 10_064: "10,064", 100_000: "100,000",
		1_234_567: "1,234,567", math.MaxUint64: "18,446,744,073,709,551,615",
	} {
		if got := groupDigits(n); got != want {
			t.Errorf("groupDigits(%d) = %q, want %q", n, got, want)
		}
	}
}
