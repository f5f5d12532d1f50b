#!/usr/bin/env python3
"""Seeds fuzz/corpus/<target>/ from the example site and the test fixtures (idempotent)."""
import glob
import os

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(here)
os.chdir(root)
md = sorted(glob.glob("content/**/*.md", recursive=True)
            + glob.glob("tests/fixtures/**/*.md", recursive=True))
for target in ("front_matter", "markdown", "build_site"):
    os.makedirs(f"fuzz/corpus/{target}", exist_ok=True)
for i, path in enumerate(md):
    data = open(path, "rb").read()
    for target in ("front_matter", "markdown"):
        open(f"fuzz/corpus/{target}/seed-{i}", "wb").write(data)
briefs = [p for p in md if "/briefs/" in p]
authors = [p for p in md if "/authors/" in p]
pages = [p for p in md if "/pages/" in p] or [briefs[0]]
for i, brief in enumerate(briefs):
    parts = [
        open(brief, "rb").read().replace(b"authors: [", b"authors: [ada-lovelace, "),
        open(authors[i % len(authors)], "rb").read(),
        open(briefs[(i + 3) % len(briefs)], "rb").read(),
        open(pages[i % len(pages)], "rb").read(),
    ]
    if i % 2:
        parts.append(b"[markdown]\nsanitize = true\n")
    open(f"fuzz/corpus/build_site/seed-{i}", "wb").write(b"\xff".join(parts))
print(f"seeded {len(md)} files, {len(briefs)} sites")
