package compress

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
)

// jsonRecords returns n newline-terminated JSON records of exactly 1 KiB,
// shaped like application events: repeated field names, a few enumerated
// values, numbers, ids and timestamps that vary, and a free-text message
// drawn from a small vocabulary. Compressible like real logs, neither all
// zeros nor random bytes. Deterministic for a given seed.
func jsonRecords(n int, seed uint64) [][]byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	events := []string{"page_view", "click", "add_to_cart", "checkout", "search", "login", "logout"}
	agents := []string{
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
		"Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0",
	}
	words := strings.Fields("the order was shipped from warehouse north after payment authorised customer requested express delivery " +
		"item out of stock retry scheduled inventory updated coupon applied total recalculated session resumed cache miss")
	out := make([][]byte, n)
	for i := range out {
		var b strings.Builder
		fmt.Fprintf(&b, `{"ts":"2026-07-13T14:%02d:%02d.%03dZ","event":"%s","user_id":%d,"session":"%016x","path":"/products/%d",`+
			`"amount":%d.%02d,"country":"%s","ua":"%s","msg":"`,
			r.IntN(60), r.IntN(60), r.IntN(1000), events[r.IntN(len(events))], r.IntN(1_000_000), r.Uint64(),
			r.IntN(50_000), r.IntN(1000), r.IntN(100), []string{"DE", "US", "JP", "BR", "IN"}[r.IntN(5)], agents[r.IntN(len(agents))])
		for b.Len() < 1024-3 {
			b.WriteString(words[r.IntN(len(words))])
			b.WriteByte(' ')
		}
		s := b.String()[:1024-3] + `"}` + "\n"
		out[i] = []byte(s)
	}
	return out
}

var (
	payloadOnce sync.Once
	payloadData []byte
)

// payload returns size bytes of JSON records; seed picks where in a shared
// 12 MiB corpus they start, so different sizes and seeds differ.
func payload(size int, seed uint64) []byte {
	payloadOnce.Do(func() {
		for _, r := range jsonRecords(12<<10, 1) {
			payloadData = append(payloadData, r...)
		}
	})
	start := int(seed*4099) % (len(payloadData) - size + 1)
	return payloadData[start : start+size : start+size]
}
