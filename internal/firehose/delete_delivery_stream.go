package firehose

import (
	"context"

	"github.com/freshet/freshet/internal/api/firehoseapi"
	"github.com/freshet/freshet/internal/protocol/awserr"
)

// DeleteDeliveryStream stops delivery at once and removes the stream after
// the state delay. Records not delivered yet are dropped, as on AWS.
func (s *Service) DeleteDeliveryStream(ctx context.Context, in *firehoseapi.DeleteDeliveryStreamInput) (*firehoseapi.DeleteDeliveryStreamOutput, error) {
	ds, err := s.lookup(ctx, in.DeliveryStreamName)
	if err != nil {
		return nil, err
	}
	ds.mu.Lock()
	defer ds.mu.Unlock()
	if ds.doc.DeletingMs != 0 {
		return nil, awserr.Newf("ResourceInUseException", "Firehose %s is already being deleted.", ds.doc.Name)
	}
	if ds.pipe != nil {
		ds.pipe.stop(false)
		ds.pipe = nil
	}
	doc := *ds.doc
	doc.DeletingMs = s.now().UnixMilli()
	if err := s.save(ctx, ds, &doc); err != nil {
		return nil, err
	}
	s.log.Info("delivery stream deleting", "stream", doc.Name)
	return &firehoseapi.DeleteDeliveryStreamOutput{}, nil
}
