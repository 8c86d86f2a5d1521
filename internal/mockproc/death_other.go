//go:build !linux

package mockproc

import "os/exec"

// setDeathSignal has no portable equivalent; the child still exits when its
// stdin closes.
func setDeathSignal(*exec.Cmd) {}
