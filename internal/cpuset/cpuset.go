// Package cpuset splits this machine's CPUs between the load generator and
// an isolated backend, and pins a whole process to its share (Linux
// sched_setaffinity, applied to every thread). Elsewhere pinning is not
// supported and says so.
package cpuset

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// MaxCPUs is the highest CPU count a list may address (the kernel's
// cpu_set_t).
const MaxCPUs = 1024

// Parse reads a CPU list as taskset and /proc write it: "0", "1-3",
// "0,2,4-5". CPUs must be in 0..max-1.
func Parse(list string, max int) ([]int, error) {
	seen := map[int]bool{}
	if strings.TrimSpace(list) == "" {
		return nil, fmt.Errorf("cpu list %q: empty; want CPU numbers such as 0 or 1-3", list)
	}
	for _, part := range strings.Split(list, ",") {
		part = strings.TrimSpace(part)
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(lo)
		b := a
		if err == nil && isRange {
			b, err = strconv.Atoi(hi)
		}
		if err != nil || a < 0 || b < a {
			return nil, fmt.Errorf("cpu list %q: %q: want a CPU number or a range such as 1-3", list, part)
		}
		if b >= max {
			return nil, fmt.Errorf("cpu list %q: CPU %d: this machine has CPUs 0 to %d", list, b, max-1)
		}
		for c := a; c <= b; c++ {
			seen[c] = true
		}
	}
	out := make([]int, 0, len(seen))
	for c := range seen {
		out = append(out, c)
	}
	sort.Ints(out)
	return out, nil
}

// Format writes cpus as a list ("0-2,5").
func Format(cpus []int) string {
	var parts []string
	for i := 0; i < len(cpus); {
		j := i
		for j+1 < len(cpus) && cpus[j+1] == cpus[j]+1 {
			j++
		}
		if j == i {
			parts = append(parts, strconv.Itoa(cpus[i]))
		} else {
			parts = append(parts, strconv.Itoa(cpus[i])+"-"+strconv.Itoa(cpus[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ",")
}

// Split divides the CPUs this process may use (cpus, from Allowed) into the
// generator's and the backend's: the backend gets the last backendCPUs of
// them (at least one), the generator the rest. With one CPU both share it.
func Split(cpus []int, backendCPUs int) (generator, backend string) {
	n := len(cpus)
	if n <= 1 {
		return Format(cpus), Format(cpus)
	}
	backendCPUs = min(max(backendCPUs, 1), n-1)
	return Format(cpus[:n-backendCPUs]), Format(cpus[n-backendCPUs:])
}
