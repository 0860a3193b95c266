#!/usr/bin/env python3
"""The workshop's kinesis-stream-consumer.py pattern: dump a stream to JSON.

Usage: consumer_dump_json.py ENDPOINT STREAM OUTPUT.json

Lists the stream's shards (list_shards, paging, checked against
describe_stream), reads every shard from TRIM_HORIZON with get_records,
following NextShardIterator until it is caught up (no records and
MillisBehindLatest == 0), decodes each record's data as JSON and writes ALL
records, shard by shard in the order read, to OUTPUT.json. Prints a summary
JSON object.
"""
import json
import sys

import boto3


def list_shards(kinesis, stream):
    shards, kwargs = [], {"StreamName": stream}
    while True:
        response = kinesis.list_shards(**kwargs)
        shards.extend(response["Shards"])
        if not response.get("NextToken"):
            return shards
        kwargs = {"NextToken": response["NextToken"]}


def main():
    endpoint, stream, output = sys.argv[1], sys.argv[2], sys.argv[3]
    kinesis = boto3.client("kinesis", endpoint_url=endpoint)

    shards = list_shards(kinesis, stream)
    description = kinesis.describe_stream(StreamName=stream)["StreamDescription"]
    described = [s["ShardId"] for s in description["Shards"]]
    if described != [s["ShardId"] for s in shards]:
        raise SystemExit("list_shards %s but describe_stream %s" % ([s["ShardId"] for s in shards], described))

    records, calls = [], 0
    for shard in shards:
        iterator = kinesis.get_shard_iterator(
            StreamName=stream, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        while iterator:
            response = kinesis.get_records(ShardIterator=iterator, Limit=100)
            calls += 1
            for record in response["Records"]:
                records.append({
                    "ShardId": shard["ShardId"],
                    "SequenceNumber": record["SequenceNumber"],
                    "PartitionKey": record["PartitionKey"],
                    "ApproximateArrivalTimestamp": record["ApproximateArrivalTimestamp"].isoformat(),
                    "Data": json.loads(record["Data"]),
                })
            if not response["Records"] and response["MillisBehindLatest"] == 0:
                break
            iterator = response.get("NextShardIterator")
            if calls > 100000:
                raise SystemExit("no end to shard %s" % shard["ShardId"])

    with open(output, "w") as f:
        json.dump(records, f, indent=2)
    print(json.dumps({
        "stream": stream,
        "status": description["StreamStatus"],
        "shards": len(shards),
        "records": len(records),
        "get_records_calls": calls,
    }))


if __name__ == "__main__":
    main()
