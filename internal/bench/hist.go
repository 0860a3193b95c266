package bench

import (
	"math"
	"math/bits"
	"time"
)

// histogram is a log-linear latency histogram over nanoseconds: values below
// 128 have their own bucket, larger ones keep their top 7 significant bits,
// so a bucket is at most 1/64 (1.6 %) wide relative to its values. It uses
// constant memory however many samples it holds. Not safe for concurrent
// use: every goroutine keeps its own and they are merged at the end.
type histogram struct {
	counts [histBuckets]uint64
	n      uint64
	sum    float64
	min    int64
	max    int64
}

const (
	histSubBits = 7
	histSub     = 1 << histSubBits // 128
	histHalf    = histSub / 2      // 64
	histBuckets = histSub + (64-histSubBits)*histHalf
)

// histIndex maps a non-negative value to its bucket.
func histIndex(v int64) int {
	if v < histSub {
		return int(v)
	}
	shift := bits.Len64(uint64(v)) - histSubBits // >= 1
	top := int(uint64(v) >> shift)               // 64..127
	return histSub + (shift-1)*histHalf + top - histHalf
}

// histBounds returns the smallest and largest value of a bucket.
func histBounds(i int) (lo, hi int64) {
	if i < histSub {
		return int64(i), int64(i)
	}
	shift := (i-histSub)/histHalf + 1
	top := int64((i-histSub)%histHalf + histHalf)
	lo = top << shift
	return lo, lo + (int64(1) << shift) - 1
}

func (h *histogram) record(d time.Duration) {
	v := int64(d)
	if v < 0 {
		v = 0
	}
	h.counts[histIndex(v)]++
	if h.n == 0 || v < h.min {
		h.min = v
	}
	if v > h.max {
		h.max = v
	}
	h.n++
	h.sum += float64(v)
}

func (h *histogram) merge(o *histogram) {
	if o.n == 0 {
		return
	}
	for i, c := range o.counts {
		h.counts[i] += c
	}
	if h.n == 0 || o.min < h.min {
		h.min = o.min
	}
	h.max = max(h.max, o.max)
	h.n += o.n
	h.sum += o.sum
}

// quantile returns the value at quantile q (0 < q <= 1): the midpoint of the
// bucket holding the sample of rank ceil(q*n), clamped to the exact minimum
// and maximum. It returns 0 for an empty histogram.
func (h *histogram) quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(h.n)))
	rank = min(max(rank, 1), h.n)
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen < rank {
			continue
		}
		lo, hi := histBounds(i)
		v := lo + (hi-lo)/2
		return time.Duration(min(max(v, h.min), h.max))
	}
	return time.Duration(h.max)
}

func (h *histogram) mean() time.Duration {
	if h.n == 0 {
		return 0
	}
	return time.Duration(h.sum / float64(h.n))
}

// ms converts a duration to float milliseconds for the report.
func ms(d time.Duration) float64 {
	return float64(d) / float64(time.Millisecond)
}
