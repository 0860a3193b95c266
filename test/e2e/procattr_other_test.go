//go:build !linux

package e2e

import "os/exec"

// setDeathSignal is Linux-only; elsewhere an orphaned server must be
// stopped by hand if the test binary dies.
func setDeathSignal(*exec.Cmd) {}
