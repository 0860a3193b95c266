package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// Result holds every figure of one run. It marshals to the JSON line the
// command prints; server figures are left out when the server's PID is
// unknown.
type Result struct {
	Endpoint  string  `json:"endpoint"`
	Stream    string  `json:"stream"`
	Shards    int     `json:"shards"`
	Producers int     `json:"producers"`
	Batch     int     `json:"batch"`     // --batch
	PutBatch  int     `json:"put_batch"` // Kinesis records per PutRecords: batch, reduced to keep a call within 5 MiB
	Size      int     `json:"size"`      // bytes per (user) record
	KPL       int     `json:"kpl"`       // user records per KPL aggregate; 0 = plain records
	Rate      float64 `json:"rate"`
	BodyWrap  bool    `json:"body_wrap"` // the SDK race workaround was on

	// Put phase: from the first producer starting to the last finishing.
	// Records are user records; Kinesis records are the aggregates with
	// --kpl and the same as records without.
	PutSeconds              float64 `json:"put_s"`
	PutRecordsPerSec        float64 `json:"put_records_per_s"` // acknowledged records / put_s
	PutKinesisRecords       int64   `json:"put_kinesis_records"`
	PutKinesisRecordsPerSec float64 `json:"put_kinesis_records_per_s"`
	PutMiBPerSec            float64 `json:"put_mib_per_s"`
	PutCalls                int64   `json:"put_calls"`
	PutP50Ms                float64 `json:"put_p50_ms"` // one successful PutRecords call
	PutP99Ms                float64 `json:"put_p99_ms"`
	PutMaxMs                float64 `json:"put_max_ms"`

	// End to end: consumer receipt time minus the put time in the record.
	E2EP50Ms         float64 `json:"e2e_p50_ms"`
	E2EP99Ms         float64 `json:"e2e_p99_ms"`
	E2EMaxMs         float64 `json:"e2e_max_ms"`
	Consumed         int64   `json:"consumed"`
	ConsumerCaughtUp bool    `json:"consumer_caught_up"`

	// Read-back phase alone: all shards from TRIM_HORIZON in parallel.
	ReadSeconds        float64 `json:"read_s"`
	ReadKinesisRecords int64   `json:"read_kinesis_records"`
	ReadRecordsPerSec  float64 `json:"read_records_per_s"`
	ReadMiBPerSec      float64 `json:"read_mib_per_s"`

	Errors       int64  `json:"errors"`        // put_errors + record_errors + get_errors
	PutErrors    int64  `json:"put_errors"`    // failed PutRecords calls (not throttles)
	RecordErrors int64  `json:"record_errors"` // records rejected with a non-throttle error code
	GetErrors    int64  `json:"get_errors"`    // failed GetRecords calls (not throttles)
	Throttles    int64  `json:"throttles"`     // throttled calls and records
	Retried      int64  `json:"retried"`       // records sent more than once
	FirstError   string `json:"first_error,omitempty"`

	Verification

	ServerPID                int     `json:"server_pid,omitempty"`
	ServerCPUPutSeconds      float64 `json:"server_cpu_put_s,omitempty"`
	ServerCPUReadSeconds     float64 `json:"server_cpu_read_s,omitempty"`
	ServerCPUUsPerPutRecord  float64 `json:"server_cpu_us_per_put_record,omitempty"`
	ServerCPUUsPerReadRecord float64 `json:"server_cpu_us_per_read_record,omitempty"`
	ServerRSSIdleMiB         float64 `json:"server_rss_idle_mib,omitempty"`  // before the stream was created
	ServerRSSAfterMiB        float64 `json:"server_rss_after_mib,omitempty"` // after the read-back
	ServerPeakRSSMiB         float64 `json:"server_peak_rss_mib,omitempty"`  // VmHWM after the read-back

	ClientCPUSeconds     float64 `json:"client_cpu_s"` // put, drain and read-back phases
	ClientCPUPutSeconds  float64 `json:"client_cpu_put_s"`
	ClientCPUReadSeconds float64 `json:"client_cpu_read_s"`
}

// JSON returns the result as one line of JSON.
func (r *Result) JSON() ([]byte, error) {
	return json.Marshal(r)
}

const mib = 1 << 20

