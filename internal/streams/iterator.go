package streams

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"time"

	"github.com/freshet/freshet/internal/protocol/awserr"
)

// A shard iterator is opaque to clients: a version byte, when it was
// issued, the shard log position it points at and the stream it belongs to,
// then an HMAC so a forged or altered iterator is refused. It expires five
// minutes after it was issued, as AWS's do.
type iterator struct {
	issuedMs int64
	offset   uint64
	shard    uint32
	uid      [8]byte
	account  string
	region   string
	stream   string
}

const (
	iteratorVersion = 1
	iteratorTTL     = 5 * time.Minute
	iteratorMACLen  = 16
)

func (s *Service) encodeIterator(it iterator) string {
	buf := make([]byte, 0, 64+len(it.account)+len(it.region)+len(it.stream))
	buf = append(buf, iteratorVersion)
	buf = binary.BigEndian.AppendUint64(buf, uint64(it.issuedMs))
	buf = binary.BigEndian.AppendUint64(buf, it.offset)
	buf = binary.BigEndian.AppendUint32(buf, it.shard)
	buf = append(buf, it.uid[:]...)
	for _, s := range []string{it.account, it.region, it.stream} {
		buf = append(buf, byte(len(s)))
		buf = append(buf, s...)
	}
	mac := hmac.New(sha256.New, s.secret)
	mac.Write(buf)
	buf = mac.Sum(buf)[:len(buf)+iteratorMACLen]
	return base64.StdEncoding.EncodeToString(buf)
}

func invalidIterator() error {
	return awserr.New("InvalidArgumentException", "Invalid ShardIterator.")
}

func (s *Service) decodeIterator(raw string) (iterator, error) {
	var it iterator
	b, err := base64.StdEncoding.DecodeString(raw)
	if err != nil || len(b) < 1+8+8+4+8+3+iteratorMACLen || b[0] != iteratorVersion {
		return it, invalidIterator()
	}
	body, sum := b[:len(b)-iteratorMACLen], b[len(b)-iteratorMACLen:]
	mac := hmac.New(sha256.New, s.secret)
	mac.Write(body)
	if !hmac.Equal(sum, mac.Sum(nil)[:iteratorMACLen]) {
		return it, invalidIterator()
	}
	it.issuedMs = int64(binary.BigEndian.Uint64(body[1:]))
	it.offset = binary.BigEndian.Uint64(body[9:])
	it.shard = binary.BigEndian.Uint32(body[17:])
	copy(it.uid[:], body[21:29])
	rest := body[29:]
	var fields [3]string
	for i := range fields {
		if len(rest) < 1 || len(rest) < 1+int(rest[0]) {
			return it, invalidIterator()
		}
		fields[i] = string(rest[1 : 1+rest[0]])
		rest = rest[1+rest[0]:]
	}
	if len(rest) != 0 {
		return it, invalidIterator()
	}
	it.account, it.region, it.stream = fields[0], fields[1], fields[2]
	return it, nil
}

// checkIterator fails with ExpiredIteratorException once an iterator is
// older than five minutes, in AWS's words.
func (s *Service) checkIterator(it iterator, now time.Time) error {
	issued := time.UnixMilli(it.issuedMs)
	if now.Sub(issued) > iteratorTTL {
		return awserr.New("ExpiredIteratorException", "Iterator expired. The iterator was created at time "+amzTime(issued)+
			" while right now it is "+amzTime(now)+" which is further in the future than the tolerated delay of 300000 milliseconds.")
	}
	return nil
}

// amzTime formats like AWS's messages: "Thu Jan 22 01:22:02 UTC 2015".
func amzTime(t time.Time) string { return t.UTC().Format("Mon Jan 02 15:04:05 UTC 2006") }

func uidBytes(uid string) [8]byte {
	var out [8]byte
	hex.Decode(out[:], []byte(uid))
	return out
}
