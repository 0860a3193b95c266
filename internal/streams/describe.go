package streams

import (
	"time"

	"github.com/freshet/freshet/internal/api/kinesisapi"
)

// shardView renders a shard as the API shows it.
func shardView(doc *streamDoc, sh *shardDoc) kinesisapi.Shard {
	out := kinesisapi.Shard{
		ShardId:      shardID(sh.Index),
		HashKeyRange: kinesisapi.HashKeyRange{StartingHashKey: sh.StartHash, EndingHashKey: sh.EndHash},
		SequenceNumberRange: kinesisapi.SequenceNumberRange{
			StartingSequenceNumber: sh.startSeq().String(),
		},
	}
	if sh.ParentID != "" {
		p := sh.ParentID
		out.ParentShardId = &p
	}
	if sh.AdjParent != "" {
		p := sh.AdjParent
		out.AdjacentParentShardId = &p
	}
	if !sh.open() {
		// As AWS does, a closed shard ends at the largest sequence number it
		// could have held, not at its last record.
		end := seqNum{shardCreateSec: uint64(sh.CreatedMs / 1000), shardIndex: sh.Index, offset: maxOffset, timeSec: uint64(sh.ClosedMs / 1000)}.String()
		out.SequenceNumberRange.EndingSequenceNumber = &end
	}
	return out
}

func modeDetails(doc *streamDoc) *kinesisapi.StreamModeDetails {
	return &kinesisapi.StreamModeDetails{StreamMode: doc.Mode}
}

func createdAt(doc *streamDoc) time.Time { return time.UnixMilli(doc.CreatedMs).UTC() }

var (
	encryptionNone = "NONE"
	encryptionKMS  = "KMS"
)

// encryption reports a stream's EncryptionType and KeyId.
func encryption(doc *streamDoc) (*string, *string) {
	if doc.EncKeyID == "" {
		return &encryptionNone, nil
	}
	key := doc.EncKeyID
	return &encryptionKMS, &key
}

func monitoring(doc *streamDoc) []kinesisapi.EnhancedMetrics {
	return []kinesisapi.EnhancedMetrics{{ShardLevelMetrics: append([]string{}, doc.Metrics...)}}
}
