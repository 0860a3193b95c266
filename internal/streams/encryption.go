package streams

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"sync"

	"github.com/freshet/freshet/internal/api/kinesisapi"
	"github.com/freshet/freshet/internal/protocol/awserr"
	"github.com/freshet/freshet/internal/storage"
)

// Encryption at rest. While a stream is encrypted, every record's data is
// sealed with AES-256-GCM under a key derived (HKDF-SHA256) from the local
// master key, the stream's UID and the KMS KeyId the user named; the
// nonce is stored in front of the ciphertext. Each shard remembers the
// offset ranges written while encryption was on: Start and Stop switch
// under the stream's writes lock, so a range's first offset is exact and
// readers know which records to open without a marker in the data.

// encRange is a run of a shard's offsets written encrypted under KeyID.
type encRange struct {
	From  uint64  `json:"from"`
	To    *uint64 `json:"to,omitempty"` // exclusive; nil while encryption is on
	KeyID string  `json:"keyId"`
}

const nonceLen = 12

var errNoMasterKey = errors.New("streams: encryption needs a master key")

// keyring derives and caches the AEAD of each (stream, KeyId).
type keyring struct {
	master []byte
	aeads  sync.Map // string -> cipher.AEAD
}

func (k *keyring) aead(uid, keyID string) (cipher.AEAD, error) {
	if len(k.master) == 0 {
		return nil, errNoMasterKey
	}
	name := uid + "\x00" + keyID
	if a, ok := k.aeads.Load(name); ok {
		return a.(cipher.AEAD), nil
	}
	key, err := hkdf.Key(sha256.New, k.master, nil, "freshet kinesis record key "+name, 32)
	if err != nil {
		return nil, fmt.Errorf("streams: derive key: %w", err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("streams: cipher: %w", err)
	}
	a, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("streams: gcm: %w", err)
	}
	k.aeads.Store(name, a)
	return a, nil
}

// sealBatch encrypts every record of b into one new buffer.
func (s *Service) sealBatch(doc *streamDoc, b *storage.Batch) error {
	a, err := s.keys.aead(doc.UID, doc.EncKeyID)
	if err != nil {
		return err
	}
	size := 0
	for _, r := range b.Records {
		size += nonceLen + len(r.Data) + a.Overhead()
	}
	buf := make([]byte, 0, size)
	nonces := make([]byte, nonceLen*len(b.Records))
	if _, err := rand.Read(nonces); err != nil {
		return fmt.Errorf("streams: nonce: %w", err)
	}
	for i := range b.Records {
		start := len(buf)
		nonce := nonces[i*nonceLen : (i+1)*nonceLen]
		buf = append(buf, nonce...)
		buf = a.Seal(buf, nonce, b.Records[i].Data, nil)
		b.Records[i].Data = buf[start:len(buf):len(buf)]
	}
	return nil
}

// openRecords decrypts, in place, the records of sh that were written
// encrypted, and reports which ones were.
func (s *Service) openRecords(doc *streamDoc, sh *shardDoc, recs []storage.StoredRecord) ([]bool, error) {
	if len(sh.Enc) == 0 {
		return nil, nil
	}
	encrypted := make([]bool, len(recs))
	for i := range recs {
		r := &recs[i]
		var rng *encRange
		for j := range sh.Enc {
			e := &sh.Enc[j]
			if r.Offset >= e.From && (e.To == nil || r.Offset < *e.To) {
				rng = e
			}
		}
		if rng == nil {
			continue
		}
		a, err := s.keys.aead(doc.UID, rng.KeyID)
		if err != nil {
			return nil, err
		}
		if len(r.Data) < nonceLen+a.Overhead() {
			return nil, fmt.Errorf("streams: encrypted record %d of %s is too short", r.Offset, shardID(sh.Index))
		}
		plain, err := a.Open(r.Data[nonceLen:nonceLen], r.Data[:nonceLen], r.Data[nonceLen:], nil)
		if err != nil {
			return nil, fmt.Errorf("streams: open record %d of %s: %w", r.Offset, shardID(sh.Index), err)
		}
		r.Data = plain
		encrypted[i] = true
	}
	return encrypted, nil
}

// StartStreamEncryption encrypts every record written from now on.
func (s *Service) StartStreamEncryption(ctx context.Context, in *kinesisapi.StartStreamEncryptionInput) (*struct{}, error) {
	return s.setEncryption(ctx, in.StreamName, in.StreamARN, in.EncryptionType, in.KeyId, true)
}

// StopStreamEncryption stops encrypting new records; records written while
// it was on stay encrypted and still read back in the clear.
func (s *Service) StopStreamEncryption(ctx context.Context, in *kinesisapi.StopStreamEncryptionInput) (*struct{}, error) {
	return s.setEncryption(ctx, in.StreamName, in.StreamARN, in.EncryptionType, in.KeyId, false)
}

func (s *Service) setEncryption(ctx context.Context, name, arn *string, typ, keyID string, on bool) (*struct{}, error) {
	if typ != "KMS" {
		return nil, awserr.Newf("InvalidArgumentException", "Encryption type %s is not supported; use KMS.", typ)
	}
	if len(s.keys.master) == 0 {
		return nil, errNoMasterKey
	}
	_, err := s.reshard(ctx, name, arn, func(tx *reshardTx) error {
		doc := tx.doc
		if !on && doc.EncKeyID == "" {
			return awserr.Newf("InvalidArgumentException", "Stream %s under account %s is not encrypted.", doc.Name, doc.Account)
		}
		for i := range doc.Shards {
			sh := &doc.Shards[i]
			if !sh.open() {
				continue
			}
			_, next, err := s.logs.Bounds(ctx, doc.logName(sh.Index))
			if err != nil {
				return fmt.Errorf("streams: encryption: %w", err)
			}
			sh.Enc = append([]encRange(nil), sh.Enc...)
			if n := len(sh.Enc); n > 0 && sh.Enc[n-1].To == nil {
				sh.Enc[n-1].To = &next
			}
			if on {
				sh.Enc = append(sh.Enc, encRange{From: next, KeyID: keyID})
			}
		}
		doc.EncKeyID = ""
		if on {
			doc.EncKeyID = keyID
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}
