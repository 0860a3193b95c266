#!/usr/bin/env python3
"""The workshop's multi-record producer: put_records batches.

Usage: producer_put_records.py ENDPOINT STREAM [BATCHES] [RECORDS_PER_BATCH]

Sends BATCHES batches of traffic messages (seed 000), each keyed by its
license plate. As a real producer must, it checks FailedRecordCount and
resends only the failed entries (with backoff, at most 5 attempts), then
prints one summary JSON object: counts and every record with the ShardId
and SequenceNumber it was finally stored under. Exits 1 if records still
fail after the last attempt.
"""
import json
import random
import sys
import time

import boto3

from traffic import traffic_message

MAX_ATTEMPTS = 5


def put_batch(kinesis, stream, entries, stats):
    """Puts entries, resending failed ones; returns one result per entry."""
    results = [None] * len(entries)
    pending = list(range(len(entries)))
    for attempt in range(1, MAX_ATTEMPTS + 1):
        response = kinesis.put_records(StreamName=stream, Records=[entries[i] for i in pending])
        stats["put_records_calls"] += 1
        if len(response["Records"]) != len(pending):
            raise SystemExit("put_records answered %d entries for %d records" % (len(response["Records"]), len(pending)))
        failed = []
        for index, result in zip(pending, response["Records"]):
            if "ErrorCode" in result:
                failed.append(index)
                stats["errors"][result["ErrorCode"]] = stats["errors"].get(result["ErrorCode"], 0) + 1
            else:
                results[index] = result
        if response.get("FailedRecordCount", 0) != len(failed):
            raise SystemExit("FailedRecordCount %s but %d entries carry an ErrorCode" % (response.get("FailedRecordCount"), len(failed)))
        if not failed:
            return results
        stats["retried"] += len(failed)
        pending = failed
        time.sleep(0.05 * 2 ** attempt)
    raise SystemExit("%d records still failing after %d attempts: %s" % (len(pending), MAX_ATTEMPTS, stats["errors"]))


def main():
    endpoint, stream = sys.argv[1], sys.argv[2]
    batches = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    per_batch = int(sys.argv[4]) if len(sys.argv) > 4 else 100
    kinesis = boto3.client("kinesis", endpoint_url=endpoint)

    stats = {"put_records_calls": 0, "retried": 0, "errors": {}}
    records = []
    for _ in range(batches):
        messages = [traffic_message() for _ in range(per_batch)]
        entries = [{"Data": json.dumps(m), "PartitionKey": m["licenseplate"]} for m in messages]
        for entry, result in zip(entries, put_batch(kinesis, stream, entries, stats)):
            records.append({
                "PartitionKey": entry["PartitionKey"],
                "Data": entry["Data"],
                "ShardId": result["ShardId"],
                "SequenceNumber": result["SequenceNumber"],
            })
    print(json.dumps({
        "batches": batches,
        "records_put": len(records),
        "put_records_calls": stats["put_records_calls"],
        "failed_entries_retried": stats["retried"],
        "error_codes": stats["errors"],
        "records": records,
    }))


if __name__ == "__main__":
    main()
