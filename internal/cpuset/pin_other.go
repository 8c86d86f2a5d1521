//go:build !linux

package cpuset

import (
	"errors"
	"runtime"
)

// Supported reports whether Pin can pin a process here.
const Supported = false

// ErrUnsupported is returned by Pin and Current off Linux.
var ErrUnsupported = errors.New("pinning to CPUs needs Linux sched_setaffinity; not supported on " + runtime.GOOS)

// Pin is not supported here.
func Pin(string) (func() error, error) { return nil, ErrUnsupported }

// Current is not supported here.
func Current() (string, error) { return "", ErrUnsupported }

// Allowed is not supported here.
func Allowed() ([]int, error) { return nil, ErrUnsupported }
