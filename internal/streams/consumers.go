package streams

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/freshet/freshet/internal/api/kinesisapi"
	"github.com/freshet/freshet/internal/protocol/awserr"
)

const (
	maxConsumersPerStream        = 20
	listConsumersDefaultPageSize = 100
)

// RegisterStreamConsumer registers an enhanced fan-out consumer; it is
// CREATING for the state delay, then ACTIVE.
func (s *Service) RegisterStreamConsumer(ctx context.Context, in *kinesisapi.RegisterStreamConsumerInput) (*kinesisapi.RegisterStreamConsumerOutput, error) {
	arn := in.StreamARN
	_, st, _, err := s.lookup(ctx, nil, &arn)
	if err != nil {
		return nil, err
	}
	var out kinesisapi.Consumer
	err = s.update(ctx, st, func(doc *streamDoc) error {
		now := s.now()
		live := 0
		for i := range doc.Consumers {
			c := &doc.Consumers[i]
			if c.gone(now) {
				continue
			}
			if c.Name == in.ConsumerName {
				return awserr.Newf("ResourceInUseException", "Consumer %s under stream %s under account %s already exists.", in.ConsumerName, doc.Name, doc.Account)
			}
			live++
		}
		if live >= maxConsumersPerStream {
			return awserr.Newf("LimitExceededException", "Stream %s under account %s has reached the limit of %d registered consumers.", doc.Name, doc.Account, maxConsumersPerStream)
		}
		doc.Consumers = pruneConsumers(doc.Consumers, now)
		c := consumerDoc{Name: in.ConsumerName, CreatedMs: now.UnixMilli(), ReadyMs: now.UnixMilli() + s.opts.StateDelay.Milliseconds(), Tags: in.Tags}
		doc.Consumers = append(doc.Consumers, c)
		out = consumerView(doc, &c, now)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &kinesisapi.RegisterStreamConsumerOutput{Consumer: out}, nil
}

// DeregisterStreamConsumer puts a consumer in DELETING; it is gone after
// the state delay.
func (s *Service) DeregisterStreamConsumer(ctx context.Context, in *kinesisapi.DeregisterStreamConsumerInput) (*struct{}, error) {
	st, _, name, err := s.findConsumer(ctx, in.StreamARN, in.ConsumerName, in.ConsumerARN)
	if err != nil {
		return nil, err
	}
	err = s.update(ctx, st, func(doc *streamDoc) error {
		now := s.now()
		for i := range doc.Consumers {
			c := &doc.Consumers[i]
			if c.Name == name && !c.gone(now) && c.GoneMs == 0 {
				c.GoneMs = now.UnixMilli() + s.opts.StateDelay.Milliseconds()
			}
		}
		doc.Consumers = pruneConsumers(doc.Consumers, now)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// DescribeStreamConsumer describes one consumer, by stream ARN and name or
// by consumer ARN.
func (s *Service) DescribeStreamConsumer(ctx context.Context, in *kinesisapi.DescribeStreamConsumerInput) (*kinesisapi.DescribeStreamConsumerOutput, error) {
	_, state, name, err := s.findConsumer(ctx, in.StreamARN, in.ConsumerName, in.ConsumerARN)
	if err != nil {
		return nil, err
	}
	now := s.now()
	c := state.consumer(name, now)
	v := consumerView(state.doc, c, now)
	return &kinesisapi.DescribeStreamConsumerOutput{ConsumerDescription: kinesisapi.ConsumerDescription{
		ConsumerName: v.ConsumerName, ConsumerARN: v.ConsumerARN, ConsumerStatus: v.ConsumerStatus,
		ConsumerCreationTimestamp: v.ConsumerCreationTimestamp, StreamARN: state.doc.arn(),
	}}, nil
}

// ListStreamConsumers lists a page of a stream's consumers, oldest first.
func (s *Service) ListStreamConsumers(ctx context.Context, in *kinesisapi.ListStreamConsumersInput) (*kinesisapi.ListStreamConsumersOutput, error) {
	arn := in.StreamARN
	t, _, state, err := s.lookup(ctx, nil, &arn)
	if err != nil {
		return nil, err
	}
	after := ""
	if in.NextToken != nil {
		tok, err := s.decodeToken(*in.NextToken)
		if err != nil {
			return nil, err
		}
		if tok.Stream != t.name || tok.Account != t.account {
			return nil, awserr.New("InvalidArgumentException", "Invalid NextToken.")
		}
		after = tok.After
	}
	limit := listConsumersDefaultPageSize
	if in.MaxResults != nil {
		limit = int(*in.MaxResults)
	}
	now := s.now()
	out := &kinesisapi.ListStreamConsumersOutput{Consumers: []kinesisapi.Consumer{}}
	past := after == ""
	for i := range state.doc.Consumers {
		c := &state.doc.Consumers[i]
		if c.gone(now) {
			continue
		}
		if !past {
			past = c.Name == after
			continue
		}
		if len(out.Consumers) == limit {
			tok := s.encodeToken(pageToken{Account: t.account, Region: t.region, Stream: t.name, After: out.Consumers[len(out.Consumers)-1].ConsumerName})
			out.NextToken = &tok
			break
		}
		out.Consumers = append(out.Consumers, consumerView(state.doc, c, now))
	}
	return out, nil
}

// findConsumer resolves a consumer named by stream ARN and name, or by
// consumer ARN, to its stream and name.
func (s *Service) findConsumer(ctx context.Context, streamARN, name, consumerARN *string) (*stream, *streamState, string, error) {
	var consumer string
	created := int64(-1) // creation second named by a consumer ARN
	switch {
	case consumerARN != nil && *consumerARN != "":
		i := strings.Index(*consumerARN, "/consumer/")
		if i < 0 {
			return nil, nil, "", awserr.New("InvalidArgumentException", "Invalid ConsumerARN "+*consumerARN)
		}
		sa := (*consumerARN)[:i]
		streamARN = &sa
		consumer = (*consumerARN)[i+len("/consumer/"):]
		if j := strings.LastIndexByte(consumer, ':'); j >= 0 {
			if sec, err := strconv.ParseInt(consumer[j+1:], 10, 64); err == nil {
				created = sec
			}
			consumer = consumer[:j]
		}
	case streamARN != nil && name != nil:
		consumer = *name
	default:
		return nil, nil, "", awserr.New("InvalidArgumentException", "Either ConsumerARN or both ConsumerName and StreamARN must be provided.")
	}
	t, st, state, err := s.lookup(ctx, nil, streamARN)
	if err != nil {
		return nil, nil, "", err
	}
	// An ARN of an earlier consumer of the same name names nothing.
	if c := state.consumer(consumer, s.now()); c == nil || (created >= 0 && c.CreatedMs/1000 != created) {
		return nil, nil, "", awserr.Newf("ResourceNotFoundException", "Consumer %s under stream %s under account %s not found.", consumer, t.name, t.account)
	}
	return st, state, consumer, nil
}

// consumer returns the live consumer named name, or nil.
func (st *streamState) consumer(name string, now time.Time) *consumerDoc {
	for i := range st.doc.Consumers {
		c := &st.doc.Consumers[i]
		if c.Name == name && !c.gone(now) {
			return c
		}
	}
	return nil
}

func consumerView(doc *streamDoc, c *consumerDoc, now time.Time) kinesisapi.Consumer {
	return kinesisapi.Consumer{ConsumerName: c.Name, ConsumerARN: doc.consumerARN(c), ConsumerStatus: c.status(now),
		ConsumerCreationTimestamp: time.UnixMilli(c.CreatedMs).UTC()}
}

// pruneConsumers drops consumers that finished deleting.
func pruneConsumers(cs []consumerDoc, now time.Time) []consumerDoc {
	out := cs[:0]
	for _, c := range cs {
		if !c.gone(now) {
			out = append(out, c)
		}
	}
	return out
}

// liveConsumers counts the consumers that have not finished deleting.
func liveConsumers(doc *streamDoc, now time.Time) int {
	n := 0
	for i := range doc.Consumers {
		if !doc.Consumers[i].gone(now) {
			n++
		}
	}
	return n
}
