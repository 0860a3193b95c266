package firehose

import (
	"context"

	"github.com/freshet/freshet/internal/api/firehoseapi"
	"github.com/freshet/freshet/internal/protocol/awserr"
)

// StartDeliveryStreamEncryption turns server-side encryption on. Freshet
// records the key configuration; spooled records are protected by the
// data directory's own encryption at rest, not by KMS.
func (s *Service) StartDeliveryStreamEncryption(ctx context.Context, in *firehoseapi.StartDeliveryStreamEncryptionInput) (*firehoseapi.StartDeliveryStreamEncryptionOutput, error) {
	cfg := in.DeliveryStreamEncryptionConfigurationInput
	if cfg == nil {
		t := "AWS_OWNED_CMK"
		cfg = &firehoseapi.DeliveryStreamEncryptionConfigurationInput{KeyType: t}
	}
	enc, err := encryptionFrom(cfg)
	if err != nil {
		return nil, err
	}
	err = s.modify(ctx, in.DeliveryStreamName, func(doc *streamDoc) error {
		if doc.Type != typeDirectPut {
			return invalidArgument("Firehose %s is not a DirectPut delivery stream: server-side encryption applies to DirectPut delivery streams only.", doc.Name)
		}
		enc.ChangedMs = s.now().UnixMilli()
		doc.Encryption = enc
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &firehoseapi.StartDeliveryStreamEncryptionOutput{}, nil
}

// StopDeliveryStreamEncryption turns server-side encryption off.
func (s *Service) StopDeliveryStreamEncryption(ctx context.Context, in *firehoseapi.StopDeliveryStreamEncryptionInput) (*firehoseapi.StopDeliveryStreamEncryptionOutput, error) {
	err := s.modify(ctx, in.DeliveryStreamName, func(doc *streamDoc) error {
		if doc.Type != typeDirectPut {
			return invalidArgument("Firehose %s is not a DirectPut delivery stream: server-side encryption applies to DirectPut delivery streams only.", doc.Name)
		}
		doc.Encryption = &encryptionDoc{KeyType: "AWS_OWNED_CMK", Status: "DISABLED", ChangedMs: s.now().UnixMilli()}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &firehoseapi.StopDeliveryStreamEncryptionOutput{}, nil
}

func (d *streamDoc) encrypted() bool {
	return d.Encryption != nil && d.Encryption.Status == "ENABLED"
}

func resourceInUse(doc *streamDoc) *awserr.Error {
	return awserr.Newf("ResourceInUseException", "Firehose %s under account %s is not ACTIVE; its status is %s.", doc.Name, doc.Account, statusDeleting)
}

func limitExceeded(format string, args ...any) *awserr.Error {
	return awserr.Newf("LimitExceededException", format, args...)
}
