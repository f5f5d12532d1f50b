#!/usr/bin/env python3
"""Every Atom feed of a built site passes Python's feedparser without a bozo error.

    python3 tests/feeds/check_feedparser.py public

Checks each feed has entries with titles, links under the site's base URL, authors and dates.
"""

import sys
from pathlib import Path

import feedparser


def main(output: Path) -> int:
    feeds = sorted(output.rglob("atom.xml"))
    if not feeds:
        print(f"no atom.xml under {output}", file=sys.stderr)
        return 1
    failures = 0
    entries = 0
    for path in feeds:
        parsed = feedparser.parse(path.read_bytes())
        problems = []
        if parsed.bozo:
            problems.append(f"bozo: {parsed.bozo_exception!r}")
        if parsed.version != "atom10":
            problems.append(f"version {parsed.version!r}, not atom10")
        for entry in parsed.entries:
            if not entry.get("title") or not entry.get("link", "").startswith("http"):
                problems.append(f"entry without title or absolute link: {entry.get('id')}")
            if not entry.get("authors") or not entry.get("updated"):
                problems.append(f"entry without authors or date: {entry.get('id')}")
        entries += len(parsed.entries)
        if problems:
            failures += 1
            print(f"FAIL {path.relative_to(output)}: " + "; ".join(problems), file=sys.stderr)
    print(f"feedparser: {len(feeds)} feeds, {entries} entries, {failures} with problems")
    print(f"{len(feeds) - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "public")))
