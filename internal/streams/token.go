package streams

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"time"

	"github.com/freshet/freshet/internal/protocol/awserr"
)

// pageToken is the content of a NextToken: where a listing goes on, signed
// so a client cannot forge one, and dated so it expires as AWS's do.
type pageToken struct {
	Account  string `json:"a"`
	Region   string `json:"r"`
	Stream   string `json:"s,omitempty"`
	After    string `json:"k"`
	IssuedMs int64  `json:"t"`
}

const tokenTTL = 300 * time.Second

func (s *Service) encodeToken(t pageToken) string {
	t.IssuedMs = s.now().UnixMilli()
	body, _ := json.Marshal(t)
	mac := hmac.New(sha256.New, s.secret)
	mac.Write(body)
	return base64.RawURLEncoding.EncodeToString(append(body, mac.Sum(nil)[:16]...))
}

func (s *Service) decodeToken(raw string) (pageToken, error) {
	var t pageToken
	b, err := base64.RawURLEncoding.DecodeString(raw)
	if err != nil || len(b) < 17 {
		return t, awserr.New("InvalidArgumentException", "Invalid NextToken.")
	}
	body, sum := b[:len(b)-16], b[len(b)-16:]
	mac := hmac.New(sha256.New, s.secret)
	mac.Write(body)
	if !hmac.Equal(sum, mac.Sum(nil)[:16]) || json.Unmarshal(body, &t) != nil {
		return t, awserr.New("InvalidArgumentException", "Invalid NextToken.")
	}
	if s.now().Sub(time.UnixMilli(t.IssuedMs)) > tokenTTL {
		return t, awserr.New("ExpiredNextTokenException", "The NextToken has expired.")
	}
	return t, nil
}
