package streams

import (
	"context"
	"sort"
	"strings"

	"github.com/freshet/freshet/internal/api/kinesisapi"
	"github.com/freshet/freshet/internal/protocol/awserr"
)

const (
	maxTagsPerStream     = 50
	listTagsDefaultLimit = 10
	tagCharsMessage      = "Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . / = + - % @."
)

// AddTagsToStream adds or overwrites tags.
func (s *Service) AddTagsToStream(ctx context.Context, in *kinesisapi.AddTagsToStreamInput) (*struct{}, error) {
	t, err := s.resolve(ctx, in.StreamName, in.StreamARN)
	if err != nil {
		return nil, err
	}
	return s.addTags(ctx, t, in.Tags)
}

// TagResource adds or overwrites tags of a stream named by ARN.
func (s *Service) TagResource(ctx context.Context, in *kinesisapi.TagResourceInput) (*struct{}, error) {
	t, err := s.resolveResource(ctx, in.ResourceARN)
	if err != nil {
		return nil, err
	}
	return s.addTags(ctx, t, in.Tags)
}

func (s *Service) addTags(ctx context.Context, t target, tags map[string]string) (*struct{}, error) {
	for k, v := range tags {
		if !validTagText(k) || !validTagText(v) {
			return nil, awserr.New("InvalidArgumentException", tagCharsMessage)
		}
	}
	st, _, err := s.get(t)
	if err != nil {
		return nil, err
	}
	err = s.update(ctx, st, func(doc *streamDoc) error {
		if doc.Tags == nil {
			doc.Tags = map[string]string{}
		}
		n := len(doc.Tags)
		for k := range tags {
			if _, ok := doc.Tags[k]; !ok {
				n++
			}
		}
		if n > maxTagsPerStream {
			return awserr.Newf("InvalidArgumentException", "Failed to add tags to stream %s under account %s because a given stream cannot have more than %d tags.", doc.Name, doc.Account, maxTagsPerStream)
		}
		for k, v := range tags {
			doc.Tags[k] = v
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// RemoveTagsFromStream removes tags by key; absent keys are ignored.
func (s *Service) RemoveTagsFromStream(ctx context.Context, in *kinesisapi.RemoveTagsFromStreamInput) (*struct{}, error) {
	t, err := s.resolve(ctx, in.StreamName, in.StreamARN)
	if err != nil {
		return nil, err
	}
	return s.removeTags(ctx, t, in.TagKeys)
}

// UntagResource removes tags of a stream named by ARN.
func (s *Service) UntagResource(ctx context.Context, in *kinesisapi.UntagResourceInput) (*struct{}, error) {
	t, err := s.resolveResource(ctx, in.ResourceARN)
	if err != nil {
		return nil, err
	}
	return s.removeTags(ctx, t, in.TagKeys)
}

func (s *Service) removeTags(ctx context.Context, t target, keys []string) (*struct{}, error) {
	for _, k := range keys {
		if !validTagText(k) {
			return nil, awserr.New("InvalidArgumentException", tagCharsMessage)
		}
	}
	st, _, err := s.get(t)
	if err != nil {
		return nil, err
	}
	err = s.update(ctx, st, func(doc *streamDoc) error {
		for _, k := range keys {
			delete(doc.Tags, k)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// ListTagsForStream lists a page of tags, by key.
func (s *Service) ListTagsForStream(ctx context.Context, in *kinesisapi.ListTagsForStreamInput) (*kinesisapi.ListTagsForStreamOutput, error) {
	_, _, state, err := s.lookup(ctx, in.StreamName, in.StreamARN)
	if err != nil {
		return nil, err
	}
	limit := listTagsDefaultLimit
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	out := &kinesisapi.ListTagsForStreamOutput{Tags: []kinesisapi.Tag{}}
	for _, tag := range sortedTags(state.doc.Tags) {
		if in.ExclusiveStartTagKey != nil && tag.Key <= *in.ExclusiveStartTagKey {
			continue
		}
		if len(out.Tags) == limit {
			out.HasMoreTags = true
			break
		}
		out.Tags = append(out.Tags, tag)
	}
	return out, nil
}

// ListTagsForResource lists every tag of a stream named by ARN.
func (s *Service) ListTagsForResource(ctx context.Context, in *kinesisapi.ListTagsForResourceInput) (*kinesisapi.ListTagsForResourceOutput, error) {
	t, err := s.resolveResource(ctx, in.ResourceARN)
	if err != nil {
		return nil, err
	}
	_, state, err := s.get(t)
	if err != nil {
		return nil, err
	}
	return &kinesisapi.ListTagsForResourceOutput{Tags: sortedTags(state.doc.Tags)}, nil
}

// resolveResource accepts a stream ARN; consumer ARNs name no resource yet.
func (s *Service) resolveResource(ctx context.Context, arn string) (target, error) {
	account, region, name, ok := parseStreamARN(arn)
	if !ok {
		caller, _ := s.caller(ctx)
		return target{}, awserr.Newf("ResourceNotFoundException", "Resource %s under account %s not found.", arn, caller)
	}
	return target{account: account, region: region, name: name}, nil
}

func sortedTags(tags map[string]string) []kinesisapi.Tag {
	out := make([]kinesisapi.Tag, 0, len(tags))
	for k, v := range tags {
		v := v
		out = append(out, kinesisapi.Tag{Key: k, Value: &v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// validTagText reports whether s holds only the characters AWS allows in
// tags: letters, digits, white space and _ . / = + - % @ (and :).
func validTagText(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool {
		switch {
		case r == ' ' || r == '\t' || r == '\n' || r == '\r':
			return false
		case strings.ContainsRune("_./=+-%@:", r):
			return false
		case r >= '0' && r <= '9', r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
			return false
		case r > 127:
			return false // other Unicode letters and digits
		}
		return true
	}) < 0
}
