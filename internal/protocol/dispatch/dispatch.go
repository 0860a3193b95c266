package dispatch

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/freshet/freshet/internal/protocol/awscbor"
	"github.com/freshet/freshet/internal/protocol/awserr"
	"github.com/freshet/freshet/internal/protocol/awsjson"
	"github.com/freshet/freshet/internal/protocol/request"
	"github.com/freshet/freshet/internal/protocol/sigv4"
)

// Handler serves one operation: it decodes body, does the work and returns
// the encoded response. body is only valid until Handler returns.
type Handler func(ctx context.Context, body []byte) ([]byte, error)

// StreamHandler serves an operation whose answer is a stream (an AWS event
// stream): it writes the response itself. An error it returns before
// writing anything is rendered like any API error; after that, the stream
// is simply ended.
type StreamHandler func(ctx context.Context, body []byte, w http.ResponseWriter) error

// Options configures a Mux.
type Options struct {
	Logger  *slog.Logger
	Account string // account of every caller (multi-account comes later)
	Region  string // region when a request is unsigned
	// Verifier checks signatures; nil accepts any signature (--auth off).
	Verifier *sigv4.Verifier
	// MaxBody caps a request body; larger ones get 413. 16 MiB when zero.
	MaxBody int64
}

// Mux routes by X-Amz-Target, and by Content-Type between the AWS JSON
// handlers and the AWS CBOR ones (application/x-amz-cbor-1.1).
type Mux struct {
	opts        Options
	log         *slog.Logger
	handlers    map[string]Handler
	streams     map[string]StreamHandler
	cbor        map[string]Handler
	cborStreams map[string]StreamHandler
	bufs        sync.Pool
}

// New returns an empty Mux.
func New(opts Options) *Mux {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.MaxBody == 0 {
		opts.MaxBody = 16 << 20
	}
	return &Mux{opts: opts, log: opts.Logger, handlers: map[string]Handler{}, streams: map[string]StreamHandler{},
		cbor: map[string]Handler{}, cborStreams: map[string]StreamHandler{},
		bufs: sync.Pool{New: func() any { return new(bytes.Buffer) }}}
}

// Handle registers h for target, e.g. "Kinesis_20131202.PutRecords".
func (m *Mux) Handle(target string, h Handler) { m.handlers[target] = h }

// HandleStream registers a streaming handler for target; it replaces any
// Handler of the same target.
func (m *Mux) HandleStream(target string, h StreamHandler) {
	delete(m.handlers, target)
	m.streams[target] = h
}

// HandleCBOR registers h for target's AWS CBOR requests: h takes the CBOR
// body and returns the CBOR answer; the Mux renders its errors as CBOR. A
// target without one answers CBOR with UnknownOperationException.
func (m *Mux) HandleCBOR(target string, h Handler) { m.cbor[target] = h }

// HandleStreamCBOR is HandleStream for AWS CBOR requests.
func (m *Mux) HandleStreamCBOR(target string, h StreamHandler) {
	delete(m.cbor, target)
	m.cborStreams[target] = h
}

// Handles reports whether target has a handler.
func (m *Mux) Handles(target string) bool {
	_, ok := m.handlers[target]
	_, streams := m.streams[target]
	return ok || streams
}

const jsonContentType = "application/x-amz-json-1.1"

// isCBOR reports whether a request's Content-Type is AWS CBOR (parameters
// after it allowed).
func isCBOR(ct string) bool {
	return strings.HasPrefix(ct, awscbor.ContentType) && (len(ct) == len(awscbor.ContentType) || ct[len(awscbor.ContentType)] == ';')
}

