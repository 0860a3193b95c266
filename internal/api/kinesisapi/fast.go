package kinesisapi

import "github.com/freshet/freshet/internal/protocol/dispatch"

// putRecordsHandler and getRecordsHandler serve the hot path. They start as
// the generic codec; hand-written codecs replace them where they pay.
func putRecordsHandler(api API) dispatch.Handler {
	return op(shapePutRecordsInput, api.PutRecords)
}

func getRecordsHandler(api API) dispatch.Handler {
	return op(shapeGetRecordsInput, api.GetRecords)
}
