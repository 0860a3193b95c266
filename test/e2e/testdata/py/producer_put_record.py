#!/usr/bin/env python3
"""The seeds' single-record producer: a put_record loop.

Usage: producer_put_record.py ENDPOINT STREAM [ITERATIONS]

Each iteration puts the online shop metrics of seed 004
(json.dumps(generate_metrics()), PartitionKey="partitionkey") and one traffic
message of seed 000 keyed by its license plate, with no sleep in between,
and prints one JSON line per record: what was put and the ShardId and
SequenceNumber Kinesis returned. Credentials and region come from the
environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION).
"""
import datetime
import json
import random
import sys

import boto3

from traffic import traffic_message


# The online shop metrics generator of seed 004, as written there.
def generate_metrics():
    num_requests = random.randint(1, 100)
    num_new_users = random.randint(0, 10)
    num_new_orders = random.randint(0, 5)
    num_churn_users = random.randint(0, 3)

    data = {}
    data['timestamp'] = datetime.datetime.now().isoformat()
    data['requests_newUsers_newOrders_churnUsers'] = f"{num_requests},{num_new_users},{num_new_orders},{num_churn_users}"
    return data


def main():
    endpoint, stream = sys.argv[1], sys.argv[2]
    iterations = int(sys.argv[3]) if len(sys.argv) > 3 else 25
    kinesis = boto3.client("kinesis", endpoint_url=endpoint)

    for i in range(iterations):
        message = traffic_message()
        for partition_key, data in (
            ("partitionkey", json.dumps(generate_metrics())),
            (message["licenseplate"], json.dumps(message)),
        ):
            response = kinesis.put_record(StreamName=stream, Data=data, PartitionKey=partition_key)
            print(json.dumps({
                "PartitionKey": partition_key,
                "Data": data,
                "ShardId": response["ShardId"],
                "SequenceNumber": response["SequenceNumber"],
            }), flush=True)


if __name__ == "__main__":
    main()
