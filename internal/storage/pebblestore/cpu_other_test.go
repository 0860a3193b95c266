//go:build !unix

package pebblestore

import "time"

func cpuTime() time.Duration { return 0 }
