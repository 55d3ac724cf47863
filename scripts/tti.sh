#!/usr/bin/env bash
# Time to interactive of the customer list in Chromium on an emulated mobile connection
# (end2end/bench/time-to-interactive.mjs; docs/PERFORMANCE.md). Not part of the test command.
# Builds the release (precompressed, hashed bundle) and serves the benchmark's SQLite database
# of a million customers (made by scripts/bench.sh; pass ROWS=… for another size).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
setup_build
setup_test
db="$ROOT/target/bench/clientele-bench-${ROWS:-1000000}.db"
[ -f "$db" ] || { echo "no benchmark database at $db: run scripts/bench.sh --only sqlite first" >&2; exit 1; }
say "building (release)"
cargo xtask build --release
port=3200
target/release/server --listen "127.0.0.1:$port" --database-url "sqlite://$db" --site-root target/site &
server=$!
trap 'kill $server 2>/dev/null' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
say "timing (cold and warm cache)"
(cd end2end && TTI_URL="http://127.0.0.1:$port" node bench/time-to-interactive.mjs)
