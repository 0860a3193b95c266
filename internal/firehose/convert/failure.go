package convert

import (
	"encoding/base64"
	"encoding/json"
	"strconv"

	"github.com/freshet/freshet/internal/firehose/dest"
)

// failureLine is the documented format-conversion-failed error record
// ("Handling errors for data format conversion" in the Firehose guide).
type failureLine struct {
	AttemptsMade           int          `json:"attemptsMade"`
	ArrivalTimestamp       int64        `json:"arrivalTimestamp"`
	LastErrorCode          string       `json:"lastErrorCode"`
	LastErrorMessage       string       `json:"lastErrorMessage"`
	AttemptEndingTimestamp int64        `json:"attemptEndingTimestamp"`
	RawData                string       `json:"rawData"`
	SequenceNumber         string       `json:"sequenceNumber,omitempty"`
	SubSequenceNumber      *int64       `json:"subSequenceNumber,omitempty"`
	DataCatalogTable       catalogTable `json:"dataCatalogTable"`
}

func (c *Converter) failure(r Record, e *recordError) dest.Failure {
	line := failureLine{
		AttemptsMade:           1,
		ArrivalTimestamp:       r.ArrivalMs,
		LastErrorCode:          e.code,
		LastErrorMessage:       e.msg,
		AttemptEndingTimestamp: c.now().UnixMilli(),
		RawData:                base64.StdEncoding.EncodeToString(r.Data),
		SequenceNumber:         r.SequenceNumber,
		DataCatalogTable:       c.table,
	}
	if r.SubSequenceNumber != "" {
		if n, err := strconv.ParseInt(r.SubSequenceNumber, 10, 64); err == nil {
			line.SubSequenceNumber = &n
		}
	}
	b, err := json.Marshal(line)
	if err != nil {
		// Every member is a plain string or number: Marshal cannot fail.
		panic(err)
	}
	return dest.Failure{
		Record: dest.Record{ID: r.ID, Data: r.Data, ArrivalMs: r.ArrivalMs},
		Line:   b,
	}
}
