package mockbackend

import (
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// ByteRate is a data rate in bytes per second.
type ByteRate int64

// Common rates.
const (
	BytePerSecond ByteRate = 1
	KBPerSecond            = 1000 * BytePerSecond
	MBPerSecond            = 1000 * KBPerSecond
)

// String formats the rate with the largest exact decimal unit, e.g. "10MB/s".
func (r ByteRate) String() string {
	switch {
	case r != 0 && r%MBPerSecond == 0:
		return strconv.FormatInt(int64(r/MBPerSecond), 10) + "MB/s"
	case r != 0 && r%KBPerSecond == 0:
		return strconv.FormatInt(int64(r/KBPerSecond), 10) + "KB/s"
	}
	return strconv.FormatInt(int64(r), 10) + "B/s"
}

// ParseByteRate parses "1500", "64KB/s", "10MB/s", "1MiB/s" (the "/s" is
// optional; KB and MB are decimal, KiB and MiB binary).
func ParseByteRate(s string) (ByteRate, error) {
	t := strings.TrimSuffix(strings.TrimSpace(s), "/s")
	units := []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"B", 1}}
	mult := int64(1)
	for _, u := range units {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSuffix(t, u.suffix), u.mult
			break
		}
	}
	n, err := strconv.ParseFloat(strings.TrimSpace(t), 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("bandwidth %q is invalid; valid: a non-negative rate like 1500, 64KB/s, 10MB/s, 1MiB/s", s)
	}
	return ByteRate(n * float64(mult)), nil
}

// UnmarshalYAML accepts an integer (bytes/s) or a string with a unit.
func (r *ByteRate) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: bandwidth must be a rate like 10MB/s", n.Line)
	}
	v, err := ParseByteRate(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*r = v
	return nil
}

// MarshalYAML writes the String form.
func (r ByteRate) MarshalYAML() (any, error) { return r.String(), nil }
