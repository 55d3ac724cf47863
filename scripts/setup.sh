#!/usr/bin/env bash
# Installs what Clientele needs, skipping what is already there; safe to run any number of times.
# Sourced by start.sh (`setup_build`: only what building and starting need) and test.sh
# (`setup_build` and `setup_test`: the lint tools and the browser tests' packages too).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# The wasm-bindgen-cli that must match the wasm-bindgen library exactly (pinned in Cargo.toml).
wasm_bindgen_version() { grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"$/\1/p'; }
wasm_bindgen_ready() { wasm-bindgen --version 2>/dev/null | grep -q " $(wasm_bindgen_version)\$"; }
install_wasm_bindgen() {
  # Not --locked: its own lockfile names a webpki-roots that crates.io yanked.
  cargo install wasm-bindgen-cli --version "$(wasm_bindgen_version)" --force
}

# Clippy as the compiler of our own crates, warnings denied, in every cargo command that follows
# (scripts/lint.sh). CLIPPY_ARGS is how `cargo clippy` hands clippy-driver its arguments.
# Artifacts built this way are reused only by commands with the same setting: scripts/test.sh
# keeps it for all its cargo commands.
clippy_compiles() {
  export RUSTC_WORKSPACE_WRAPPER=clippy-driver
  export CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"
}

# Building: the wasm32 target, wasm-bindgen-cli (about 2½ minutes to compile, once) and
# binaryen's wasm-opt (npm, into xtask/node_modules). The build itself is `cargo xtask build`.
add_wasm_target() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
}
setup_build() {
  add_wasm_target
  if ! wasm_bindgen_ready; then
    say "installing wasm-bindgen-cli $(wasm_bindgen_version) (one-time, about 2½ minutes)"
    install_wasm_bindgen
  fi
  if [ ! -x xtask/node_modules/.bin/wasm-opt ] || [ xtask/package-lock.json -nt xtask/node_modules/.package-lock.json ]; then
    say "installing binaryen (wasm-opt) from npm"
    (cd xtask && npm ci --no-audit --no-fund)
  fi
}

# Testing: the lint tools, Playwright and Chromium.
setup_test() {
  # cargo-deny checks licenses, duplicate versions and sources offline (scripts/lint.sh); 0.20.2
  # builds with this rustc.
  if ! cargo deny --version 2>/dev/null | grep -q ' 0\.20\.2$'; then
    say "installing cargo-deny 0.20.2 (one-time, a few minutes)"
    cargo install cargo-deny --version 0.20.2 --locked
  fi
  # leptosfmt formats the markup inside view! (scripts/lint.sh); about a minute to build.
  if ! leptosfmt --version 2>/dev/null | grep -q ' 0\.1\.33$'; then
    say "installing leptosfmt 0.1.33 (one-time, about a minute)"
    cargo install leptosfmt --version 0.1.33 --locked
  fi
  # Schemathesis (PyPI, in its own virtualenv) tests the partner API against its document.
  if ! .venv-schemathesis/bin/schemathesis --version 2>/dev/null | grep -q ' 4\.32\.5$'; then
    say "installing Schemathesis 4.32.5 from PyPI (into .venv-schemathesis)"
    python3 -m venv .venv-schemathesis
    .venv-schemathesis/bin/pip install --quiet --disable-pip-version-check schemathesis==4.32.5
  fi
  if [ ! -x end2end/node_modules/.bin/playwright ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
    say "installing npm packages (Playwright, axe)"
    (cd end2end && npm ci --no-audit --no-fund)
  fi
  if ! command -v chromium >/dev/null 2>&1; then
    say "installing Chromium for the browser tests"
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
  fi
}
