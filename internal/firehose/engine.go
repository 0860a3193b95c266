package firehose

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/freshet/freshet/internal/api/firehoseapi"
	"github.com/freshet/freshet/internal/firehose/dest"
	"github.com/freshet/freshet/internal/firehose/process"
)

const (
	mib = 1 << 20
	// maxPartitions is AWS's default quota of active partitions.
	maxPartitions = 500
	// deliveryWorkers is how many flushed buffers of one stream are
	// delivered at once while reading goes on.
	deliveryWorkers = 2
	// flushTimeout bounds the final flush of an updated stream; what is
	// not delivered by then is delivered again under the new version.
	flushTimeout = 30 * time.Second
	maxWait      = time.Second
)

// pipeline delivers one version of one delivery stream: it reads the
// source, processes, buffers by size and time, and hands full buffers to
// delivery workers. It checkpoints the source only behind delivered data.
type pipeline struct {
	s   *Service
	ds  *deliveryStream
	doc *streamDoc
	log *slog.Logger

	// ctx governs deliveries; readCtx the read loop.
	ctx        context.Context
	cancel     context.CancelFunc
	readCtx    context.Context
	stopRead   context.CancelFunc
	flushFirst atomic.Bool
	done       chan struct{}

	src     source
	tracker *tracker
	cpRev   uint64

	proc      *process.Pipeline
	lambda    bool
	lambdaLim limits
	lambdaBuf *procBuffer

	sink       sink
	lim        limits
	buffers    map[string]*buffer
	partitions *partitioner

	backup    *s3Target
	backupLim limits
	backupBuf *buffer

	jobs    chan *buffer
	workers sync.WaitGroup
}

type limits struct {
	bytes    int
	interval time.Duration
}

// startPipeline starts the stream's pipeline; s.mu or ds.mu is held.
func (s *Service) startPipeline(ds *deliveryStream) {
	ctx, cancel := context.WithCancel(context.Background())
	readCtx, stopRead := context.WithCancel(ctx)
	p := &pipeline{
		s: s, ds: ds, doc: ds.doc,
		log: s.log.With("stream", ds.doc.Name),
		ctx: ctx, cancel: cancel,
		readCtx: readCtx, stopRead: stopRead,
		done:    make(chan struct{}),
		buffers: map[string]*buffer{},
		jobs:    make(chan *buffer, deliveryWorkers),
	}
	ds.pipe = p
	go p.run()
}

// stop ends the pipeline. With flush, what is buffered is delivered first
// (bounded by flushTimeout); without, it stays unacknowledged in the
// source and is delivered by the next pipeline.
func (p *pipeline) stop(flush bool) {
	p.flushFirst.Store(flush)
	if flush {
		t := time.AfterFunc(flushTimeout, p.cancel)
		defer t.Stop()
	} else {
		p.cancel()
	}
	p.stopRead()
	<-p.done
	p.cancel()
}

func (p *pipeline) run() {
	defer close(p.done)
	if !p.setup() {
		return
	}
	for range deliveryWorkers {
		p.workers.Add(1)
		go p.worker()
	}
	for p.readCtx.Err() == nil {
		recs, err := p.src.read(p.readCtx, p.nextWait())
		if err != nil && p.readCtx.Err() == nil {
			p.log.Warn("read source", "err", err)
			p.pause(time.Second)
		}
		if len(recs) > 0 && p.readCtx.Err() == nil {
			p.ingest(recs)
		}
		p.flushDue(false)
	}
	if p.flushFirst.Load() && p.ctx.Err() == nil {
		p.flushDue(true)
	}
	close(p.jobs)
	p.workers.Wait()
	p.src.close()
	p.sink.close()
}

// setup builds the source, processors and sink, retrying what needs the
// network (a Glue schema) until it works or the pipeline stops.
func (p *pipeline) setup() bool {
	for {
		err := p.build()
		if err == nil {
			return true
		}
		p.log.Error("delivery stream cannot start; retrying", "err", err)
		if !p.pause(5 * time.Second) {
			return false
		}
	}
}

