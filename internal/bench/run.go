package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// Phase bounds of the stream's lifecycle.
const (
	activeTimeout = 60 * time.Second // CreateStream until ACTIVE
	deleteTimeout = 30 * time.Second // DeleteStream at the end
)

// Run performs one benchmark run: start the server (unless opts.Endpoint is
// set), create the stream, produce while consuming, wait for the consumers,
// read everything back, verify, delete the stream. It writes the
// human-readable summary and the JSON line to stdout (nil = nowhere) and
// returns the figures. A failed verification is reported in
// Result.VerifyOK, not as an error; errors mean the run could not be done.
func Run(ctx context.Context, opts Options, stdout io.Writer) (res *Result, err error) {
	opts, err = opts.withDefaults()
	if err != nil {
		return nil, err
	}
	r := &runner{opts: opts, endpoint: opts.Endpoint, pid: opts.ServerPID}
	if r.endpoint == "" {
		srv, err := startServer(ctx, opts)
		if err != nil {
			return nil, err
		}
		defer func() { err = errors.Join(err, srv.stop()) }()
		r.endpoint, r.pid = srv.endpoint, srv.pid()
		r.progress("server %s ready (pid %d)", r.endpoint, r.pid)
	}
	conns := opts.Producers + opts.Shards + min(opts.Shards, maxReadWorkers) + 8
	client, tr := newClient(r.endpoint, conns, opts.RawBody)
	defer tr.CloseIdleConnections()
	r.client = client

	res, err = r.run(ctx)
	if err != nil {
		return nil, err
	}
	if stdout != nil {
		writeSummary(stdout, res)
		line, err := res.JSON()
		if err != nil {
			return res, fmt.Errorf("encode result: %w", err)
		}
		fmt.Fprintf(stdout, "%s\n", line)
	}
	return res, nil
}

// runner carries one run's state across its phases.
type runner struct {
	opts     Options
	endpoint string
	pid      int
	client   *kinesis.Client
	errs     errorLog
}

func (r *runner) progress(format string, args ...any) {
	if r.opts.Progress == nil {
		return
	}
	fmt.Fprintf(r.opts.Progress, "bench: "+format+"\n", args...)
}

