package kinesisapi

import (
	"context"
	"errors"
	"io"
	"net/http"

	"github.com/freshet/freshet/internal/protocol/awserr"
	"github.com/freshet/freshet/internal/protocol/awsjson"
	"github.com/freshet/freshet/internal/protocol/dispatch"
	"github.com/freshet/freshet/internal/protocol/eventstream"
)

const (
	eventStreamContentType = "application/vnd.amazon.eventstream"
	jsonContentType        = "application/x-amz-json-1.1"
)

// subscribeToShardHandler answers SubscribeToShard with an AWS event
// stream: the initial-response event first (the SDKs require it), then one
// SubscribeToShardEvent per batch of records, each flushed at once. Errors
// before the stream starts are ordinary API errors; later ones travel as an
// exception event.
func subscribeToShardHandler(api API) dispatch.StreamHandler {
	return func(ctx context.Context, body []byte, w http.ResponseWriter) error {
		in := new(SubscribeToShardInput)
		if err := awsjson.Decode(body, shapeSubscribeToShardInput, in); err != nil {
			return err
		}
		src, err := api.SubscribeToShard(ctx, in)
		if err != nil {
			return err
		}
		return streamEvents(ctx, w, src, jsonEvents)
	}
}

// eventCodec is how one protocol writes a subscription's event payloads.
type eventCodec struct {
	contentType string
	initial     []byte // the initial-response payload
	encode      func(dst []byte, ev *SubscribeToShardEvent) ([]byte, error)
	errorBody   func(e *awserr.Error) []byte
}

var jsonEvents = eventCodec{
	contentType: jsonContentType,
	initial:     []byte("{}"),
	encode: func(dst []byte, ev *SubscribeToShardEvent) ([]byte, error) {
		return awsjson.AppendMarshal(dst, ev)
	},
	errorBody: awsjson.ErrorBody,
}

// streamEvents writes the event stream of a started subscription: the
// initial-response event first (the SDKs require it), then one
// SubscribeToShardEvent per batch, each flushed at once; an error after
// the stream started travels as an exception event.
func streamEvents(ctx context.Context, w http.ResponseWriter, src EventSource, c eventCodec) error {
	w.Header().Set("Content-Type", eventStreamContentType)
	w.WriteHeader(http.StatusOK)
	enc := eventstream.NewEncoder(w)
	flush := func() {
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
	}
	if err := enc.Encode(eventstream.Event("initial-response", c.contentType, c.initial)); err != nil {
		return err
	}
	flush()
	var payload []byte
	for {
		ev, err := src.Next(ctx)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			e, ok := awserr.As(err)
			if !ok {
				e = &awserr.Error{Code: "InternalFailureException", Message: "internal failure", Status: http.StatusInternalServerError}
			}
			enc.Encode(eventstream.Exception(e.Code, c.contentType, c.errorBody(e)))
			flush()
			return err
		}
		if payload, err = c.encode(payload[:0], ev); err != nil {
			return err
		}
		if err := enc.Encode(eventstream.Event("SubscribeToShardEvent", c.contentType, payload)); err != nil {
			return err
		}
		flush()
		if cap(payload) > 8<<20 {
			payload = nil // let a very large batch's buffer go
		}
	}
}
