#!/usr/bin/env python3
"""Edit-to-page benchmark for `folio serve`.

Starts `folio serve` on a site, then edits one brief's title N times. For each edit it measures
the time from the write until the server returns the brief page with the new title, and reads
from the server's output how many pages that rebuild rendered. Prints medians; standard library
only.

    python3 bench/serve_edit.py --site . --brief content/briefs/heat-pump-rollout/index.md
    python3 bench/gen_corpus.py --briefs 1000 --out /tmp/c1k --flavor yaml
    python3 bench/serve_edit.py --site /tmp/c1k --edits 20
"""

from __future__ import annotations

import argparse
import os
import queue
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path


def main() -> int:
    args = parse_args()
    site = Path(args.site).resolve()
    brief = site / args.brief if args.brief else first_brief(site)
    slug = brief.parent.name if brief.name == "index.md" else brief.stem
    original = brief.read_text(encoding="utf-8")
    server = subprocess.Popen(
        [args.folio, "serve", "--root", str(site), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=pump, args=(server.stdout, lines), daemon=True).start()
    try:
        first_build, port = wait_for_start(lines)
        url = f"http://127.0.0.1:{port}/briefs/{slug}/"
        times, pages = [], []
        for i in range(args.edits):
            marker = f"Benchmark edit {i} {os.getpid()}"
            edited = re.sub(r"^title:.*$", f'title: "{marker}"', original, count=1, flags=re.M)
            started = time.perf_counter()
            brief.write_text(edited, encoding="utf-8")
            wait_for_page(url, marker)
            times.append((time.perf_counter() - started) * 1000)
            pages.append(rendered_pages(lines))
            time.sleep(args.pause)
        report(site, slug, first_build, times, pages)
    finally:
        brief.write_text(original, encoding="utf-8")
        server.terminate()
        server.wait(timeout=10)
    return 0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", required=True, help="the site's folder")
    parser.add_argument("--brief", help="the brief to edit, relative to the site (default: the first)")
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--pause", type=float, default=0.3, help="seconds between edits")
    parser.add_argument("--folio", default=str(Path(__file__).resolve().parent.parent / "target/release/folio"))
    return parser.parse_args()


def first_brief(site: Path) -> Path:
    briefs = sorted((site / "content" / "briefs").glob("*.md"))
    if not briefs:
        sys.exit("no brief files in content/briefs/")
    return briefs[0]


def pump(stream, lines: queue.Queue) -> None:
    for line in stream:
        lines.put(line.rstrip("\n"))


def wait_for_start(lines: queue.Queue) -> tuple[str, int]:
    first_build = ""
    while True:
        line = lines.get(timeout=600)
        if line.startswith("first build"):
            first_build = line
        found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if found:
            return first_build, int(found.group(1))


def wait_for_page(url: str, marker: str, limit: float = 30.0) -> None:
    deadline = time.perf_counter() + limit
    while time.perf_counter() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if marker in response.read().decode("utf-8", "replace"):
                    return
        except OSError:
            pass
        time.sleep(0.002)
    sys.exit(f"{url} never showed {marker!r}")


def rendered_pages(lines: queue.Queue) -> int:
    deadline = time.perf_counter() + 10
    while time.perf_counter() < deadline:
        try:
            line = lines.get(timeout=0.5)
        except queue.Empty:
            continue
        found = re.search(r"rendered (\d+) pages", line)
        if found:
            return int(found.group(1))
    return -1


def report(site: Path, slug: str, first_build: str, times: list[float], pages: list[int]) -> None:
    print(f"site: {site}  brief: {slug}  edits: {len(times)}")
    print(f"{first_build}")
    print(
        f"edit-to-page ms: median {statistics.median(times):.1f}  "
        f"min {min(times):.1f}  max {max(times):.1f}"
    )
    print(f"pages re-rendered per edit: median {statistics.median(pages):.0f}  (each edit: {pages})")


if __name__ == "__main__":
    sys.exit(main())
