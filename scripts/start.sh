#!/usr/bin/env bash
# Installs what is missing, builds the release, and starts Clientele on SQLite with demo data at
# http://127.0.0.1:3000. Extra arguments go to the server (see `target/release/server --help`).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
say "building (release)"
cargo leptos build --release --precompress
say "starting Clientele on http://127.0.0.1:3000 (demo sign-ins in README.md)"
exec target/release/server --demo --site-root target/site "$@"
