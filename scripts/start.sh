#!/usr/bin/env bash
# Installs only what building and starting need, builds the release, and starts Clientele on
# SQLite with demo data at http://127.0.0.1:3000. Extra arguments go to the server (see
# `target/release/server --help`).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
start=$(date +%s)
add_wasm_target
if ! wasm_bindgen_ready; then
  # Compiling needs no wasm-bindgen: install it while the server and the WASM compile (a fresh
  # machine's longest steps), then bundle.
  say "installing wasm-bindgen-cli $(wasm_bindgen_version) while the release compiles (one-time)"
  mkdir -p target
  install_wasm_bindgen > target/wasm-bindgen-install.log 2>&1 &
  installing=$!
  say "compiling the server and the WASM (release)"
  cargo xtask build --release --compile-only
  if ! wait "$installing"; then
    cat target/wasm-bindgen-install.log
    exit 1
  fi
  rm -f target/wasm-bindgen-install.log
fi
setup_build
say "building the browser bundle and the server (release)"
cargo xtask build --release
say "built in $(( $(date +%s) - start ))s; starting Clientele (http://127.0.0.1:3000 unless --listen says otherwise; demo sign-ins in README.md)"
exec target/release/server --demo --site-root target/site "$@"
