package awserr

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Error is an AWS API error: the __type a client matches on, the message,
// and the HTTP status it travels with.
type Error struct {
	Code    string // AWS __type, e.g. "ResourceNotFoundException"
	Message string
	Status  int
	// MessageKey is the JSON key of the message; AWS uses "message" for most
	// errors and "Message" for SerializationException and a few others.
	MessageKey string
}

func (e *Error) Error() string {
	if e.Message == "" {
		return e.Code
	}
	return e.Code + ": " + e.Message
}

// New returns a client error (HTTP 400) with the given type and message.
func New(code, msg string) *Error {
	return &Error{Code: code, Message: msg, Status: http.StatusBadRequest}
}

// Newf is New with a formatted message.
func Newf(code, format string, args ...any) *Error {
	return New(code, fmt.Sprintf(format, args...))
}

// WithStatus returns a copy of e with another HTTP status.
func (e *Error) WithStatus(status int) *Error {
	c := *e
	c.Status = status
	return &c
}

// As reports whether err is (or wraps) an *Error and returns it.
func As(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// Common errors shared by every JSON service.

// InternalFailure is what clients see for an unexpected server fault.
func InternalFailure() *Error {
	return &Error{Code: "InternalFailure", Status: http.StatusInternalServerError}
}

// UnknownOperation is AWS's answer to a target it does not know.
func UnknownOperation() *Error {
	return &Error{Code: "UnknownOperationException", Status: http.StatusBadRequest}
}

// NotBuilt answers an operation of the model that Freshet does not serve
// yet. AWS itself answers such a target with UnknownOperationException; the
// message says it is Freshet that lacks it.
func NotBuilt(op string) *Error {
	return &Error{Code: "UnknownOperationException", Status: http.StatusBadRequest,
		Message: op + " is not implemented by Freshet yet"}
}

// Serialization is the error for a body that is not valid JSON or whose
// values have the wrong JSON type.
func Serialization(msg string) *Error {
	return &Error{Code: "SerializationException", Message: msg, Status: http.StatusBadRequest, MessageKey: "Message"}
}

// MissingAuthenticationToken is returned when a request carries no signature
// at all and authentication is required.
func MissingAuthenticationToken() *Error {
	return &Error{Code: "MissingAuthenticationTokenException", Message: "Missing Authentication Token", Status: http.StatusBadRequest}
}

// Validation collects constraint violations and renders them the way AWS's
// front end does: "N validation error(s) detected: a; b".
type Validation struct {
	msgs []string
}

// Add records one violation, already phrased as
// "Value '...' at 'field' failed to satisfy constraint: ...".
func (v *Validation) Add(msg string) { v.msgs = append(v.msgs, msg) }

// Len is the number of violations recorded.
func (v *Validation) Len() int { return len(v.msgs) }

// Err returns nil when nothing was recorded, else the ValidationException.
func (v *Validation) Err() error {
	if len(v.msgs) == 0 {
		return nil
	}
	return ValidationError(v.msgs...)
}

// ValidationError renders violations as one ValidationException.
func ValidationError(msgs ...string) *Error {
	noun := "errors"
	if len(msgs) == 1 {
		noun = "error"
	}
	return New("ValidationException", fmt.Sprintf("%d validation %s detected: %s", len(msgs), noun, strings.Join(msgs, "; ")))
}

// Constraint phrases one violation: Value <value> at '<path>' failed to
// satisfy constraint: <rule>. value is rendered as AWS does: null, or the
// value quoted with single quotes, or a number as is.
func Constraint(value, path, rule string) string {
	return "Value " + value + " at '" + path + "' failed to satisfy constraint: " + rule
}

// Quote renders a string value the way AWS validation messages show it.
func Quote(s string) string { return "'" + s + "'" }
