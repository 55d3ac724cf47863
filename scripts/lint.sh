#!/usr/bin/env bash
# The lint gate, run first by scripts/test.sh (and so by CI): formatting and the dependency check
# (seconds), then clippy with warnings denied over both builds. Fails on the first problem.
#
# Clippy does not check the code separately: it is the compiler of the very builds the tests run
# (cargo's RUSTC_WORKSPACE_WRAPPER, which is how `cargo clippy` itself works, on our own crates
# only), so every dependency is compiled once rather than once to check and again to test. What
# this leaves in target/ (the test binaries, target/debug/server, the browser bundle) is what
# scripts/test.sh runs next, with nothing to rebuild.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/setup.sh"

say "lint: rustfmt"
cargo fmt --all --check
# rustfmt leaves macro bodies alone; leptosfmt formats the view! markup (leptosfmt.toml: 120 columns).
say "lint: leptosfmt (view! bodies)"
leptosfmt --check --quiet app/src frontend/src

say "lint: dependencies (licenses, duplicate versions, sources)"
# cargo-deny reads the metadata of every package in the lockfile, for every target (Windows and
# Android ones too), and offline it finds only what is downloaded: a fresh machine's cargo has
# only what its own builds needed, so fetch the rest first (from crates.io, a few seconds).
cargo fetch --locked --quiet
cargo deny --offline check licenses bans sources

clippy_compiles
# The server build: ssr, every target (tests and the benchmark too), so an unused import or a test
# left out of `on_both_databases!` (dead code) fails here.
say "lint: clippy, server build (ssr, all targets), compiling the tests"
cargo test -p app -p server -p xtask --all-targets --no-run --locked
# The browser build: the same app crate compiled with hydrate for wasm32, as the bundle the
# browser tests load.
say "lint: clippy, browser build (hydrate, wasm32), compiling the bundle"
cargo xtask build --frontend-only