// ServeHTTP serves one AWS JSON or AWS CBOR request; the answer, errors
// included, is in the request's encoding.
func (m *Mux) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	info := &request.Info{RequestID: newRequestID(), Account: m.opts.Account, Region: m.opts.Region}
	h := w.Header()
	h.Set("x-amzn-RequestId", info.RequestID)
	h.Set("x-amz-id-2", newID2())

	target := r.Header.Get("X-Amz-Target")
	cbor := isCBOR(r.Header.Get("Content-Type"))
	if r.Method != http.MethodPost || target == "" {
		m.fail(w, info, "", cbor, awserr.UnknownOperation())
		return
	}
	auth, err := sigv4.Parse(r)
	if err != nil {
		m.fail(w, info, target, cbor, err)
		return
	}
	if auth != nil {
		info.AccessKeyID = auth.AccessKeyID
		if auth.Region != "" {
			info.Region = auth.Region
		}
	}

	buf := m.bufs.Get().(*bytes.Buffer)
	defer m.release(buf)
	if r.ContentLength > m.opts.MaxBody {
		m.fail(w, info, target, cbor, tooLarge())
		return
	}
	if r.ContentLength > 0 {
		buf.Grow(int(r.ContentLength))
	}
	n, err := buf.ReadFrom(io.LimitReader(r.Body, m.opts.MaxBody+1))
	if err != nil {
		m.fail(w, info, target, cbor, awserr.Serialization("Could not read the request body"))
		return
	}
	if n > m.opts.MaxBody {
		m.fail(w, info, target, cbor, tooLarge())
		return
	}
	body := buf.Bytes()

	if v := m.opts.Verifier; v != nil {
		if auth == nil {
			m.fail(w, info, target, cbor, awserr.MissingAuthenticationToken())
			return
		}
		if err := v.Verify(r, body, auth); err != nil {
			m.fail(w, info, target, cbor, err)
			return
		}
	}

	streams, handlers, contentType := m.streams, m.handlers, jsonContentType
	if cbor {
		streams, handlers, contentType = m.cborStreams, m.cbor, awscbor.ContentType
	}
	if sh, ok := streams[target]; ok {
		tw := &trackingWriter{ResponseWriter: w}
		if err := sh(request.NewContext(r.Context(), info), body, tw); err != nil {
			if !tw.wrote {
				m.fail(w, info, target, cbor, err)
				return
			}
			m.log.Debug("stream ended", "request_id", info.RequestID, "operation", target, "err", err)
		}
		return
	}
	handler, ok := handlers[target]
	if !ok {
		m.fail(w, info, target, cbor, m.unknown(target, cbor))
		return
	}

	out, err := handler(request.NewContext(r.Context(), info), body)
	if err != nil {
		m.fail(w, info, target, cbor, err)
		return
	}
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(out)))
	w.WriteHeader(http.StatusOK)
	w.Write(out)
}

// unknown is the error for a target without a handler in the request's
// encoding: plain UnknownOperationException, with a hint when the target
// is served in JSON only.
func (m *Mux) unknown(target string, cbor bool) *awserr.Error {
	if !cbor || !m.Handles(target) {
		return awserr.UnknownOperation()
	}
	return awserr.New("UnknownOperationException", "Freshet does not serve "+target+" in "+awscbor.ContentType+"; use JSON (for the Java SDK: AWS_CBOR_DISABLE=true)")
}

func (m *Mux) release(buf *bytes.Buffer) {
	if buf.Cap() > 8<<20 {
		return // let very large buffers go
	}
	buf.Reset()
	m.bufs.Put(buf)
}

func tooLarge() *awserr.Error {
	return &awserr.Error{Code: "SerializationException", Message: "Request entity too large", Status: http.StatusRequestEntityTooLarge, MessageKey: "Message"}
}

// fail renders err as AWS does, in CBOR when cbor is set. Errors that are
// not API errors become InternalFailure and are logged with the request ID
// (never the payload).
func (m *Mux) fail(w http.ResponseWriter, info *request.Info, target string, cbor bool, err error) {
	e, ok := awserr.As(err)
	switch {
	case ok && e.Status >= 500:
		m.log.Error("request failed", "request_id", info.RequestID, "operation", target, "error_code", e.Code)
	case ok:
		m.log.Debug("request rejected", "request_id", info.RequestID, "operation", target, "error_code", e.Code)
	case errors.Is(err, context.Canceled):
		// The client went away; nobody reads the answer.
		m.log.Debug("request canceled", "request_id", info.RequestID, "operation", target)
		e = awserr.InternalFailure()
	default:
		m.log.Error("request failed", "request_id", info.RequestID, "operation", target, "err", err)
		e = awserr.InternalFailure()
	}
	body, contentType := awsjson.ErrorBody(e), jsonContentType
	if cbor {
		body, contentType = awscbor.ErrorBody(e), awscbor.ContentType
	}
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(e.Status)
	w.Write(body)
}

// newRequestID returns a random UUID, as AWS's request IDs are.
func newRequestID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:], b[10:])
	return string(out[:])
}

func newID2() string {
	var b [48]byte
	rand.Read(b[:])
	return base64.StdEncoding.EncodeToString(b[:])
}

// trackingWriter notes whether a streaming handler has begun its answer.
type trackingWriter struct {
	http.ResponseWriter
	wrote bool
}

func (t *trackingWriter) WriteHeader(code int) { t.wrote = true; t.ResponseWriter.WriteHeader(code) }

func (t *trackingWriter) Write(b []byte) (int, error) {
	t.wrote = true
	return t.ResponseWriter.Write(b)
}

// Flush lets streaming handlers push each event out at once.
func (t *trackingWriter) Flush() {
	if f, ok := t.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
