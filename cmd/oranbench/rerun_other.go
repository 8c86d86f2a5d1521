//go:build !unix

package main

import (
	"os"
	"os/exec"
)

var interruptSignal = os.Interrupt

// setProcessGroup does nothing where there are no process groups.
func setProcessGroup(*exec.Cmd) {}

// signalGroup signals the child itself.
func signalGroup(p *os.Process, _ int, sig os.Signal) {
	if p != nil && p.Signal(sig) != nil {
		_ = p.Kill()
	}
}

// killGroup kills the child itself.
func killGroup(p *os.Process, _ int) {
	if p != nil {
		_ = p.Kill()
	}
}
