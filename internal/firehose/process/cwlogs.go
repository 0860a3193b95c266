package process

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"

	"github.com/freshet/freshet/internal/firehose/dest"
)

// maxDecompressed bounds one record's decompressed size, so a small
// gzip bomb cannot exhaust memory.
const maxDecompressed = 64 << 20

// cwLogsMessage is a CloudWatch Logs subscription payload.
type cwLogsMessage struct {
	MessageType string `json:"messageType"`
	LogEvents   []struct {
		Message *string `json:"message"`
	} `json:"logEvents"`
}

// decompress applies Decompression (GZIP) and CloudWatchLogProcessing.
// A record that does not decompress goes to decompression-failed as it
// was; with message extraction, CONTROL_MESSAGE records are dropped and
// every DATA_MESSAGE yields one record per log event message.
func (p *Pipeline) decompress(in []Record) ([]Record, []dest.Failure) {
	out := make([]Record, 0, len(in))
	var failed []dest.Failure
	for _, r := range in {
		data := r.Data
		if p.cfg.gunzip {
			d, err := gunzip(data)
			if err != nil {
				failed = append(failed, p.plainFailure(r, codeDecompression, "The record could not be decompressed as GZIP."))
				continue
			}
			data = d
		}
		if !p.cfg.cwExtraction {
			r.Data = data
			out = append(out, r)
			continue
		}
		var m cwLogsMessage
		if err := json.Unmarshal(data, &m); err != nil || m.MessageType == "" {
			failed = append(failed, p.plainFailure(r, codeCWLogs, "The record is not a CloudWatch Logs subscription message."))
			continue
		}
		if m.MessageType != "DATA_MESSAGE" {
			continue
		}
		for i, e := range m.LogEvents {
			if e.Message == nil {
				continue
			}
			s := r
			s.ID = subID(r.ID, i)
			s.Data = []byte(*e.Message)
			out = append(out, s)
		}
	}
	return out, failed
}

func gunzip(data []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(zr, maxDecompressed+1))
	if err != nil {
		return nil, err
	}
	if n > maxDecompressed {
		return nil, io.ErrShortBuffer
	}
	return buf.Bytes(), nil
}