func (p *pipeline) build() error {
	s, doc := p.s, p.doc
	cp, rev, err := s.loadCheckpoint(p.ctx, doc)
	if err != nil {
		return err
	}
	p.cpRev = rev
	p.tracker = newTracker(cp, p.saveCheckpoint)

	var procCfg *firehoseapi.ProcessingConfiguration
	var dp *firehoseapi.DynamicPartitioningConfiguration
	if c := doc.Dest.ExtendedS3; c != nil {
		procCfg, dp = c.ProcessingConfiguration, c.DynamicPartitioningConfiguration
	} else if pl := pluginFor(&doc.Dest); pl != nil {
		procCfg = pl.processing(&doc.Dest)
	}
	opts := process.Options{
		LambdaEndpoint: s.opts.LambdaEndpoint, Region: doc.Region, HTTPClient: s.opts.HTTPClient,
		Logger: p.log, Now: s.now, Sleep: s.sleepScaled, StreamARN: doc.arn(),
	}
	if doc.Kinesis != nil {
		opts.SourceKinesisStreamARN = doc.Kinesis.KinesisStreamARN
	}
	if p.proc, err = process.New(procCfg, dp, opts); err != nil {
		return err
	}
	if b, iv, ok := p.proc.LambdaBuffer(); ok {
		p.lambda, p.lambdaLim = true, limits{bytes: b, interval: iv}
	}

	sk, lim, err := s.newSink(p.ctx, doc)
	if err != nil {
		return err
	}
	p.sink, p.lim = sk, lim
	if es3, ok := sk.(*s3Sink); ok && es3.partitioned {
		p.partitions = &partitioner{tmpl: es3.t.prefix}
	}
	if c := doc.Dest.ExtendedS3; c != nil && strOr(c.S3BackupMode, backupDisabled) == backupEnabled && c.S3BackupConfiguration != nil {
		if p.backup, err = s.newS3Target(doc, c.S3BackupConfiguration); err != nil {
			return err
		}
		p.backupLim = hintLimits(c.S3BackupConfiguration.BufferingHints, defaultS3MiB, defaultS3Secs)
	}

	switch doc.Type {
	case typeKinesis:
		p.src = newKinesisSource(s.opts.Kinesis, doc.Kinesis.KinesisStreamARN, cp, p.log)
	default:
		p.src = newSpoolSource(s.logs, doc, cp, p.ds.wake)
	}
	return nil
}

// saveCheckpoint stores the checkpoint; the tracker serialises calls.
func (p *pipeline) saveCheckpoint(cp checkpoint) {
	b, err := json.Marshal(cp)
	if err != nil {
		return
	}
	ctx := context.Background()
	rev, err := p.s.meta.Put(ctx, checkpointKey(p.doc), b, p.cpRev)
	if err != nil {
		p.log.Error("store checkpoint", "err", err)
		return
	}
	p.cpRev = rev
	p.src.committed(ctx, cp)
}

// ingest takes one read of the source through backup, processing and
// partitioning into the buffers.
func (p *pipeline) ingest(recs []srcRecord) {
	last := map[string]string{}
	items := make([]process.Record, 0, len(recs))
	for _, r := range recs {
		last[r.part] = r.pos
		if r.marker {
			continue
		}
		items = append(items, process.Record{
			Record:  dest.Record{ID: r.id, Data: r.data, ArrivalMs: r.arrivalMs},
			Kinesis: r.kinesis,
		})
	}
	g := p.tracker.newGroup(last)
	defer g.release(1)
	if p.doc.Type == typeKinesis && len(items) > 0 {
		n := 0
		for _, it := range items {
			n += len(it.Data)
		}
		p.s.opts.Metrics.Count(p.doc.Name, "DataReadFromKinesisStream.Records", float64(len(items)))
		p.s.opts.Metrics.Count(p.doc.Name, "DataReadFromKinesisStream.Bytes", float64(n))
	}
	if p.backup != nil && len(items) > 0 {
		if p.backupBuf == nil {
			p.backupBuf = newBuffer("", p.s.now())
		}
		g.hold(len(items))
		for _, it := range items {
			p.backupBuf.add(it, g)
		}
		if p.backupBuf.bytes >= p.backupLim.bytes {
			p.flushBackup()
		}
	}
	if len(items) == 0 {
		return
	}
	if p.lambda {
		if p.lambdaBuf == nil {
			p.lambdaBuf = &procBuffer{refs: map[ref]int{}, started: p.s.now()}
		}
		g.hold(len(items))
		for _, it := range items {
			p.lambdaBuf.add(it, g)
			if p.lambdaBuf.bytes >= p.lambdaLim.bytes {
				p.runLambda()
				p.lambdaBuf = &procBuffer{refs: map[ref]int{}, started: p.s.now()}
			}
		}
		return
	}
	out, failed, err := p.proc.Process(p.ctx, items)
	if err != nil {
		return // stopping: the group is never released, nothing is checkpointed
	}
	g.hold(len(out) + len(failed))
	p.fail(failed, g)
	p.route(out, g)
}

// runLambda sends the Lambda buffer through the processors.
func (p *pipeline) runLambda() {
	lb := p.lambdaBuf
	p.lambdaBuf = nil
	if lb == nil || len(lb.items) == 0 {
		return
	}
	out, failed, err := p.proc.Process(p.ctx, lb.items)
	if err != nil {
		return
	}
	br := &batchRef{pending: len(out) + len(failed), parents: lb.refs}
	if br.pending == 0 {
		br.release(0)
		return
	}
	p.fail(failed, br)
	p.route(out, br)
}

