#!/usr/bin/env bash
# The Kinesis Data Streams steps of the "Streaming Data with Amazon Kinesis"
# workshop (SIG Event Architecture, 2018), typed with the aws CLI against
# Freshet instead of AWS. Start Freshet first (go run ./cmd/freshet), then:
#
#   export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1
#   ./workshop_cli.sh http://127.0.0.1:4567
#
# Any credentials do while Freshet runs with --auth off (the default).
# test/e2e/cli_workshop_test.go runs this script against the built binary
# and checks every step's output; each step starts with a "### step" line.
set -euo pipefail

ENDPOINT=${1:-${ENDPOINT:-http://127.0.0.1:4567}}
# One traffic message as the workshop's traffic-message-service sends them.
MESSAGE=${MESSAGE:-'{"color": "black", "licenseplate": "PC-90-13", "manufacturer": "BMW", "model": "7 series", "latitude": 52.0604741, "longitude": 5.100614, "roadNumber": "A12", "speed": 136, "country": "NL", "timestamp": "2018-04-19T21:08:06"}'}

# aws CLI v1 sends the text given to --data as is (base64-encoding it on
# the wire); v2 expects base64 there unless told otherwise.
binary_format=()
case $(aws --version 2>&1) in aws-cli/1.*) ;; *) binary_format=(--cli-binary-format raw-in-base64-out) ;; esac

step() { printf '### %s\n' "$*"; }

step create-stream
aws kinesis create-stream --stream-name traffic-message-stream --shard-count 1 --endpoint-url "$ENDPOINT"

# The stream is CREATING for a moment; describe it until it is ACTIVE.
for attempt in $(seq 1 100); do
  description=$(aws kinesis describe-stream --stream-name traffic-message-stream --endpoint-url "$ENDPOINT")
  step describe-stream
  printf '%s\n' "$description"
  case $description in *'"StreamStatus": "ACTIVE"'*) break ;; esac
  if [ "$attempt" = 100 ]; then echo "traffic-message-stream never became ACTIVE" >&2; exit 1; fi
  sleep 0.1
done

step wait-stream-exists
aws kinesis wait stream-exists --stream-name traffic-message-stream --endpoint-url "$ENDPOINT"

step list-streams
aws kinesis list-streams --endpoint-url "$ENDPOINT"

step describe-stream-summary
aws kinesis describe-stream-summary --stream-name traffic-message-stream --endpoint-url "$ENDPOINT"

step put-record
aws kinesis put-record --stream-name traffic-message-stream --partition-key 123 --data "$MESSAGE" "${binary_format[@]}" --endpoint-url "$ENDPOINT"

step get-shard-iterator
SHARD_ITERATOR=$(aws kinesis get-shard-iterator --stream-name traffic-message-stream --shard-id shardId-000000000000 \
  --shard-iterator-type TRIM_HORIZON --query ShardIterator --output text --endpoint-url "$ENDPOINT")
printf '%s\n' "$SHARD_ITERATOR"

step get-records
aws kinesis get-records --shard-iterator "$SHARD_ITERATOR" --endpoint-url "$ENDPOINT"

step delete-stream
aws kinesis delete-stream --stream-name traffic-message-stream --endpoint-url "$ENDPOINT"

step done