func (r *runner) run(ctx context.Context) (res *Result, err error) {
	opts := r.opts
	res = &Result{
		Endpoint: r.endpoint, Stream: opts.Stream, Shards: opts.Shards,
		Producers: opts.Producers, Batch: opts.Batch, PutBatch: opts.putBatch, Size: opts.Size, KPL: opts.KPL, Rate: opts.Rate,
		BodyWrap: !opts.RawBody, ServerPID: r.pid,
	}
	if r.pid > 0 {
		if m, err := procMem(r.pid); err == nil {
			res.ServerRSSIdleMiB = float64(m.rss) / mib
		}
	}

	shards, err := r.createStream(ctx)
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, r.deleteStream()) }()
	r.progress("stream %s ACTIVE with %d shards", opts.Stream, len(shards))

	// Consumers take their LATEST iterators before anything is produced.
	var consumed atomic.Int64
	var consumers []*consumer
	if !opts.NoConsumer {
		for _, shard := range shards {
			it, err := shardIterator(ctx, r.client, opts.Stream, shard, types.ShardIteratorTypeLatest, "")
			if err != nil {
				return nil, err
			}
			consumers = append(consumers, &consumer{
				client: r.client, stream: opts.Stream, shard: shard, iterator: it,
				poll: opts.Poll, consumed: &consumed, errs: &r.errs,
			})
		}
	}
	consumeCtx, stopConsumers := context.WithCancel(ctx)
	defer stopConsumers()
	var consumerWG sync.WaitGroup
	for _, c := range consumers {
		consumerWG.Go(func() { c.run(consumeCtx) })
	}

	meter := cpuMeter{pid: r.pid}
	var acked atomic.Int64
	producers := make([]*producer, opts.Producers)
	for i := range producers {
		producers[i] = newProducer(i, opts, r.client, &acked, &r.errs)
	}
	if opts.Records > 0 {
		r.progress("putting %d records", opts.Records)
	} else {
		r.progress("putting for %s", opts.Duration)
	}
	cpuPutStart := meter.sample()
	putStart := time.Now()
	var producerWG sync.WaitGroup
	for _, p := range producers {
		p.plan(opts, putStart)
		producerWG.Go(func() { p.run(ctx) })
	}
	producerWG.Wait()
	putElapsed := time.Since(putStart)
	cpuPutEnd := meter.sample()
	if err := ctx.Err(); err != nil {
		stopConsumers()
		consumerWG.Wait()
		return nil, fmt.Errorf("interrupted while producing: %w", err)
	}
	r.progress("put %d records in %.2f s", acked.Load(), putElapsed.Seconds())

	// Let the consumers see every acknowledged record, then stop them.
	res.ConsumerCaughtUp = opts.NoConsumer || waitFor(ctx, opts.DrainTimeout, func() bool {
		return consumed.Load() >= acked.Load()
	})
	stopConsumers()
	consumerWG.Wait()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("interrupted while draining: %w", err)
	}

	r.progress("reading back")
	v := newVerifier(opts.Size, producers, len(shards))
	cpuReadStart := meter.sample()
	readStart := time.Now()
	readStats, readErr := readBack(ctx, r.client, opts.Stream, shards, v, &r.errs)
	readElapsed := time.Since(readStart)
	cpuReadEnd := meter.sample()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("interrupted while reading back: %w", err)
	}
	if readErr != nil {
		r.errs.add("read-back", readErr)
	}
	if r.pid > 0 {
		if m, err := procMem(r.pid); err == nil {
			res.ServerRSSAfterMiB = float64(m.rss) / mib
			res.ServerPeakRSSMiB = float64(m.hwm) / mib
		}
	}

	res.Verification = v.result(readErr == nil)
	r.fill(res, producers, consumers, readStats)
	res.PutSeconds = putElapsed.Seconds()
	res.PutRecordsPerSec = perSecond(float64(res.Acknowledged), putElapsed)
	res.PutKinesisRecordsPerSec = perSecond(float64(res.PutKinesisRecords), putElapsed)
	res.PutMiBPerSec = perSecond(float64(res.AckedBytes)/mib, putElapsed)
	res.Consumed = consumed.Load()
	res.ReadSeconds = readElapsed.Seconds()
	res.ReadKinesisRecords = readStats.records
	res.ReadRecordsPerSec = perSecond(float64(res.ReadRecords), readElapsed)
	res.ReadMiBPerSec = perSecond(float64(res.ReadBytes)/mib, readElapsed)

	srvPut, cliPut := cpuPutEnd.since(cpuPutStart)
	srvRead, cliRead := cpuReadEnd.since(cpuReadStart)
	_, cliAll := cpuReadEnd.since(cpuPutStart)
	res.ClientCPUSeconds = cliAll.Seconds()
	res.ClientCPUPutSeconds = cliPut.Seconds()
	res.ClientCPUReadSeconds = cliRead.Seconds()
	if srvPut >= 0 && srvRead >= 0 {
		res.ServerCPUPutSeconds = srvPut.Seconds()
		res.ServerCPUReadSeconds = srvRead.Seconds()
		res.ServerCPUUsPerPutRecord = microsPer(srvPut, res.Acknowledged)
		res.ServerCPUUsPerReadRecord = microsPer(srvRead, res.ReadRecords)
	}
	res.FirstError = r.errs.firstError()
	return res, nil
}

