#!/usr/bin/env python3
"""put_record to a stream that does not exist must fail with
ResourceNotFoundException.

Usage: put_record_missing_stream.py ENDPOINT STREAM

Prints the botocore ClientError as JSON (code, message, HTTP status, request
id, and whether boto3's modeled exception class caught it) and exits 0; exits
1 if the call did not raise a ClientError.
"""
import json
import sys

import boto3
from botocore.exceptions import ClientError


def main():
    endpoint, stream = sys.argv[1], sys.argv[2]
    kinesis = boto3.client("kinesis", endpoint_url=endpoint)
    try:
        response = kinesis.put_record(StreamName=stream, Data=b'{"speed": 120}', PartitionKey="123")
    except kinesis.exceptions.ResourceNotFoundException as e:
        report(e, modeled=True)
    except ClientError as e:
        report(e, modeled=False)
    else:
        print(json.dumps({"error": None, "response": response}, default=str))
        sys.exit(1)


def report(e, modeled):
    print(json.dumps({
        "code": e.response["Error"]["Code"],
        "message": e.response["Error"].get("Message"),
        "http_status": e.response["ResponseMetadata"]["HTTPStatusCode"],
        "request_id": e.response["ResponseMetadata"].get("RequestId"),
        "modeled_exception": modeled,
    }))


if __name__ == "__main__":
    main()
