#!/usr/bin/env bash
# Runs every test: Rust unit and integration tests (each integration test on SQLite and on
# PostgreSQL), then the Playwright browser tests against a freshly built app.
# PostgreSQL: postgres://postgres@127.0.0.1:5432/postgres unless CLIENTELE_TEST_POSTGRES_URL says otherwise.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
start=$(date +%s)

say "Rust tests (SQLite and PostgreSQL)"
cargo test -p app -p server

say "building the app for the browser tests"
cargo leptos build

say "Playwright browser tests (Chromium)"
(cd end2end && npx playwright test)

say "all tests passed in $(( $(date +%s) - start ))s"
