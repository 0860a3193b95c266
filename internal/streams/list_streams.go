package streams

import (
	"context"

	"github.com/freshet/freshet/internal/api/kinesisapi"
	"github.com/freshet/freshet/internal/protocol/awserr"
)

const listStreamsDefaultLimit = 100

// ListStreams lists the account's streams in the region, by name, with
// their summaries.
func (s *Service) ListStreams(ctx context.Context, in *kinesisapi.ListStreamsInput) (*kinesisapi.ListStreamsOutput, error) {
	account, region := s.caller(ctx)
	after := ""
	if in.ExclusiveStartStreamName != nil {
		after = *in.ExclusiveStartStreamName
	}
	if in.NextToken != nil {
		if in.ExclusiveStartStreamName != nil {
			return nil, awserr.New("InvalidArgumentException", "NextToken and ExclusiveStartStreamName cannot be provided together.")
		}
		tok, err := s.decodeToken(*in.NextToken)
		if err != nil {
			return nil, err
		}
		if tok.Account != account || tok.Region != region || tok.Stream != "" {
			return nil, awserr.New("InvalidArgumentException", "Invalid NextToken.")
		}
		after = tok.After
	}
	limit := listStreamsDefaultLimit
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	out := &kinesisapi.ListStreamsOutput{StreamNames: []string{}, StreamSummaries: []kinesisapi.StreamSummary{}}
	now := s.now()
	for _, state := range s.streamsIn(account, region) {
		doc := state.doc
		if doc.Name <= after {
			continue
		}
		if len(out.StreamNames) == limit {
			out.HasMoreStreams = true
			break
		}
		out.StreamNames = append(out.StreamNames, doc.Name)
		created := createdAt(doc)
		out.StreamSummaries = append(out.StreamSummaries, kinesisapi.StreamSummary{
			StreamName:              doc.Name,
			StreamARN:               doc.arn(),
			StreamStatus:            doc.status(now),
			StreamModeDetails:       modeDetails(doc),
			StreamCreationTimestamp: &created,
		})
	}
	if out.HasMoreStreams {
		tok := s.encodeToken(pageToken{Account: account, Region: region, After: out.StreamNames[len(out.StreamNames)-1]})
		out.NextToken = &tok
	}
	return out, nil
}
