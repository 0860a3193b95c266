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

# A traffic message like the workshop's traffic-message-service returns
# (seed 000), and the online shop metrics generator of seed 004 as written there.
CARS = [
    ("BMW", "7 series"), ("Renault", "Twingo"), ("Renault", "Talisman"),
    ("Volkswagen", "Polo"), ("Volvo", "V90"), ("SKODA", "Octavia"),
    ("Toyota", "Yaris"), ("Citroen", "C4"), ("Mercedes", "A-Klasse"),
]
COLORS = ["black", "green", "white", "red", "blue", "grey"]
COUNTRIES = ["NL", "BE", "DE", "FR"]
ROADS = [("A12", 52.0604741, 5.100614), ("A2", 52.1009166, 5.0457458), ("A28", 52.2047302, 5.3857013)]


def licenseplate():
    letters = "BDFGHJKLNPRSTVXZ"
    patterns = [
        lambda: "%s-%02d-%02d" % ("".join(random.choice(letters) for _ in range(2)), random.randint(0, 99), random.randint(0, 99)),
        lambda: "%02d-%02d-%s" % (random.randint(0, 99), random.randint(0, 99), "".join(random.choice(letters) for _ in range(2))),
        lambda: "%d-%s-%02d" % (random.randint(1, 9), "".join(random.choice(letters) for _ in range(3)), random.randint(0, 99)),
    ]
    return random.choice(patterns)()


def traffic_message():
    manufacturer, model = random.choice(CARS)
    road, latitude, longitude = random.choice(ROADS)
    return {
        "color": random.choice(COLORS),
        "licenseplate": licenseplate(),
        "manufacturer": manufacturer,
        "model": model,
        "latitude": latitude,
        "longitude": longitude,
        "roadNumber": road,
        "speed": random.randint(60, 160),
        "country": random.choice(COUNTRIES),
        "timestamp": datetime.datetime.now().isoformat(),
    }


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
