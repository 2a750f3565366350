# Installs what Deploy Dojo needs, skipping whatever is already there. Sourced by scripts/serve
# and scripts/test; every function is idempotent and fast when its tool is present.
#
# Versions are pinned: trunk here, wasm-bindgen from Cargo.lock (it must match exactly), npm
# packages from package-lock.json. Nothing is downloaded from outside the package registries.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TRUNK_VERSION="0.21.14"
WASM_SPLIT_VERSION="0.2.4"

export PATH="$ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

ensure_rust_tools() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    step "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  for component in rustfmt clippy; do
    if ! rustup component list --installed | grep -q "^$component"; then
      step "adding rustup component $component"
      rustup component add "$component"
    fi
  done
}

ensure_trunk() {
  if [ "$(trunk --version 2>/dev/null || true)" != "trunk $TRUNK_VERSION" ]; then
    step "installing trunk $TRUNK_VERSION (about 8 minutes on a fresh machine)"
    # trunk 0.22 needs a newer rustc than this machine kind has; 0.21.14 builds with --locked.
    cargo install trunk --version "$TRUNK_VERSION" --locked
  fi
}

# The wasm-bindgen version Cargo.lock resolved; the CLI must be exactly this version.
locked_wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock"
}

ensure_wasm_bindgen() {
  local wanted
  wanted="$(locked_wasm_bindgen_version)"
  if [ -z "$wanted" ]; then
    echo "setup: Cargo.lock has no wasm-bindgen entry; run 'cargo generate-lockfile'" >&2
    exit 1
  fi
  if [ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $wanted" ]; then
    step "installing wasm-bindgen-cli $wanted (about 4 minutes on a fresh machine)"
    # No --locked: its lock file wants a crate version this registry lacks.
    cargo install wasm-bindgen-cli --version "$wanted" --force
  fi
}

# The splitter of the release build (scripts/build.mjs), from the crate wasm_split_cli_support.
ensure_wasm_split() {
  if ! cargo install --list | grep -qx "wasm_split_cli_support v$WASM_SPLIT_VERSION:"; then
    step "installing wasm-split-cli $WASM_SPLIT_VERSION (about 3 minutes on a fresh machine)"
    cargo install wasm_split_cli_support --version "$WASM_SPLIT_VERSION" --features build-binary --locked
  fi
}

ensure_npm_packages() {
  # npm ci when node_modules is missing or older than the lock file.
  if [ ! -f "$ROOT/node_modules/.package-lock.json" ] || [ "$ROOT/package-lock.json" -nt "$ROOT/node_modules/.package-lock.json" ]; then
    step "installing npm packages from package-lock.json (wasm-opt, playwright-core)"
    (cd "$ROOT" && npm ci --no-audit --no-fund)
  fi
}

ensure_chromium() {
  if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    step "installing Chromium and ChromeDriver from Debian"
    as_root apt-get update
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver
  fi
}

# What the release build (scripts/build.mjs) and the browser tests need.
ensure_build_tools() {
  ensure_rust_tools
  ensure_npm_packages
  ensure_wasm_bindgen
  ensure_wasm_split
}

# What the development loop (`scripts/serve --dev`, Trunk) needs.
ensure_dev_tools() {
  ensure_rust_tools
  ensure_npm_packages
  ensure_wasm_bindgen
  ensure_trunk
}
