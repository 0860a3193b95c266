package bench

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
)

// readLimit is the GetRecords Limit: the most Kinesis allows.
const readLimit = 10000

// maxReadWorkers bounds the shards read back at the same time.
const maxReadWorkers = 64

// getStats are the counters of GetRecords loops.
type getStats struct {
	calls     int64
	records   int64
	errors    int64
	throttles int64
}

func (s *getStats) add(o getStats) {
	s.calls += o.calls
	s.records += o.records
	s.errors += o.errors
	s.throttles += o.throttles
}

// shardIterator gets an iterator of the given type (with seq for the
// AT/AFTER_SEQUENCE_NUMBER types).
func shardIterator(ctx context.Context, c *kinesis.Client, stream, shard string, typ types.ShardIteratorType, seq string) (*string, error) {
	in := &kinesis.GetShardIteratorInput{
		StreamName:        aws.String(stream),
		ShardId:           aws.String(shard),
		ShardIteratorType: typ,
	}
	if seq != "" {
		in.StartingSequenceNumber = aws.String(seq)
	}
	callCtx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	out, err := c.GetShardIterator(callCtx, in)
	if err != nil {
		return nil, fmt.Errorf("get %s iterator of %s: %w", typ, shard, err)
	}
	if out.ShardIterator == nil {
		return nil, fmt.Errorf("get %s iterator of %s: no iterator in the response", typ, shard)
	}
	return out.ShardIterator, nil
}

// isExpiredIterator reports whether err says the shard iterator expired.
func isExpiredIterator(err error) bool {
	var apiErr smithy.APIError
	return errors.As(err, &apiErr) && apiErr.ErrorCode() == "ExpiredIteratorException"
}

// consumer polls one shard while the producers run and measures end-to-end
// latency: receipt time minus the put time in each record's header. It
// de-aggregates KPL aggregates and counts and measures user records.
type consumer struct {
	client   *kinesis.Client
	stream   string
	shard    string
	iterator *string
	poll     time.Duration
	consumed *atomic.Int64 // all consumers' user records, for the drain
	errs     *errorLog
	e2e      histogram
	stats    getStats
}

// run polls until ctx ends or the shard is closed, sleeping the poll
// interval only after an empty response or an error.
func (c *consumer) run(ctx context.Context) {
	last := ""
	for ctx.Err() == nil && c.iterator != nil {
		callCtx, cancel := context.WithTimeout(ctx, callTimeout)
		out, err := c.client.GetRecords(callCtx, &kinesis.GetRecordsInput{ShardIterator: c.iterator})
		cancel()
		c.stats.calls++
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			c.recover(ctx, err, last)
			sleepUntil(ctx, time.Now().Add(c.poll))
			continue
		}
		now := time.Now().UnixNano()
		var users int64
		for _, r := range out.Records {
			err := userRecords(r.Data, func(_ int, data []byte) {
				users++
				if h, err := decodeHeader(data); err == nil {
					c.e2e.record(time.Duration(now - h.putNanos))
				}
			})
			if err != nil {
				users++ // a malformed aggregate: the read-back reports it
			}
			last = aws.ToString(r.SequenceNumber)
		}
		c.stats.records += int64(len(out.Records))
		c.consumed.Add(users)
		c.iterator = out.NextShardIterator
		if len(out.Records) == 0 {
			sleepUntil(ctx, time.Now().Add(c.poll))
		}
	}
}

// recover counts a failed GetRecords and replaces an expired iterator.
func (c *consumer) recover(ctx context.Context, err error, last string) {
	if classify(err) == errThrottle {
		c.stats.throttles++
		return
	}
	c.stats.errors++
	c.errs.add("GetRecords (consumer)", err)
	if !isExpiredIterator(err) {
		return
	}
	typ, seq := types.ShardIteratorTypeAfterSequenceNumber, last
	if last == "" {
		typ = types.ShardIteratorTypeLatest
	}
	if it, ierr := shardIterator(ctx, c.client, c.stream, c.shard, typ, seq); ierr == nil {
		c.iterator = it
	}
}

// readBack reads every shard from TRIM_HORIZON in parallel, each until an
// empty response with MillisBehindLatest 0, and hands every record to the
// verifier.
func readBack(ctx context.Context, client *kinesis.Client, stream string, shards []string, v *verifier, errs *errorLog) (getStats, error) {
	var (
		mu     sync.Mutex
		total  getStats
		errAll error
		wg     sync.WaitGroup
		sem    = make(chan struct{}, maxReadWorkers)
	)
	for i, shard := range shards {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			st, err := readShard(ctx, client, stream, shard, v.shard(i), errs)
			mu.Lock()
			defer mu.Unlock()
			total.add(st)
			errAll = errors.Join(errAll, err)
		})
	}
	wg.Wait()
	return total, errAll
}

// maxReadFailures is how many GetRecords in a row may fail before the
// read-back of a shard gives up.
const maxReadFailures = 10

func readShard(ctx context.Context, client *kinesis.Client, stream, shard string, sc *shardCheck, errs *errorLog) (getStats, error) {
	var st getStats
	it, err := shardIterator(ctx, client, stream, shard, types.ShardIteratorTypeTrimHorizon, "")
	if err != nil {
		return st, err
	}
	last := ""
	failures := 0
	for it != nil {
		callCtx, cancel := context.WithTimeout(ctx, callTimeout)
		out, err := client.GetRecords(callCtx, &kinesis.GetRecordsInput{ShardIterator: it, Limit: aws.Int32(readLimit)})
		cancel()
		st.calls++
		if err != nil {
			if ctx.Err() != nil {
				return st, ctx.Err()
			}
			failures++
			if classify(err) == errThrottle {
				st.throttles++
			} else {
				st.errors++
				errs.add("GetRecords (read-back)", err)
			}
			if failures >= maxReadFailures {
				return st, fmt.Errorf("read back %s: %d failures in a row: %w", shard, failures, err)
			}
			if isExpiredIterator(err) && last != "" {
				if nit, ierr := shardIterator(ctx, client, stream, shard, types.ShardIteratorTypeAfterSequenceNumber, last); ierr == nil {
					it = nit
				}
			}
			sleepUntil(ctx, time.Now().Add(time.Duration(failures)*20*time.Millisecond))
			continue
		}
		failures = 0
		for _, r := range out.Records {
			sc.observe(r)
			last = aws.ToString(r.SequenceNumber)
		}
		st.records += int64(len(out.Records))
		it = out.NextShardIterator
		if len(out.Records) == 0 && aws.ToInt64(out.MillisBehindLatest) == 0 {
			return st, nil
		}
	}
	return st, nil
}
