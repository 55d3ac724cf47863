#!/usr/bin/env bash
# The lint gate, run first by scripts/test.sh (and so by CI): formatting, clippy with warnings
# denied over both builds, and the dependency check. Fails on the first problem.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"
say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

say "lint: rustfmt"
cargo fmt --all --check
# rustfmt leaves macro bodies alone; leptosfmt formats the view! markup (leptosfmt.toml: 120 columns).
say "lint: leptosfmt (view! bodies)"
leptosfmt --check --quiet app/src frontend/src

# The server build: ssr, with tests and benches, so an unused import or a test left out of
# `on_both_databases!` (dead code) fails here.
say "lint: clippy, server build (ssr, all targets)"
cargo clippy -p app -p server -p xtask --features app/ssr --all-targets --locked -- -D warnings

# The browser build: the same app crate compiled with hydrate for wasm32.
say "lint: clippy, browser build (hydrate, wasm32)"
cargo clippy -p frontend --target wasm32-unknown-unknown --locked -- -D warnings

say "lint: dependencies (licenses, duplicate versions, sources)"
# cargo-deny reads the metadata of every package in the lockfile, for every target (Windows and
# Android ones too), and offline it finds only what is downloaded: a fresh machine's cargo has
# only what its own builds needed, so fetch the rest first (from crates.io, a few seconds).
cargo fetch --locked --quiet
cargo deny --offline check licenses bans sources
