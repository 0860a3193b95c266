//go:build !unix

package bench

import "os/exec"

// detach does nothing on this platform.
func detach(*exec.Cmd) {}
