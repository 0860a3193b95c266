package firehose

import (
	"context"
	"sort"

	"github.com/freshet/freshet/internal/api/firehoseapi"
)

// TagDeliveryStream adds or replaces tags.
func (s *Service) TagDeliveryStream(ctx context.Context, in *firehoseapi.TagDeliveryStreamInput) (*firehoseapi.TagDeliveryStreamOutput, error) {
	if err := validateTags(in.Tags); err != nil {
		return nil, err
	}
	err := s.modify(ctx, in.DeliveryStreamName, func(doc *streamDoc) error {
		tags := append([]firehoseapi.Tag(nil), doc.Tags...)
		for _, t := range in.Tags {
			replaced := false
			for i := range tags {
				if tags[i].Key == t.Key {
					tags[i].Value, replaced = t.Value, true
				}
			}
			if !replaced {
				tags = append(tags, t)
			}
		}
		if len(tags) > maxTags {
			return limitExceeded("A delivery stream cannot have more than %d tags.", maxTags)
		}
		doc.Tags = tags
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &firehoseapi.TagDeliveryStreamOutput{}, nil
}

// UntagDeliveryStream removes tags by key; unknown keys are ignored.
func (s *Service) UntagDeliveryStream(ctx context.Context, in *firehoseapi.UntagDeliveryStreamInput) (*firehoseapi.UntagDeliveryStreamOutput, error) {
	err := s.modify(ctx, in.DeliveryStreamName, func(doc *streamDoc) error {
		drop := map[string]bool{}
		for _, k := range in.TagKeys {
			drop[k] = true
		}
		var tags []firehoseapi.Tag
		for _, t := range doc.Tags {
			if !drop[t.Key] {
				tags = append(tags, t)
			}
		}
		doc.Tags = tags
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &firehoseapi.UntagDeliveryStreamOutput{}, nil
}

// ListTagsForDeliveryStream lists tags sorted by key, paged by key.
func (s *Service) ListTagsForDeliveryStream(ctx context.Context, in *firehoseapi.ListTagsForDeliveryStreamInput) (*firehoseapi.ListTagsForDeliveryStreamOutput, error) {
	ds, err := s.lookup(ctx, in.DeliveryStreamName)
	if err != nil {
		return nil, err
	}
	tags := append([]firehoseapi.Tag(nil), ds.snapshot().Tags...)
	sort.Slice(tags, func(i, j int) bool { return tags[i].Key < tags[j].Key })
	limit := intOr(in.Limit, 50)
	out := &firehoseapi.ListTagsForDeliveryStreamOutput{Tags: []firehoseapi.Tag{}}
	for _, t := range tags {
		if in.ExclusiveStartTagKey != nil && t.Key <= *in.ExclusiveStartTagKey {
			continue
		}
		if len(out.Tags) == limit {
			out.HasMoreTags = true
			break
		}
		out.Tags = append(out.Tags, t)
	}
	return out, nil
}

// modify applies change to a copy of the stream's document and stores it.
func (s *Service) modify(ctx context.Context, name string, change func(*streamDoc) error) error {
	ds, err := s.lookup(ctx, name)
	if err != nil {
		return err
	}
	ds.mu.Lock()
	defer ds.mu.Unlock()
	if ds.doc.DeletingMs != 0 {
		return resourceInUse(ds.doc)
	}
	doc := *ds.doc
	if err := change(&doc); err != nil {
		return err
	}
	return s.save(ctx, ds, &doc)
}
