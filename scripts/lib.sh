# Shared by scripts/dev and scripts/test: install what the build needs, skipping what is there.
# Everything here works offline except for the package registries (crates.io, npm, Debian).

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

CARGO_LEPTOS_VERSION=0.3.11
export PATH="$ROOT/tools/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

step() { printf '\n==> %s\n' "$*"; }

# The wasm-bindgen CLI must be exactly the version of the wasm-bindgen crate in Cargo.lock.
locked_wasm_bindgen_version() {
  awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock
}

ensure_build_tools() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    step "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi

  if ! cargo leptos --version 2>/dev/null | grep -qF "$CARGO_LEPTOS_VERSION"; then
    # no_downloads: use the wasm-bindgen and wasm-opt installed below instead of fetching
    # binaries from GitHub. Its lockfile wants a newer rustc for one crate, which builds fine.
    step "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 15 minutes on 2 cores, once)"
    cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked \
      --features no_downloads --ignore-rust-version
  fi

  local wb
  wb=$(locked_wasm_bindgen_version)
  if ! wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $wb"; then
    # Not --locked: its own lockfile names a crate version the registry no longer serves.
    step "installing wasm-bindgen-cli $wb"
    cargo install wasm-bindgen-cli --version "$wb" --force
  fi

  # wasm-opt from npm's binaryen: Debian's binaryen is too old and its output never hydrates.
  if [ ! -x tools/node_modules/.bin/wasm-opt ]; then
    step "installing wasm-opt (npm binaryen)"
    (cd tools && npm ci --no-audit --no-fund)
  fi
}

ensure_nextest() {
  if ! cargo nextest --version >/dev/null 2>&1; then
    step "installing cargo-nextest (the test runner)"
    cargo install cargo-nextest --locked
  fi
}

ensure_chromium() {
  if [ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
    export CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
    return
  fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "error: Chromium is missing; install Debian's chromium package (or set CHROMIUM_PATH)" >&2
    exit 1
  fi
  step "installing Debian's Chromium"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  export CHROMIUM_PATH=/usr/bin/chromium
}

ensure_playwright() {
  if [ ! -d end2end/node_modules/@playwright/test ]; then
    step "installing Playwright (npm; browsers are not downloaded, Debian's Chromium is used)"
    (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
  fi
}
