package s3_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// boto3Script exercises the endpoint with boto3 (botocore sends CRC32
// checksums by default since 1.36); it prints OK or raises.
const boto3Script = `
import sys, os, io, hashlib, boto3, botocore
from boto3.s3.transfer import TransferConfig
url = sys.argv[1]
for style in ("path", "virtual"):
    s3 = boto3.client("s3", endpoint_url=url, region_name="us-east-1",
        aws_access_key_id="x", aws_secret_access_key="x",
        config=botocore.config.Config(s3={"addressing_style": style}))
    b = "boto-" + style
    s3.create_bucket(Bucket=b)
    s3.put_object(Bucket=b, Key="k/one", Body=b"hello", ContentType="text/plain", Metadata={"a": "1"})
    r = s3.get_object(Bucket=b, Key="k/one", ChecksumMode="ENABLED")
    assert r["Body"].read() == b"hello" and r["ContentType"] == "text/plain" and r["Metadata"] == {"a": "1"}, r
    data = os.urandom(13 * 1024 * 1024)
    cfg = TransferConfig(multipart_threshold=5 * 1024 * 1024, multipart_chunksize=5 * 1024 * 1024)
    s3.upload_fileobj(io.BytesIO(data), b, "k/big", Config=cfg)
    h = s3.head_object(Bucket=b, Key="k/big")
    assert h["ETag"].endswith('-3"'), h["ETag"]
    out = io.BytesIO()
    s3.download_fileobj(b, "k/big", out)
    assert hashlib.sha256(out.getvalue()).digest() == hashlib.sha256(data).digest()
    r = s3.get_object(Bucket=b, Key="k/big", Range="bytes=10-19")
    assert r["Body"].read() == data[10:20]
    keys = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=b, PaginationConfig={"PageSize": 1}):
        keys += [o["Key"] for o in page.get("Contents", [])]
    assert keys == ["k/big", "k/one"], keys
    try:
        s3.get_object(Bucket=b, Key="missing")
        raise SystemExit("no error")
    except s3.exceptions.NoSuchKey:
        pass
    try:
        s3.delete_bucket(Bucket=b)
        raise SystemExit("no error")
    except botocore.exceptions.ClientError as e:
        assert e.response["Error"]["Code"] == "BucketNotEmpty", e.response
    s3.delete_objects(Bucket=b, Delete={"Objects": [{"Key": "k/one"}, {"Key": "k/big"}]})
    s3.delete_bucket(Bucket=b)
print("OK")
`

func TestBoto3(t *testing.T) {
	if err := exec.Command("python3", "-c", "import boto3").Run(); err != nil {
		t.Skip("boto3 not importable")
	}
	_, ts := server(t, t.TempDir())
	cmd := exec.Command("python3", "-c", boto3Script, ts.URL)
	cmd.Env = append(os.Environ(), "AWS_EC2_METADATA_DISABLED=true", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "OK") {
		t.Fatalf("boto3: %v\n%s", err, out)
	}
}
