#!/usr/bin/env bash
# Builds the npm package `cwfinance` into bindings/wasm/pkg/:
#   pkg/web/   wasm-bindgen --target web     (the browser; ES module, `await init()`)
#   pkg/node/  wasm-bindgen --target nodejs  (Node; loads synchronously)
#   pkg/index.js, pkg/node.js, pkg/api.js    the thin typed API over either
#   pkg/types.d.ts, pkg/index.d.ts           types generated from the core's JSON Schemas
# then checks the types (no `any`, `tsc --strict` on a typed usage file) and the gzipped size.
#
# Tools: scripts/install-wasm-tools (wasm32 target, wasm-bindgen-cli, npm ci for wasm-opt and tsc).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$here"

PROFILE=wasm-release
MAX_GZIP_BYTES=$((600 * 1024))
target_dir="$(cd "$root" && cargo metadata --format-version 1 --no-deps | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')"
raw_wasm="$target_dir/wasm32-unknown-unknown/$PROFILE/cwfinance_wasm.wasm"
bin="$here/node_modules/.bin"
[ -x "$bin/wasm-opt" ] || { echo "npm dev tools missing: run scripts/install-wasm-tools" >&2; exit 1; }

step() { printf '\n-- %s\n' "$*"; }

step "cargo build (wasm32-unknown-unknown, profile $PROFILE)"
(cd "$root" && cargo build ${CARGO_LOCKED-"--locked"} -p cwfinance-wasm --lib --target wasm32-unknown-unknown --profile "$PROFILE")

rm -rf pkg
mkdir -p pkg
for target in web nodejs; do
  step "wasm-bindgen --target $target"
  wasm-bindgen "$raw_wasm" --target "$target" --out-dir "pkg/${target%js}" --out-name cwfinance_wasm
done
step "wasm-opt (web and node, in parallel)"
# The features are those rustc enables by default for wasm32-unknown-unknown; wasm-opt must
# know them to read the module. (Debian's binaryen 108 breaks the module: npm's is used.)
pids=()
for dir in pkg/web pkg/node; do
  "$bin/wasm-opt" -O3 --strip-debug --strip-producers \
    --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "$dir/cwfinance_wasm_bg.wasm" -o "$dir/cwfinance_wasm_bg.wasm" &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done
# wasm-bindgen's nodejs glue is CommonJS; mark its folder so inside this ESM package.
echo '{"type": "commonjs"}' > pkg/node/package.json

step "TypeScript types from the core's JSON Schemas"
schema_dir="$target_dir/wasm-schema"
rm -rf "$schema_dir"
(cd "$root" && cargo run --quiet ${CARGO_LOCKED-"--locked"} -p cwfinance-cli -- schema --out "$schema_dir" >/dev/null)
node scripts/gen-types.mjs "$schema_dir" pkg/types.d.ts
cp js/api.js js/index.js js/node.js js/index.d.ts js/node.d.ts pkg/

step "type checks: no public type is any; tsc --strict on a typed usage file"
node scripts/check-types.mjs pkg
"$bin/tsc" -p test/types/tsconfig.json

step "size"
wasm_file=pkg/web/cwfinance_wasm_bg.wasm
raw_bytes=$(wc -c < "$wasm_file")
gz_bytes=$(gzip -9 -c "$wasm_file" | wc -c)
awk -v r="$raw_bytes" -v g="$gz_bytes" -v l=$((MAX_GZIP_BYTES / 1024)) \
  'BEGIN { printf "cwfinance_wasm_bg.wasm: %d bytes, %d bytes gzipped (%.1f KiB; limit %d KiB)\n", r, g, g / 1024, l }'
if [ "$gz_bytes" -ge "$MAX_GZIP_BYTES" ]; then
  echo "error: the gzipped wasm is over the limit" >&2
  exit 1
fi
