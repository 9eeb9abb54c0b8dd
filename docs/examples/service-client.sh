#!/usr/bin/env bash
# The worklist (what is overdue or due in the next 30 days) of one case file, from a running
# `lacplan serve`, with nothing but bash, base64 and curl (docs/service.md).
#
#   LACPLAN_URL=http://127.0.0.1:8000 [LACPLAN_TOKEN=...] service-client.sh CASES.json AS_OF
#
# The file goes as a file (base64), so JSON Lines and JSON arrays work too; the answer is
# printed as it comes. A refused request prints its error body and exits non-zero.
set -euo pipefail
url=${LACPLAN_URL:-http://127.0.0.1:8000}
file=${1:?usage: service-client.sh CASES.json AS_OF}
as_of=${2:?usage: service-client.sh CASES.json AS_OF}
auth=()
if [ -n "${LACPLAN_TOKEN:-}" ]; then
  auth=(-H "Authorization: Bearer ${LACPLAN_TOKEN}")
fi
body=$(printf '{"as_of": "%s", "days": 30, "files": [{"name": "%s", "bytes": "%s"}]}' \
  "$as_of" "$(basename "$file")" "$(base64 -w0 "$file")")
curl -sS --fail-with-body "${auth[@]}" -H 'Content-Type: application/json' \
  --data-binary "$body" "$url/v1/upcoming"
echo