// fail writes failed records to the error output and releases them.
func (p *pipeline) fail(failed []dest.Failure, r ref) {
	if len(failed) == 0 {
		return
	}
	byType := map[string][]dest.Failure{}
	for _, f := range failed {
		t := process.ErrorOutputType(f)
		byType[t] = append(byType[t], f)
	}
	for t, fs := range byType {
		if err := p.sink.errors().writeFailures(p.ctx, p.s, t, fs); err != nil {
			return // stopping
		}
	}
	r.release(len(failed))
}

// route puts processed records into their buffers, flushing full ones.
func (p *pipeline) route(out []process.Record, r ref) {
	var bad []dest.Failure
	for _, rec := range out {
		key := ""
		if p.partitions != nil {
			k, f := p.partitions.key(rec, len(p.buffers), p.s.now())
			if f != nil {
				bad = append(bad, *f)
				continue
			}
			key = k
		}
		b := p.buffers[key]
		if b == nil {
			b = newBuffer(key, p.s.now())
			p.buffers[key] = b
		}
		b.add(rec, r)
		if b.bytes >= p.lim.bytes {
			p.flush(b)
		}
	}
	if len(bad) > 0 {
		p.fail(bad, r)
	}
}

// flushDue flushes every buffer whose interval passed (all with force).
func (p *pipeline) flushDue(force bool) {
	now := p.s.now()
	if p.lambdaBuf != nil && (force || now.Sub(p.lambdaBuf.started) >= p.lambdaLim.interval) {
		p.runLambda()
	}
	for _, b := range p.buffers {
		if force || now.Sub(b.started) >= p.lim.interval {
			p.flush(b)
		}
	}
	if p.backupBuf != nil && (force || now.Sub(p.backupBuf.started) >= p.backupLim.interval) {
		p.flushBackup()
	}
}

// nextWait is how long the source may block: until the next deadline.
func (p *pipeline) nextWait() time.Duration {
	now := p.s.now()
	wait := maxWait
	consider := func(started time.Time, iv time.Duration) {
		wait = min(wait, max(started.Add(iv).Sub(now), time.Millisecond))
	}
	if p.lambdaBuf != nil {
		consider(p.lambdaBuf.started, p.lambdaLim.interval)
	}
	for _, b := range p.buffers {
		consider(b.started, p.lim.interval)
	}
	if p.backupBuf != nil {
		consider(p.backupBuf.started, p.backupLim.interval)
	}
	return wait
}

func (p *pipeline) flush(b *buffer) {
	delete(p.buffers, b.key)
	select {
	case p.jobs <- b:
	case <-p.ctx.Done():
	}
}

func (p *pipeline) flushBackup() {
	b := p.backupBuf
	p.backupBuf = nil
	b.backup = true
	select {
	case p.jobs <- b:
	case <-p.ctx.Done():
	}
}

func (p *pipeline) worker() {
	defer p.workers.Done()
	for b := range p.jobs {
		batch := b.batch(p.doc, p.s.now())
		var err error
		if b.backup {
			err = p.backup.writeRecords(p.ctx, p.s, batch, nil, nil)
		} else {
			err = p.sink.deliver(p.ctx, batch)
		}
		if err != nil {
			continue // stopping: the records stay unacknowledged
		}
		p.recordDelivery(b, batch)
		for r, n := range b.refs {
			r.release(n)
		}
	}
}

func (p *pipeline) pause(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-p.readCtx.Done():
		return false
	case <-t.C:
		return true
	}
}

// sleepScaled is the processors' retry sleep: RetryBase scales it, so
// tests run AWS's schedule fast.
func (s *Service) sleepScaled(ctx context.Context, d time.Duration) error {
	return s.sleep(ctx, d*s.opts.RetryBase/time.Second)
}

func hintLimits(h *firehoseapi.BufferingHints, size, secs int) limits {
	if h != nil {
		size = intOr(h.SizeInMBs, size)
		secs = intOr(h.IntervalInSeconds, secs)
	}
	return limits{bytes: size * mib, interval: time.Duration(secs) * time.Second}
}

// recordDelivery counts a delivered batch under AWS's metric names.
func (p *pipeline) recordDelivery(b *buffer, batch *flushBatch) {
	m, name := p.s.opts.Metrics, p.doc.Name
	prefix := "DeliveryTo" + p.sink.metricName()
	if b.backup {
		prefix = "BackupToS3"
	}
	m.Count(name, prefix+".Records", float64(len(b.recs)))
	m.Count(name, prefix+".Bytes", float64(b.bytes))
	m.Count(name, prefix+".Success", 1)
	if prefix == "DeliveryToS3" || b.backup {
		m.Count(name, prefix+".ObjectCount", 1)
	}
	m.Gauge(name, prefix+".DataFreshness", p.s.now().Sub(batch.oldest).Seconds())
}
