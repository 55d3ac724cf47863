#!/usr/bin/env bash
# Installs whatever Clientele needs to build, run and test, skipping what is already there.
# Sourced by start.sh and test.sh; safe to run any number of times.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# wasm-opt (npm package binaryen) must come before any older system copy.
export PATH="$ROOT/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# cargo-leptos 0.3.10 is the newest that builds with this rustc; no_downloads makes it use the
# wasm-bindgen and wasm-opt on PATH instead of fetching its own.
if ! cargo leptos --version 2>/dev/null | grep -q ' 0\.3\.10$'; then
  say "installing cargo-leptos 0.3.10 (one-time, about 20 minutes)"
  cargo install cargo-leptos --version 0.3.10 --locked --features no_downloads
fi

# wasm-bindgen-cli must match the wasm-bindgen library exactly (pinned in Cargo.toml).
WASM_BINDGEN_VERSION="$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"$/\1/p')"
if ! wasm-bindgen --version 2>/dev/null | grep -q " ${WASM_BINDGEN_VERSION}\$"; then
  say "installing wasm-bindgen-cli ${WASM_BINDGEN_VERSION}"
  cargo install wasm-bindgen-cli --version "${WASM_BINDGEN_VERSION}" --force
fi

# cargo-deny checks licenses, duplicate versions and sources offline (scripts/lint.sh); 0.20.2 builds
# with this rustc.
if ! cargo deny --version 2>/dev/null | grep -q ' 0\.20\.2$'; then
  say "installing cargo-deny 0.20.2 (one-time, a few minutes)"
  cargo install cargo-deny --version 0.20.2 --locked
fi

# leptosfmt formats the markup inside view! (scripts/lint.sh); about a minute to build.
if ! leptosfmt --version 2>/dev/null | grep -q ' 0\.1\.33$'; then
  say "installing leptosfmt 0.1.33 (one-time, about a minute)"
  cargo install leptosfmt --version 0.1.33 --locked
fi

if [ ! -x end2end/node_modules/.bin/playwright ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
  say "installing npm packages (Playwright, binaryen)"
  (cd end2end && npm ci --no-audit --no-fund)
fi

if ! command -v chromium >/dev/null 2>&1; then
  say "installing Chromium for the browser tests"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
