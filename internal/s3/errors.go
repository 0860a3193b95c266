package s3

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"strconv"
)

// Error is an S3 error: its code, message and HTTP status as S3 sends them,
// plus the extra elements S3 adds for some codes (Key, BucketName, ...).
type Error struct {
	Code    string
	Message string
	Status  int
	// Extra elements, in order, rendered after Message.
	Extra [][2]string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func (e *Error) with(name, value string) *Error {
	c := *e
	c.Extra = append(append([][2]string(nil), e.Extra...), [2]string{name, value})
	return &c
}

func newErr(status int, code, msg string) *Error {
	return &Error{Code: code, Message: msg, Status: status}
}

func errNoSuchBucket(b string) *Error {
	return newErr(http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist").with("BucketName", b)
}

func errNoSuchKey(k string) *Error {
	return newErr(http.StatusNotFound, "NoSuchKey", "The specified key does not exist.").with("Key", k)
}

func errNoSuchUpload(id string) *Error {
	return newErr(http.StatusNotFound, "NoSuchUpload",
		"The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.").with("UploadId", id)
}

func errBucketExists(b string) *Error {
	return newErr(http.StatusConflict, "BucketAlreadyOwnedByYou",
		"Your previous request to create the named bucket succeeded and you already own it.").with("BucketName", b)
}

func errBucketNotEmpty(b string) *Error {
	return newErr(http.StatusConflict, "BucketNotEmpty", "The bucket you tried to delete is not empty").with("BucketName", b)
}

func errInvalidBucketName(b string) *Error {
	return newErr(http.StatusBadRequest, "InvalidBucketName", "The specified bucket is not valid.").with("BucketName", b)
}

func errInvalidPart(id string, part int, etag string) *Error {
	return newErr(http.StatusBadRequest, "InvalidPart",
		"One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not have matched the part's entity tag.").
		with("UploadId", id).with("PartNumber", strconv.Itoa(part)).with("ETag", etag)
}

func errInvalidPartOrder() *Error {
	return newErr(http.StatusBadRequest, "InvalidPartOrder",
		"The list of parts was not in ascending order. Parts must be ordered by part number.")
}

func errEntityTooSmall(size int64) *Error {
	return newErr(http.StatusBadRequest, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size").
		with("ProposedSize", strconv.FormatInt(size, 10)).with("MinSizeAllowed", strconv.Itoa(minPartSize))
}

func errEntityTooLarge(size int64) *Error {
	return newErr(http.StatusBadRequest, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size").
		with("ProposedSize", strconv.FormatInt(size, 10)).with("MaxSizeAllowed", strconv.FormatInt(maxObjectSize, 10))
}

func errInvalidRange(rng string, size int64) *Error {
	return newErr(http.StatusRequestedRangeNotSatisfiable, "InvalidRange", "The requested range is not satisfiable").
		with("RangeRequested", rng).with("ActualObjectSize", strconv.FormatInt(size, 10))
}

func errMethodNotAllowed(method, resource string) *Error {
	return newErr(http.StatusMethodNotAllowed, "MethodNotAllowed", "The specified method is not allowed against this resource.").
		with("Method", method).with("ResourceType", resource)
}

func errNotImplemented() *Error {
	return newErr(http.StatusNotImplemented, "NotImplemented", "A header you provided implies functionality that is not implemented.")
}

func errPrecondition(cond string) *Error {
	return newErr(http.StatusPreconditionFailed, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold").with("Condition", cond)
}

func errMalformedXML() *Error {
	return newErr(http.StatusBadRequest, "MalformedXML",
		"The XML you provided was not well-formed or did not validate against our published schema")
}

func errInvalidArgument(msg, name, value string) *Error {
	return newErr(http.StatusBadRequest, "InvalidArgument", msg).with("ArgumentName", name).with("ArgumentValue", value)
}

func errInvalidRequest(msg string) *Error {
	return newErr(http.StatusBadRequest, "InvalidRequest", msg)
}

func errKeyTooLong() *Error {
	return newErr(http.StatusBadRequest, "KeyTooLongError", "Your key is too long").
		with("MaxSizeAllowed", strconv.Itoa(maxKeyLen))
}

func errBadDigest() *Error {
	return newErr(http.StatusBadRequest, "BadDigest", "The Content-MD5 you specified did not match what we received.")
}

func errInvalidDigest() *Error {
	return newErr(http.StatusBadRequest, "InvalidDigest", "The Content-MD5 you specified is not valid.")
}

func errChecksumMismatch(alg string) *Error {
	return newErr(http.StatusBadRequest, "BadDigest",
		fmt.Sprintf("The %s you specified did not match the calculated checksum.", alg))
}

func errSHA256Mismatch() *Error {
	return newErr(http.StatusBadRequest, "XAmzContentSHA256Mismatch",
		"The provided 'x-amz-content-sha256' header does not match what was computed.")
}

func errIncompleteBody() *Error {
	return newErr(http.StatusBadRequest, "IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header.")
}

func errInternal() *Error {
	return newErr(http.StatusInternalServerError, "InternalError", "We encountered an internal error. Please try again.")
}

// writeError renders e in S3's XML form; HEAD answers carry no body.
func (s *Service) writeError(w http.ResponseWriter, r *http.Request, e *Error) {
	h := w.Header()
	h.Del("ETag")
	h.Del("Last-Modified")
	if r.Method == http.MethodHead || e.Status == http.StatusNotModified {
		w.WriteHeader(e.Status)
		return
	}
	h.Set("Content-Type", "application/xml")
	w.WriteHeader(e.Status)
	var b []byte
	b = append(b, xml.Header...)
	b = append(b, "<Error><Code>"...)
	b = appendEscaped(b, e.Code)
	b = append(b, "</Code><Message>"...)
	b = appendEscaped(b, e.Message)
	b = append(b, "</Message>"...)
	for _, x := range e.Extra {
		b = append(b, '<')
		b = append(b, x[0]...)
		b = append(b, '>')
		b = appendEscaped(b, x[1])
		b = append(b, "</"...)
		b = append(b, x[0]...)
		b = append(b, '>')
	}
	b = append(b, "<RequestId>"...)
	b = append(b, h.Get("X-Amz-Request-Id")...)
	b = append(b, "</RequestId><HostId>"...)
	b = append(b, h.Get("X-Amz-Id-2")...)
	b = append(b, "</HostId></Error>"...)
	_, _ = w.Write(b)
}

type escWriter struct{ b *[]byte }

func (w escWriter) Write(p []byte) (int, error) { *w.b = append(*w.b, p...); return len(p), nil }

func appendEscaped(b []byte, s string) []byte {
	_ = xml.EscapeText(escWriter{&b}, []byte(s))
	return b
}
