#!/bin/sh
# Regenerates signatures.txt: the SC-Signature of each payload here and the answer to
# each VERIFY challenge, computed by openssl (not by fleetkit) with the test token:
# hex HMAC-SHA256 keyed with the Application Management Token over the raw bytes.
set -eu
cd "$(dirname "$0")"
TOKEN=2c4e9c0e-6f1a-4b8e-9d3f-1a2b3c4d5e6f
{
	echo "# openssl dgst -sha256 -hmac $TOKEN -r over each file, and over each challenge (./sign.sh)"
	for f in *.json; do
		printf '%s %s\n' "$(openssl dgst -sha256 -hmac "$TOKEN" -r <"$f" | cut -d' ' -f1)" "$f"
	done
	for c in 3a8b1c2d-challenge-7e6f legacy-challenge-0001; do
		printf '%s challenge:%s\n' "$(printf %s "$c" | openssl dgst -sha256 -hmac "$TOKEN" -r | cut -d' ' -f1)" "$c"
	done
} >signatures.txt
