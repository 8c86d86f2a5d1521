package cpuset

import (
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// Supported reports whether Pin can pin a process here.
const Supported = true

// Pin restricts every thread of this process to cpus (a list such as "1" or
// "0-2"); threads started later inherit it. It returns a function that
// restores the set the process had before.
func Pin(cpus string) (restore func() error, err error) {
	list, err := Parse(cpus, MaxCPUs)
	if err != nil {
		return nil, err
	}
	var before unix.CPUSet
	if err := unix.SchedGetaffinity(0, &before); err != nil {
		return nil, fmt.Errorf("sched_getaffinity: %w", err)
	}
	var set unix.CPUSet
	for _, c := range list {
		set.Set(c)
	}
	if err := pinAll(&set); err != nil {
		return nil, fmt.Errorf("pin to CPUs %s: %w", cpus, err)
	}
	return func() error { return pinAll(&before) }, nil
}

// pinAll applies set to every thread of the process. A thread started while
// the first pass runs copies its creator's set, so a second pass catches
// any that copied the old one.
func pinAll(set *unix.CPUSet) error {
	for range 2 {
		tasks, err := os.ReadDir("/proc/self/task")
		if err != nil {
			return err
		}
		for _, t := range tasks {
			tid, err := strconv.Atoi(t.Name())
			if err != nil {
				continue
			}
			if err := unix.SchedSetaffinity(tid, set); err != nil && err != unix.ESRCH {
				return fmt.Errorf("sched_setaffinity: %w", err)
			}
		}
	}
	return nil
}

// Current returns the CPUs this thread may run on, as a list.
func Current() (string, error) {
	cpus, err := Allowed()
	return Format(cpus), err
}

// Allowed returns the CPUs this thread may run on.
func Allowed() ([]int, error) {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		return nil, err
	}
	var cpus []int
	for c := range MaxCPUs {
		if set.IsSet(c) {
			cpus = append(cpus, c)
		}
	}
	return cpus, nil
}
