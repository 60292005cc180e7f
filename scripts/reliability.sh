#!/usr/bin/env bash
# Runs the reliability suite and prints its figures. `STRESS=1` (make stress) uses the
# issue's large counts. Bounded in time: the whole run is killed after RELIABILITY_TIMEOUT
# seconds (default 600 for make test, 1800 for make stress). Loopback services only.
set -uo pipefail
cd "$(dirname "$0")/.."

export RELIABILITY_FIGURES="${RELIABILITY_FIGURES:-$(mktemp -t reliability-figures.XXXXXX.jsonl)}"
: > "$RELIABILITY_FIGURES"
if [[ "${STRESS:-}" == "1" ]]; then default_timeout=1800; else default_timeout=600; fi
timeout_s="${RELIABILITY_TIMEOUT:-$default_timeout}"

timeout --kill-after=10 "$timeout_s" npx --no-install vitest run \
  --project reliability --project reliability-clients "$@"
status=$?
if [[ $status -eq 124 ]]; then echo "reliability suite killed after ${timeout_s}s"; fi
npx --no-install tsx scripts/reliability-report.ts "$RELIABILITY_FIGURES" "$status"
