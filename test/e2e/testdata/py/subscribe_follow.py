#!/usr/bin/env python3
"""Enhanced fan-out with boto3 across a reshard: register consumer NAME,
subscribe to PARENT from TRIM_HORIZON until its subscription ends with
ChildShards, then subscribe to each child in turn until the server ends the
subscription (its lifetime). Prints one JSON line per record, one line per
ended subscription with how long it lasted, and the children seen.

Usage: subscribe_follow.py ENDPOINT STREAM_ARN NAME PARENT_SHARD_ID
"""
import json
import sys
import time

import boto3


def subscribe(kinesis, consumer_arn, shard_id):
    started = time.time()
    resp = kinesis.subscribe_to_shard(ConsumerARN=consumer_arn, ShardId=shard_id,
                                      StartingPosition={"Type": "TRIM_HORIZON"})
    children = []
    for event in resp["EventStream"]:
        ev = event["SubscribeToShardEvent"]
        for r in ev["Records"]:
            print(json.dumps({"shard": shard_id, "data": r["Data"].decode(), "key": r["PartitionKey"]}), flush=True)
        children = [c["ShardId"] for c in ev.get("ChildShards", [])] or children
    print(json.dumps({"shard": shard_id, "ended_after_s": round(time.time() - started, 2), "children": children}), flush=True)
    return children


def main():
    endpoint, stream_arn, name, parent = sys.argv[1:5]
    kinesis = boto3.client("kinesis", endpoint_url=endpoint)
    consumer = kinesis.register_stream_consumer(StreamARN=stream_arn, ConsumerName=name)["Consumer"]
    deadline = time.time() + 20
    while kinesis.describe_stream_consumer(ConsumerARN=consumer["ConsumerARN"])["ConsumerDescription"]["ConsumerStatus"] != "ACTIVE":
        if time.time() > deadline:
            sys.exit("consumer never became ACTIVE")
        time.sleep(0.1)
    for child in subscribe(kinesis, consumer["ConsumerARN"], parent):
        subscribe(kinesis, consumer["ConsumerARN"], child)


if __name__ == "__main__":
    main()
