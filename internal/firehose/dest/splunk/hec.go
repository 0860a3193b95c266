package splunk

import "net/http"

// AWS's messages for the Splunk.* error codes (Firehose developer guide,
// "Splunk Data Delivery Errors").
const (
	msgProxy             = "If you have a proxy (ELB or other) between Firehose and the HEC node, you must enable sticky sessions to support HEC ACKs."
	msgDisabledToken     = "The HEC token is disabled. Enable the token to allow data delivery to Splunk."
	msgInvalidToken      = "The HEC token is invalid. Update Firehose with a valid HEC token."
	msgInvalidDataFormat = "The data is not formatted correctly. To see how to properly format data for Raw or Event HEC endpoints, see Splunk Event Data."
	msgInvalidIndex      = "The HEC token or input is configured with an invalid index. Check your index configuration and try again."
	msgServerError       = "Data delivery to Splunk failed due to a server error from the HEC node. Firehose will retry sending the data if the retry duration in your Firehose is greater than 0. If all the retries fail, Firehose backs up the data to Amazon S3."
	msgDisabledAck       = "Indexer acknowledgement is disabled for the HEC token. Enable indexer acknowledgement and try again."
	msgAckTimeout        = "Did not receive an acknowledgement from HEC before the HEC acknowledgement timeout expired. Despite the acknowledgement timeout, it's possible the data was indexed successfully in Splunk. Firehose backs up in Amazon S3 data for which the acknowledgement timeout expired."
	msgConnectionTimeout = "The connection to Splunk timed out. This might be a transient error and the request will be retried. Firehose backs up the data to Amazon S3 if all retries fail."
)

// hecReply is HEC's answer to an event or raw POST.
type hecReply struct {
	Text  string `json:"text"`
	Code  *int   `json:"code"`
	AckID *int64 `json:"ackId"`
}

// hecError maps a HEC error (its HTTP status and JSON status code, see
// Splunk's "Troubleshoot HTTP Event Collector" table) to AWS's code.
func hecError(status int, r hecReply) (code, msg string) {
	if r.Code != nil {
		switch *r.Code {
		case 1: // Token disabled
			return "Splunk.DisabledToken", msgDisabledToken
		case 2, 3, 4: // Token is required, Invalid authorization, Invalid token
			return "Splunk.InvalidToken", msgInvalidToken
		case 5, 6, 12, 13: // No data, Invalid data format, Event field is required/blank
			return "Splunk.InvalidDataFormat", msgInvalidDataFormat
		case 7: // Incorrect index
			return "Splunk.InvalidIndex", msgInvalidIndex
		case 10, 11: // Data channel is missing, Invalid data channel
			return "Splunk.ProxyWithoutStickySessions", msgProxy
		case 14: // ACK is disabled
			return "Splunk.DisabledAck", msgDisabledAck
		}
	}
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return "Splunk.InvalidToken", msgInvalidToken
	case status == http.StatusBadRequest:
		return "Splunk.InvalidDataFormat", msgInvalidDataFormat
	default:
		return "Splunk.ServerError", msgServerError
	}
}
