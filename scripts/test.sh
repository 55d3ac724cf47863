#!/usr/bin/env bash
# Runs the lint gate (scripts/lint.sh), then every test: Rust unit and integration tests (each integration test on SQLite and on
# PostgreSQL), Schemathesis against the partner API's document (scripts/api_fuzz.sh), the
# release WASM's size budget, then the Playwright browser tests against a freshly built app.
# PostgreSQL: postgres://postgres@127.0.0.1:5432/postgres unless CLIENTELE_TEST_POSTGRES_URL says otherwise.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
setup_build
setup_test
start=$(date +%s)
# Each step says when it starts, in seconds since the first: where a slow run spent its time.
step() { say "[$(( $(date +%s) - start ))s] $*"; }
# A one-off build (CI, a fresh clone) gains nothing from incremental caches but their disk.
if [ "${CI:-}" = "true" ]; then export CARGO_INCREMENTAL=0; fi

# Lint first: formatting and the dependency check fail in seconds, then clippy compiles the test
# binaries, target/debug/server (the binary the browser tests run) and the browser bundle.
step "lint, and the builds the tests run"
bash "$ROOT/scripts/lint.sh"
# The same compiler setting as the lint's builds, so cargo reuses them.
clippy_compiles

step "Rust tests (SQLite and PostgreSQL)"
cargo test -p app -p server -p xtask --locked

step "property-based tests of the partner API against its OpenAPI document (Schemathesis)"
bash "$ROOT/scripts/api_fuzz.sh"

step "the release WASM within its size budget (issue #29)"
# Built aside in target/budget (target/site keeps the debug bundle) by rustc itself, as releases
# are: clippy-driver turns off MIR optimisations, which changes the size. The browser tests then
# drive it too (end2end/tests/release_bundle.spec.ts).
(unset RUSTC_WORKSPACE_WRAPPER CLIPPY_ARGS; cargo xtask budget)

step "Playwright browser tests (Chromium)"
(cd end2end && npx playwright test)

say "all tests passed in $(( $(date +%s) - start ))s"
