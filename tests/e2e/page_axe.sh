#!/usr/bin/env bash
# The server's pages as a reader sees them: a sample page made with every
# helper of core/view/page.h (tests/view/page_sample.c) opened in headless
# Chromium, where axe-core must find no serious or critical accessibility
# violation at a desktop width or a phone's, and a phone must not need a
# sideways scroll (tests/e2e/page_axe.js). Keeps screenshots under the
# build folder. Fails (never skips) without chromium, node or the npm
# tools: scripts/install-deps installs them.
set -euo pipefail
src=${CASEBOOK_SOURCE_DIR:?}
sample=${PAGE_SAMPLE:?}
build=$(cd "$(dirname "${CASEBOOK:?}")" && pwd)
art=$build/test-artefacts/page_axe
fail() { echo "page_axe: FAIL: $*" >&2; exit 1; }

command -v chromium >/dev/null 2>&1 || fail "chromium is not installed: run scripts/install-deps"
command -v node >/dev/null 2>&1 || fail "node is not installed: run scripts/install-deps"
for m in puppeteer-core axe-core; do
  [ -d "$src/build-node/node_modules/$m" ] ||
    fail "$m is not installed in $src/build-node: run scripts/install-deps (it needs the npm registry)"
done
rm -rf "$art"
mkdir -p "$art"
"$sample" "$art" || fail "the sample page could not be written"
NODE_DIR=$src/build-node node "$src/tests/e2e/page_axe.js" "$art/page.html" "$art" ||
  fail "the sample page (above)"
echo "page_axe: screenshots $art/page-desktop.png, $art/page-phone.png"
