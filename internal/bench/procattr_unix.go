//go:build unix && !linux

package bench

import (
	"os/exec"
	"syscall"
)

// detach puts the started server in its own process group, so that a
// Ctrl-C in the terminal reaches only the bench, which then deletes the
// stream and stops the server itself.
func detach(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}
