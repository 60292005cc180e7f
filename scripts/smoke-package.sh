#!/usr/bin/env bash
# Verifies the package the way users consume it: packs the tarball, checks it with publint and
# @arethetypeswrong/cli, installs it into a throwaway project next to `opentracing` only (no
# client library: the root entry must load without them), then imports every entry point from
# an .mjs and a .cjs file and type-checks a .ts consumer against the shipped declarations.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

rm -f traced-clients-*.tgz
tarball=$(npm pack --silent 2>/dev/null | tail -n 1)
echo "smoke: packed $tarball"

npx --no-install publint run "$tarball" --strict
npx --no-install attw "$tarball" --profile node16 --format table-flipped

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cp "$tarball" "$dir/"
cd "$dir"
cat > package.json <<'JSON'
{ "name": "smoke", "private": true, "type": "commonjs" }
JSON
npm install --silent --no-audit --no-fund "./$tarball" opentracing@0.14.7 >/dev/null

# Every subpath the package exports (except package.json).
entries=$(node -e '
  const exp = require("traced-clients/package.json").exports;
  console.log(Object.keys(exp).filter((k) => k !== "./package.json").map((k) => k === "." ? "traced-clients" : "traced-clients/" + k.slice(2)).join(" "));
')

for entry in $entries; do
  cat > check.mjs <<MJS
import * as mod from '$entry';
import { spanInContext, getCurrentSpan } from 'traced-clients';
const names = Object.keys(mod);
if (names.length === 0) throw new Error('$entry (ESM) exports nothing');
if (spanInContext(null, () => getCurrentSpan()) !== undefined) throw new Error('unexpected current span');
console.log('smoke: ESM  $entry ->', names.length, 'exports');
MJS
  cat > check.cjs <<CJS
const mod = require('$entry');
const names = Object.keys(mod);
if (names.length === 0) throw new Error('$entry (CJS) exports nothing');
console.log('smoke: CJS  $entry ->', names.length, 'exports');
CJS
  node check.mjs
  node check.cjs
done

# ESM and CJS copies share one current span (state on globalThis): a span set through one
# build is seen through the other.
cat > dual.mjs <<'MJS'
import { createRequire } from 'node:module';
import { spanInContext } from 'traced-clients';
import { Span } from 'opentracing';
const cjs = createRequire(import.meta.url)('traced-clients');
const span = new (class extends Span {})();
const seen = spanInContext(span, () => cjs.getCurrentSpan());
if (seen !== span) throw new Error('ESM and CJS builds do not share the current span');
console.log('smoke: ESM and CJS builds share the current span');
MJS
node dual.mjs

# A TypeScript consumer compiles against the shipped declarations, both module systems.
cat > consumer.mts <<'TS'
import { tracedFunction, configure, type TracingOptions } from 'traced-clients';
const add = tracedFunction((a: number, b: number) => a + b, { name: 'add' });
const sum: number = add(1, 2);
configure({ maxStatementLength: 4096 });
const options: TracingOptions = { requireParentSpan: true };
export { sum, options };
TS
cp consumer.mts consumer.cts
sed -i "s/^import { tracedFunction, configure, type TracingOptions } from 'traced-clients';/import tc = require('traced-clients');\nconst { tracedFunction, configure } = tc;\ntype TracingOptions = tc.TracingOptions;/" consumer.cts
sed -i 's/^export { sum, options };/export = { sum, options };/' consumer.cts
# skipLibCheck (the `tsc --init` default): the root's declarations name every client library's
# types, and this project installs none of them; the consumer's own code is fully checked.
"$root/node_modules/.bin/tsc" --noEmit --strict --skipLibCheck --module node16 --moduleResolution node16 \
  --target es2022 --types node --typeRoots "$root/node_modules/@types" consumer.mts consumer.cts
echo "smoke: TypeScript consumers (ESM and CJS) type-check"
echo "smoke: OK"
