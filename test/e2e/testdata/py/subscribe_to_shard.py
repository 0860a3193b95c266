#!/usr/bin/env python3
"""Enhanced fan-out with boto3: register a consumer, subscribe to one shard
from TRIM_HORIZON and print every record received as a JSON line, until
WANT records arrived (or 20 s passed).

Usage: subscribe_to_shard.py ENDPOINT STREAM_ARN SHARD_ID WANT
"""
import json
import sys
import time

import boto3


def main():
    endpoint, stream_arn, shard_id, want = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    kinesis = boto3.client("kinesis", endpoint_url=endpoint)
    consumer = kinesis.register_stream_consumer(StreamARN=stream_arn, ConsumerName="boto3-efo")["Consumer"]
    deadline = time.time() + 20
    while kinesis.describe_stream_consumer(ConsumerARN=consumer["ConsumerARN"])["ConsumerDescription"]["ConsumerStatus"] != "ACTIVE":
        if time.time() > deadline:
            sys.exit("consumer never became ACTIVE")
        time.sleep(0.1)
    resp = kinesis.subscribe_to_shard(ConsumerARN=consumer["ConsumerARN"], ShardId=shard_id,
                                      StartingPosition={"Type": "TRIM_HORIZON"})
    got = 0
    for event in resp["EventStream"]:
        ev = event["SubscribeToShardEvent"]
        for r in ev["Records"]:
            print(json.dumps({"data": r["Data"].decode(), "key": r["PartitionKey"], "seq": r["SequenceNumber"],
                              "continuation": ev["ContinuationSequenceNumber"]}), flush=True)
            got += 1
        if got >= want or time.time() > deadline:
            break
    resp["EventStream"].close()


if __name__ == "__main__":
    main()
