#!/usr/bin/env bash
# The load harness (docs/PERFORMANCE.md, "Load"): 50 simulated partner users on one tenant of a
# million customers for 60 s, on SQLite and then PostgreSQL, over loopback; stops by itself.
# Not part of the test command. Options go to the benchmark and override these, e.g.
# `--users 100`, `--load-seconds 120`, `--think-ms 500`, `--only sqlite`, `--rows 100000`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec cargo bench -p server --bench pages -- --load-only --users 50 --load-seconds 60 "$@"
