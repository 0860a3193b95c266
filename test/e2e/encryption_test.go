package e2e

import (
	"bytes"
	"context"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/freshet/freshet/internal/app"
	"github.com/freshet/freshet/internal/config"
)

// onDisk reports whether any file under dir contains b.
func onDisk(t *testing.T, dir string, b []byte) bool {
	t.Helper()
	found := false
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || found {
			return nil
		}
		data, err := os.ReadFile(path)
		if err == nil && bytes.Contains(data, b) {
			found = true
		}
		return nil
	})
	return found
}

// TestEncryptionAtRest: records written while encryption is on are
// ciphertext on disk and plaintext to readers; before and after, plaintext.
func TestEncryptionAtRest(t *testing.T) {
	dir := t.TempDir()
	c, _, _ := startServer(t, serverOpts{dataDir: dir})
	createActive(t, c, "secret", 1)
	name := aws.String("secret")
	plainBefore := []byte("PLAINTEXT-MARKER-before-encryption")
	sealed := []byte("PLAINTEXT-MARKER-while-encrypted-0123456789")
	plainAfter := []byte("PLAINTEXT-MARKER-after-encryption")

	must(c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: name, PartitionKey: aws.String("k"), Data: plainBefore}))
	must(c.StartStreamEncryption(ctx, &kinesis.StartStreamEncryptionInput{StreamName: name, EncryptionType: types.EncryptionTypeKms, KeyId: aws.String("alias/aws/kinesis")}))
	d := must(c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: name}))
	if d.StreamDescriptionSummary.EncryptionType != types.EncryptionTypeKms || *d.StreamDescriptionSummary.KeyId != "alias/aws/kinesis" {
		t.Fatalf("summary: %s %v", d.StreamDescriptionSummary.EncryptionType, d.StreamDescriptionSummary.KeyId)
	}
	put := must(c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: name, PartitionKey: aws.String("k"), Data: sealed}))
	if put.EncryptionType != types.EncryptionTypeKms {
		t.Fatalf("PutRecord EncryptionType %s", put.EncryptionType)
	}
	must(c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: name, Records: []types.PutRecordsRequestEntry{{PartitionKey: aws.String("k"), Data: sealed}}}))
	must(c.StopStreamEncryption(ctx, &kinesis.StopStreamEncryptionInput{StreamName: name, EncryptionType: types.EncryptionTypeKms, KeyId: aws.String("alias/aws/kinesis")}))
	must(c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: name, PartitionKey: aws.String("k"), Data: plainAfter}))

	it := must(c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: name, ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})).ShardIterator
	recs := must(c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it})).Records
	if len(recs) != 4 || !bytes.Equal(recs[0].Data, plainBefore) || !bytes.Equal(recs[1].Data, sealed) || !bytes.Equal(recs[2].Data, sealed) || !bytes.Equal(recs[3].Data, plainAfter) {
		t.Fatalf("read back %d records", len(recs))
	}
	if recs[0].EncryptionType == types.EncryptionTypeKms || recs[1].EncryptionType != types.EncryptionTypeKms || recs[3].EncryptionType == types.EncryptionTypeKms {
		t.Fatalf("record encryption types: %s %s %s", recs[0].EncryptionType, recs[1].EncryptionType, recs[3].EncryptionType)
	}
	// The bytes on disk: the plaintext records are there to be found (so
	// the scan works), the encrypted one is not.
	if !onDisk(t, dir, plainBefore) || !onDisk(t, dir, plainAfter) {
		t.Fatal("plaintext records not found on disk: the scan proves nothing")
	}
	if onDisk(t, dir, sealed) {
		t.Fatal("a record written while encryption was on is plaintext on disk")
	}
	_, err := c.StopStreamEncryption(ctx, &kinesis.StopStreamEncryptionInput{StreamName: name, EncryptionType: types.EncryptionTypeKms, KeyId: aws.String("alias/aws/kinesis")})
	apiErr(t, err, "InvalidArgumentException", "Stream secret under account 000000000000 is not encrypted.")
}

// TestEncryptedRecordsSurviveRestart: the master key kept in the data
// directory opens records after a restart.
func TestEncryptedRecordsSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	cfg := config.Default()
	cfg.Listen, cfg.DataDir, cfg.StateDelay = "127.0.0.1:0", dir, 0
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := app.Start(context.Background(), cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	c := newClient("http://" + srv.Addr())
	current = t
	createActive(t, c, "kept", 1)
	must(c.StartStreamEncryption(ctx, &kinesis.StartStreamEncryptionInput{StreamName: aws.String("kept"), EncryptionType: types.EncryptionTypeKms, KeyId: aws.String("my-key")}))
	must(c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("kept"), PartitionKey: aws.String("k"), Data: []byte("survives restarts")}))
	srv.Close()

	srv, err = app.Start(context.Background(), cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c = newClient("http://" + srv.Addr())
	it := must(c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("kept"), ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})).ShardIterator
	recs := must(c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it})).Records
	if len(recs) != 1 || string(recs[0].Data) != "survives restarts" {
		t.Fatalf("after restart: %d records", len(recs))
	}
}
