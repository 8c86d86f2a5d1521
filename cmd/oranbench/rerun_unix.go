//go:build unix

package main

import (
	"os"
	"os/exec"
	"syscall"
)

var interruptSignal = syscall.SIGINT

// setProcessGroup starts c as the leader of a new process group, so that a
// signal to the group reaches everything it starts, and a terminal's Ctrl-C
// reaches only compare, which forwards it.
func setProcessGroup(c *exec.Cmd) {
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// signalGroup sends sig to the process group led by pid.
func signalGroup(_ *os.Process, pid int, sig syscall.Signal) {
	_ = syscall.Kill(-pid, sig)
}

// killGroup sends SIGKILL to the process group led by pid.
func killGroup(_ *os.Process, pid int) {
	_ = syscall.Kill(-pid, syscall.SIGKILL)
}