// perSecond divides n by seconds, 0 if no time passed.
func perSecond(n float64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return n / d.Seconds()
}

// microsPer returns d in microseconds per item, 0 for no items.
func microsPer(d time.Duration, n int64) float64 {
	if n <= 0 || d < 0 {
		return 0
	}
	return float64(d) / float64(time.Microsecond) / float64(n)
}

// writeSummary prints the human-readable report.
func writeSummary(w io.Writer, r *Result) {
	fmt.Fprintf(w, "freshet bench: %s, stream %s, %d shards\n", r.Endpoint, r.Stream, r.Shards)
	rate := "unpaced"
	if r.Rate > 0 {
		rate = fmt.Sprintf("paced at %.0f rec/s", r.Rate)
	}
	fmt.Fprintf(w, "  workload   %d producers × %s, %s\n", r.Producers, workloadLine(r), rate)
	fmt.Fprintf(w, "  put        %d records in %.2f s: %.0f rec/s, %.2f MiB/s, %d calls\n",
		r.Acknowledged, r.PutSeconds, r.PutRecordsPerSec, r.PutMiBPerSec, r.PutCalls)
	if r.KPL > 0 {
		fmt.Fprintf(w, "  put KPL    %d Kinesis records (aggregates): %.0f Kinesis rec/s\n",
			r.PutKinesisRecords, r.PutKinesisRecordsPerSec)
	}
	fmt.Fprintf(w, "  put call   p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", r.PutP50Ms, r.PutP99Ms, r.PutMaxMs)
	if r.Consumed > 0 || r.E2EMaxMs > 0 {
		caught := "caught up"
		if !r.ConsumerCaughtUp {
			caught = "did NOT catch up"
		}
		fmt.Fprintf(w, "  end to end p50 %.2f ms, p99 %.2f ms, max %.2f ms (%d records consumed, %s)\n",
			r.E2EP50Ms, r.E2EP99Ms, r.E2EMaxMs, r.Consumed, caught)
	}
	fmt.Fprintf(w, "  read-back  %d records in %.2f s: %.0f rec/s, %.2f MiB/s\n",
		r.ReadRecords, r.ReadSeconds, r.ReadRecordsPerSec, r.ReadMiBPerSec)
	if r.KPL > 0 {
		fmt.Fprintf(w, "  read KPL   %d Kinesis records de-aggregated\n", r.ReadKinesisRecords)
	}
	fmt.Fprintf(w, "  errors     %d (put calls %d, records %d, get %d), throttles %d, retried records %d, failed records %d\n",
		r.Errors, r.PutErrors, r.RecordErrors, r.GetErrors, r.Throttles, r.Retried, r.Failed)
	if r.FirstError != "" {
		fmt.Fprintf(w, "  first error %s\n", r.FirstError)
	}
	verdict := "OK"
	if !r.VerifyOK {
		verdict = "FAILED"
	}
	line := fmt.Sprintf("  verify     %s: missing %d, duplicates %d, ambiguous dups %d, unexpected %d, corrupt %d, order violations %d/%d (seq/producer), shard records %d-%d",
		verdict, r.Missing, r.Duplicates, r.AmbiguousDups, r.Unexpected, r.Corrupt,
		r.OrderViolations, r.ProducerOrderViolations, r.MinShardRecords, r.MaxShardRecords)
	if !r.ReadBackComplete {
		line += ", read-back INCOMPLETE"
	}
	fmt.Fprintln(w, line)
	if r.ServerPID > 0 {
		fmt.Fprintf(w, "  server     pid %d: CPU %.2f s put (%.1f µs/record), %.2f s read-back (%.1f µs/record)\n",
			r.ServerPID, r.ServerCPUPutSeconds, r.ServerCPUUsPerPutRecord, r.ServerCPUReadSeconds, r.ServerCPUUsPerReadRecord)
		fmt.Fprintf(w, "  server RSS %.1f MiB idle, %.1f MiB after, %.1f MiB peak\n",
			r.ServerRSSIdleMiB, r.ServerRSSAfterMiB, r.ServerPeakRSSMiB)
	}
	fmt.Fprintf(w, "  client CPU %.2f s (put %.2f s, read-back %.2f s)\n",
		r.ClientCPUSeconds, r.ClientCPUPutSeconds, r.ClientCPUReadSeconds)
}
