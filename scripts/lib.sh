# Shared set-up for scripts/run and scripts/test. Every step is idempotent: a warm machine
# skips what is already there. Build output and tools live outside the clone.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/offerdeck/target}"
export PATH="$HOME/.cargo/bin:$PATH"
SITE_DIR="$CARGO_TARGET_DIR/site"
# Must equal the wasm-bindgen version pinned in Cargo.toml.
WASM_BINDGEN_VERSION=0.2.130

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "need root for: $*" >&2; return 1; fi
}

ensure_rust() {
  command -v cargo >/dev/null || { echo "cargo not found: install Rust with rustup first" >&2; exit 1; }
  if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    log "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
}

ensure_wasm_bindgen() {
  if ! wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION\$"; then
    log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (a few minutes, once)"
    # --locked fails here: the registry copy lags the lock file by a patch release.
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
  fi
}

# Builds the browser half and assembles the site root (pkg/ + public/).
build_site() {
  log "building the WebAssembly client"
  (cd "$ROOT" && cargo build --lib --target wasm32-unknown-unknown --no-default-features --features hydrate --profile wasm-release)
  mkdir -p "$SITE_DIR/pkg"
  wasm-bindgen --target web --no-typescript --out-dir "$SITE_DIR/pkg" --out-name offerdeck \
    "$CARGO_TARGET_DIR/wasm32-unknown-unknown/wasm-release/offerdeck.wasm"
  cp "$ROOT/style/main.css" "$SITE_DIR/pkg/offerdeck.css"
  log "bundling the code editor (CodeMirror, from npm)"
  (cd "$ROOT/editor" && npm_ci_if_needed && OUT="$SITE_DIR/pkg/editor.js" npm run --silent build)
  log "shrinking the WebAssembly with wasm-opt"
  local wasm="$SITE_DIR/pkg/offerdeck_bg.wasm"
  "$ROOT/editor/node_modules/.bin/wasm-opt" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
    -o "$wasm.opt" "$wasm" && mv "$wasm.opt" "$wasm"
  cp -R "$ROOT/public/." "$SITE_DIR/"
}

# npm ci when node_modules is missing or older than the lock file.
npm_ci_if_needed() {
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
  fi
}

ensure_chromium() {
  if ! command -v chromium >/dev/null; then
    log "installing Debian's Chromium"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
}

ensure_node() {
  if ! command -v npm >/dev/null; then
    log "installing Node.js and npm"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
  fi
}
