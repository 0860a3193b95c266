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
		w.Header().Set("Content-Type", eventStreamContentType)
		w.WriteHeader(http.StatusOK)
		enc := eventstream.NewEncoder(w)
		flush := func() {
			if f, ok := w.(http.Flusher); ok {
				f.Flush()
			}
		}
		if err := enc.Encode(eventstream.Event("initial-response", jsonContentType, []byte("{}"))); err != nil {
			return err
		}
		flush()
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
				enc.Encode(eventstream.Exception(e.Code, jsonContentType, awsjson.ErrorBody(e)))
				flush()
				return err
			}
			payload, err := awsjson.Marshal(ev)
			if err != nil {
				return err
			}
			if err := enc.Encode(eventstream.Event("SubscribeToShardEvent", jsonContentType, payload)); err != nil {
				return err
			}
			flush()
		}
	}
}
