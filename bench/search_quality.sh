#!/bin/sh
# Builds a generated corpus with folio, makes Pagefind's index of the same pages, and runs
# bench/search_quality.mjs over both (see bench/README.md).
#
#   pip install "pagefind[bin]"; cargo build --release
#   (cd tests/browser && npm ci --ignore-scripts)
#   bench/search_quality.sh [BRIEFS] [--titles N]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
briefs=${1:-1000}
[ $# -gt 0 ] && shift
work=${FOLIO_BENCH_DIR:-/tmp/folio-bench}
corpus="$work/corpus-$briefs-yaml"
site="$work/search-site-$briefs"
[ -d "$corpus" ] || python3 "$here/gen_corpus.py" --briefs "$briefs" --out "$corpus" --flavor yaml
rm -rf "$site"
FOLIO_CACHE_DIR= "$here/../target/release/folio" build --root "$corpus" --output "$site" >/dev/null
# Pagefind indexes the brief's own text, as folio does: the article without the related
# briefs, the citation box, the sources list and the authors' biographies.
python3 -m pagefind --site "$site" --glob 'briefs/*/index.html' --root-selector 'article.brief' \
  --exclude-selectors '.related' --exclude-selectors '.cite-as' --exclude-selectors '.sources' \
  --exclude-selectors '.about-authors' --exclude-selectors '.brief-aside' --quiet
node "$here/search_quality.mjs" "$site" "$@"
