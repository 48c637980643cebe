#!/usr/bin/env bash
# Refreshes the explorer's vendored libraries in web/vendor/ from their npm packages.
#
#   web/refresh-vendor.sh                      # the pinned versions below
#   CYTOSCAPE=3.35.0 CODEMIRROR=5.65.21 web/refresh-vendor.sh
#
# Needs npm (it only runs `npm pack`, which downloads a package's tarball; nothing is
# installed and no package script runs). Copies the prebuilt files the explorer uses, each
# package's LICENSE, and writes a VERSION file; src/server/explorer.rs embeds them in `kg`.
# After a refresh: cargo test --release --test explorer, and look at the page.
set -euo pipefail
CYTOSCAPE="${CYTOSCAPE:-3.35.0}"
CODEMIRROR="${CODEMIRROR:-5.65.21}"
here="$(cd "$(dirname "$0")" && pwd)"
vendor="$here/vendor"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

fetch() { # name version -> $tmp/name/package
  mkdir -p "$tmp/$1"
  (cd "$tmp/$1" && npm pack --silent "$1@$2" >/dev/null && tar xzf ./*.tgz)
}

fetch cytoscape "$CYTOSCAPE"
rm -rf "$vendor/cytoscape" && mkdir -p "$vendor/cytoscape"
cp "$tmp/cytoscape/package/dist/cytoscape.min.js" "$tmp/cytoscape/package/LICENSE" "$vendor/cytoscape/"
echo "cytoscape $CYTOSCAPE (npm), MIT" > "$vendor/cytoscape/VERSION"

fetch codemirror "$CODEMIRROR"
cm="$tmp/codemirror/package"
rm -rf "$vendor/codemirror" && mkdir -p "$vendor/codemirror"
for f in lib/codemirror.js lib/codemirror.css mode/cypher/cypher.js \
  addon/edit/matchbrackets.js addon/edit/closebrackets.js \
  addon/hint/show-hint.js addon/hint/show-hint.css \
  addon/display/placeholder.js addon/comment/comment.js LICENSE; do
  cp "$cm/$f" "$vendor/codemirror/$(basename "$f")"
done
echo "codemirror $CODEMIRROR (npm), MIT" > "$vendor/codemirror/VERSION"
echo "vendored: cytoscape $CYTOSCAPE, codemirror $CODEMIRROR"
