//go:build !unix

package app

import "time"

// cpuTime is unknown here; BenchmarkPutRecordsCodec then reports wall
// time only.
func cpuTime() time.Duration { return 0 }
