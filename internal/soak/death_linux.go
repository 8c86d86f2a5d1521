package soak

import (
	"os/exec"
	"syscall"
)

// setDeathSignal makes the kernel kill the child if the parent thread that
// started it exits first, and puts the child in a process group of its own
// so that a terminal's SIGINT reaches only the parent.
func setDeathSignal(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
}
