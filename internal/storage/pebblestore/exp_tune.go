package pebblestore

// TEMPORARY: tuning experiment knobs, removed before hand-off.

import (
	"os"
	"strconv"
	"time"

	"github.com/cockroachdb/pebble"
)

func expInt(name string) (int, bool) {
	v := os.Getenv(name)
	if v == "" {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		panic(name)
	}
	return n, true
}

func expTune(o *pebble.Options) {
	if n, ok := expInt("FX_MEMTABLE"); ok {
		o.MemTableSize = uint64(n)
	}
	if n, ok := expInt("FX_MEMSTOP"); ok {
		o.MemTableStopWritesThreshold = n
	}
	if n, ok := expInt("FX_L0COMP"); ok {
		o.L0CompactionThreshold = n
	}
	if n, ok := expInt("FX_L0STOP"); ok {
		o.L0StopWritesThreshold = n
	}
	if n, ok := expInt("FX_LBASE"); ok {
		o.LBaseMaxBytes = int64(n)
	}
	if n, ok := expInt("FX_MCC"); ok {
		o.MaxConcurrentCompactions = func() int { return n }
	}
	if n, ok := expInt("FX_BPS"); ok {
		o.BytesPerSync = n
	}
	if n, ok := expInt("FX_WALBPS"); ok {
		o.WALBytesPerSync = n
	}
	if n, ok := expInt("FX_FLUSHSPLIT"); ok {
		o.FlushSplitBytes = int64(n)
	}
	if n, ok := expInt("FX_WALMINSYNC"); ok {
		o.WALMinSyncInterval = func() time.Duration { return time.Duration(n) * time.Microsecond }
	}
	for i := range o.Levels {
		if n, ok := expInt("FX_BLOCK"); ok {
			o.Levels[i].BlockSize = n
		}
		if n, ok := expInt("FX_TFS"); ok {
			o.Levels[i].TargetFileSize = int64(n) << min(i, 3)
		}
		if n, ok := expInt("FX_TFSFLAT"); ok {
			o.Levels[i].TargetFileSize = int64(n)
		}
	}
}

func expReport(db *pebble.DB) {
	if os.Getenv("FX_METRICS") != "" {
		os.Stderr.WriteString(db.Metrics().String())
	}
}