// fill adds the producers' and consumers' counters and latencies to res.
func (r *runner) fill(res *Result, producers []*producer, consumers []*consumer, read getStats) {
	var ps producerStats
	var put, e2e histogram
	for _, p := range producers {
		ps.add(p.stats)
		put.merge(&p.putHist)
	}
	var gs getStats
	for _, c := range consumers {
		gs.add(c.stats)
		e2e.merge(&c.e2e)
	}
	gs.add(read)
	res.PutCalls = ps.calls
	res.PutKinesisRecords = ps.ackedKinesis
	res.PutErrors = ps.callErrors
	res.RecordErrors = ps.recordErrors
	res.GetErrors = gs.errors
	res.Throttles = ps.throttles + gs.throttles
	res.Errors = res.PutErrors + res.RecordErrors + res.GetErrors
	res.Retried = ps.retried
	res.PutP50Ms = ms(put.quantile(0.50))
	res.PutP99Ms = ms(put.quantile(0.99))
	res.PutMaxMs = ms(time.Duration(put.max))
	res.E2EP50Ms = ms(e2e.quantile(0.50))
	res.E2EP99Ms = ms(e2e.quantile(0.99))
	res.E2EMaxMs = ms(time.Duration(e2e.max))
}

// createStream creates the stream, waits until it is ACTIVE and returns its
// shard ids in order.
func (r *runner) createStream(ctx context.Context) ([]string, error) {
	callCtx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	_, err := r.client.CreateStream(callCtx, &kinesis.CreateStreamInput{
		StreamName: aws.String(r.opts.Stream),
		ShardCount: aws.Int32(int32(r.opts.Shards)),
	})
	if err != nil {
		return nil, fmt.Errorf("create stream %s: %w", r.opts.Stream, err)
	}
	var shards []string
	active := waitFor(ctx, activeTimeout, func() bool {
		var ok bool
		shards, ok, err = r.describe(ctx)
		return ok || err != nil
	})
	if err != nil {
		r.deleteStream()
		return nil, err
	}
	if !active {
		r.deleteStream()
		return nil, fmt.Errorf("stream %s not ACTIVE after %s", r.opts.Stream, activeTimeout)
	}
	sort.Slice(shards, func(i, j int) bool { return shards[i] < shards[j] })
	return shards, nil
}

// describe pages through DescribeStream and reports whether the stream is
// ACTIVE, with its shard ids.
func (r *runner) describe(ctx context.Context) ([]string, bool, error) {
	var shards []string
	in := &kinesis.DescribeStreamInput{StreamName: aws.String(r.opts.Stream)}
	for {
		callCtx, cancel := context.WithTimeout(ctx, callTimeout)
		out, err := r.client.DescribeStream(callCtx, in)
		cancel()
		if err != nil {
			return nil, false, fmt.Errorf("describe stream %s: %w", r.opts.Stream, err)
		}
		d := out.StreamDescription
		if d == nil {
			return nil, false, fmt.Errorf("describe stream %s: no description", r.opts.Stream)
		}
		if d.StreamStatus != types.StreamStatusActive {
			return nil, false, nil
		}
		for _, s := range d.Shards {
			shards = append(shards, aws.ToString(s.ShardId))
		}
		if !aws.ToBool(d.HasMoreShards) || len(d.Shards) == 0 {
			return shards, true, nil
		}
		in.ExclusiveStartShardId = d.Shards[len(d.Shards)-1].ShardId
	}
}

// deleteStream deletes the stream, even if the run's context has ended.
func (r *runner) deleteStream() error {
	ctx, cancel := context.WithTimeout(context.Background(), deleteTimeout)
	defer cancel()
	_, err := r.client.DeleteStream(ctx, &kinesis.DeleteStreamInput{
		StreamName:              aws.String(r.opts.Stream),
		EnforceConsumerDeletion: aws.Bool(true),
	})
	if err != nil {
		return fmt.Errorf("delete stream %s: %w", r.opts.Stream, err)
	}
	r.progress("deleted stream %s", r.opts.Stream)
	return nil
}

// waitFor polls cond every 10 ms until it holds (true), or the timeout
// passes or ctx ends (false).
func waitFor(ctx context.Context, timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for {
		if cond() {
			return true
		}
		if !time.Now().Before(deadline) || !sleepUntil(ctx, time.Now().Add(10*time.Millisecond)) {
			return false
		}
	}
}

// randomSuffix returns 8 random hex digits for a default stream name.
func randomSuffix() string {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return fmt.Sprintf("%08x", time.Now().UnixNano()&0xffffffff)
	}
	return hex.EncodeToString(b[:])
}
