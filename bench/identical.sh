#!/usr/bin/env bash
# Checks that an optimisation changed no output: builds each site with folio as of BASE (a git
# revision) and with the working tree, and compares the two outputs byte for byte.
#
#   bench/identical.sh BASE [SITE ...]      # SITE defaults to the example site (the repo root)
#   bench/identical.sh main~3 . /tmp/folio-bench/corpus-1000-yaml
#
# Exits 0 when every file is the same in both outputs, 1 (listing the differences) otherwise.
set -euo pipefail

base=${1:?usage: bench/identical.sh BASE [SITE ...]}
shift
repo=$(cd "$(dirname "$0")/.." && pwd)
sites=("$@")
[ ${#sites[@]} -eq 0 ] && sites=("$repo")

work=$(mktemp -d /tmp/folio-identical.XXXXXX)
trap 'git -C "$repo" worktree remove --force "$work/base" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

echo "building folio at $base and at the working tree"
git -C "$repo" worktree add --detach "$work/base" "$base" >/dev/null
# A target folder of its own for BASE. (One folder for both let cargo take the two trees'
# sources for the same crate and keep one binary: both builds were then the same folio, and
# every comparison passed.)
(cd "$work/base" && CARGO_TARGET_DIR="$repo/target/identical-base" cargo build --release --quiet) \
  && cp "$repo/target/identical-base/release/folio" "$work/folio-base"
(cd "$repo" && cargo build --release --quiet) && cp "$repo/target/release/folio" "$work/folio-new"
if cmp -s "$work/folio-base" "$work/folio-new"; then
  echo "warning: folio at $base and the working tree built the same binary" >&2
fi

status=0
for site in "${sites[@]}"; do
  site=$(cd "$site" && pwd)
  for build in base new; do
    "$work/folio-$build" build --root "$site" --output "$work/out-$build" >/dev/null
  done
  files=$(find "$work/out-new" -type f | wc -l)
  if diff -r -q "$work/out-base" "$work/out-new"; then
    echo "identical: $site ($files files)"
  else
    echo "DIFFERENT: $site"
    status=1
  fi
  rm -rf "$work/out-base" "$work/out-new"
done
exit $status
