package firehose

import (
	"context"

	"github.com/freshet/freshet/internal/api/firehoseapi"
)

// ListDeliveryStreams lists delivery streams by name, optionally of one
// type, starting after ExclusiveStartDeliveryStreamName.
func (s *Service) ListDeliveryStreams(ctx context.Context, in *firehoseapi.ListDeliveryStreamsInput) (*firehoseapi.ListDeliveryStreamsOutput, error) {
	account, region := s.caller(ctx)
	limit := intOr(in.Limit, 10)
	out := &firehoseapi.ListDeliveryStreamsOutput{DeliveryStreamNames: []string{}}
	for _, ds := range s.list(account, region) {
		doc := ds.snapshot()
		if in.DeliveryStreamType != nil && doc.Type != *in.DeliveryStreamType {
			continue
		}
		if in.ExclusiveStartDeliveryStreamName != nil && doc.Name <= *in.ExclusiveStartDeliveryStreamName {
			continue
		}
		if len(out.DeliveryStreamNames) == limit {
			out.HasMoreDeliveryStreams = true
			break
		}
		out.DeliveryStreamNames = append(out.DeliveryStreamNames, doc.Name)
	}
	return out, nil
}
