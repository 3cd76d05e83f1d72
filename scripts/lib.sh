# Shared set-up for scripts/run and scripts/test. Every step is idempotent: a warm machine
# skips what is already there. Build output and tools live outside the clone.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/offerdeck/target}"
export PATH="$HOME/.cargo/bin:$PATH"
SITE_DIR="$CARGO_TARGET_DIR/site"
WASM_TARGET_DIR="${OFFERDECK_WASM_TARGET_DIR:-$CARGO_TARGET_DIR-wasm}"
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

# Builds the browser half and assembles the site root (pkg/ + public/). Every step skips work
# whose input has not changed, so a warm start takes seconds: cargo is incremental, wasm-opt
# (about two minutes) runs only when the wasm-bindgen output differs from the one it last
# optimised, and the .br/.gz copies are remade only for files newer than them.
build_site() {
  log "building the WebAssembly client"
  # Its own target directory: the wasm build neither waits for nor invalidates the server's.
  (cd "$ROOT" && CARGO_TARGET_DIR="$WASM_TARGET_DIR" cargo build --lib --target wasm32-unknown-unknown --no-default-features --features hydrate --profile wasm-release)
  local stage="$SITE_DIR/.stage" pkg="$SITE_DIR/pkg"
  mkdir -p "$stage" "$pkg"
  wasm-bindgen --target web --no-typescript --out-dir "$stage" --out-name offerdeck \
    "$WASM_TARGET_DIR/wasm32-unknown-unknown/wasm-release/offerdeck.wasm"
  (cd "$ROOT/editor" && npm_ci_if_needed)
  local sum; sum="$(sha256sum "$stage/offerdeck_bg.wasm" | cut -d' ' -f1)"
  if [ -n "${OFFERDECK_SKIP_WASM_OPT:-}" ]; then
    log "wasm-opt skipped (OFFERDECK_SKIP_WASM_OPT): serving the unoptimised WebAssembly"
    cp "$stage/offerdeck_bg.wasm" "$pkg/offerdeck_bg.wasm"
    rm -f "$stage/wasm.sha256"
  elif [ -f "$pkg/offerdeck_bg.wasm" ] && [ "$(cat "$stage/wasm.sha256" 2>/dev/null)" = "$sum" ]; then
    log "wasm-opt: the WebAssembly is unchanged, keeping the optimised copy"
  else
    log "shrinking the WebAssembly with wasm-opt"
    "$ROOT/editor/node_modules/.bin/wasm-opt" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
      --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
      -o "$pkg/offerdeck_bg.wasm.tmp" "$stage/offerdeck_bg.wasm"
    mv "$pkg/offerdeck_bg.wasm.tmp" "$pkg/offerdeck_bg.wasm"
    echo "$sum" > "$stage/wasm.sha256"
  fi
  cmp -s "$stage/offerdeck.js" "$pkg/offerdeck.js" || cp "$stage/offerdeck.js" "$pkg/offerdeck.js"
  cmp -s "$ROOT/style/main.css" "$pkg/offerdeck.css" || cp "$ROOT/style/main.css" "$pkg/offerdeck.css"
  if [ ! -f "$pkg/code-editor.js" ] || [ -n "$(find "$ROOT/editor/src" "$ROOT/editor/package.json" "$ROOT/editor/package-lock.json" -newer "$pkg/code-editor.js" -print -quit)" ]; then
    log "bundling the code editor (CodeMirror, from npm) and its loader"
    (cd "$ROOT/editor" && OUT_DIR="$pkg" npm run --silent build)
  fi
  # The API reference page's renderer: Redoc's standalone bundle, from npm, served as our own
  # asset. Its sidebar logo is the one thing it fetches from a CDN: point it at an inline image.
  sed 's#https://cdn.redoc.ly/redoc/logo-mini.svg#data:image/svg+xml,%3Csvg xmlns=%22http://www.w3.org/2000/svg%22/%3E#' \
    "$ROOT/editor/node_modules/redoc/bundles/redoc.standalone.js" > "$stage/redoc.js"
  cmp -s "$stage/redoc.js" "$pkg/redoc.js" || cp "$stage/redoc.js" "$pkg/redoc.js"
  cp -Rup "$ROOT/public/." "$SITE_DIR/"
  log "precompressing static files (brotli and gzip)"
  node "$ROOT/scripts/precompress.mjs" "$SITE_DIR"
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
