//go:build !linux

package soak

import "os/exec"

// setDeathSignal has no portable equivalent; the child still exits when its
// stdin closes.
func setDeathSignal(*exec.Cmd) {}
