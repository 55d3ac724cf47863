#!/usr/bin/env bash
# Whole pages and their server functions at a million customers on SQLite and PostgreSQL (docs/PERFORMANCE.md).
# Not part of the test command. Options go to the benchmark, e.g. `--rows 100000`, `--only
# sqlite`, `--fresh`. The first run writes the data (a few minutes); later runs reuse it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec cargo bench -p server --bench pages -- "$@"
