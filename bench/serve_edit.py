#!/usr/bin/env python3
"""Edit-to-page benchmark for `folio serve`.

Starts `folio serve` on a site, then edits one brief's title N times. For each edit it measures
the time from the write until the server returns the brief page with the new title, and until
the server has published the pages that list it (listings, feeds, sources pages), which it
renders just after; it reads from the server's output how many pages each step rendered. It
also times the server's start, from launch to the first page served and to every page
rendered (the first build renders pages as they are asked for, the rest in the background;
the edits start after), and with --build two
`folio build`s of the same site to compare (the first may fill the build cache, which a
rebuilt folio misses, the second finds it). Prints medians; standard library only.

    python3 bench/serve_edit.py --site . --brief content/briefs/heat-pump-rollout/index.md
    python3 bench/gen_corpus.py --briefs 1000 --out /tmp/c1k --flavor yaml
    python3 bench/serve_edit.py --site /tmp/c1k --edits 20 --build
"""

from __future__ import annotations

import argparse
import os
import queue
import re
import statistics
import subprocess
import sys
import tempfile
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
    build_ms = [time_build(args.folio, site) for _ in range(2)] if args.build else []
    launched = time.perf_counter()
    server = subprocess.Popen(
        [args.folio, "serve", "--root", str(site), "--port", str(args.port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue[tuple[float, str]] = queue.Queue()
    threading.Thread(target=pump, args=(server.stdout, lines), daemon=True).start()
    try:
        first_build, port = wait_for_start(lines)
        url = f"http://127.0.0.1:{port}/briefs/{slug}/"
        wait_for_page(url, "</html>")
        first_page_ms = (time.perf_counter() - launched) * 1000
        # The first build's other pages render in the background; edits start once they are done.
        all_pages_ms = (wait_for_line(lines, "first build: rendered all") - launched) * 1000
        startup = Startup(first_build, first_page_ms, all_pages_ms, build_ms)
        edits = []
        for i in range(args.edits):
            marker = f"Benchmark edit {i} {os.getpid()}"
            edited = re.sub(r"^title:.*$", f'title: "{marker}"', original, count=1, flags=re.M)
            started = time.perf_counter()
            brief.write_text(edited, encoding="utf-8")
            wait_for_page(url, marker)
            page_ms = (time.perf_counter() - started) * 1000
            edits.append(Edit(page_ms, *rebuild_steps(lines, started)))
            time.sleep(args.pause)
        report(site, slug, startup, edits)
    finally:
        brief.write_text(original, encoding="utf-8")
        server.terminate()
        server.wait(timeout=10)
    return 0


class Startup:
    """The server's start, and `folio build` of the same site when timed."""

    def __init__(self, first_build: str, first_page_ms: float, all_pages_ms: float, build_ms: list[float]):
        self.first_build = first_build
        self.first_page_ms = first_page_ms
        self.all_pages_ms = all_pages_ms
        self.build_ms = build_ms


class Edit:
    """One edit: until its brief page was served, and each step's pages and end."""

    def __init__(self, page_ms: float, own: int, more: int, all_ms: float):
        self.page_ms = page_ms
        self.own = own
        self.more = more
        self.all_ms = all_ms


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", required=True, help="the site's folder")
    parser.add_argument("--brief", help="the brief to edit, relative to the site (default: the first)")
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--pause", type=float, default=0.3, help="seconds between edits")
    parser.add_argument("--build", action="store_true", help="also time two `folio build`s of the site")
    parser.add_argument(
        "--port",
        type=int,
        default=1111,
        help="the port to serve on (default: folio's own). A brief's citation names the preview's "
        "address, so a new port formats every citation again, as an author's first preview does",
    )
    parser.add_argument("--folio", default=str(Path(__file__).resolve().parent.parent / "target/release/folio"))
    return parser.parse_args()


def first_brief(site: Path) -> Path:
    briefs = sorted((site / "content" / "briefs").glob("*.md"))
    if not briefs:
        sys.exit("no brief files in content/briefs/")
    return briefs[0]


def time_build(folio: str, site: Path) -> float:
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        subprocess.run(
            [folio, "build", "--root", str(site), "--output", str(Path(out) / "public")],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        return (time.perf_counter() - started) * 1000


def pump(stream, lines: queue.Queue) -> None:
    for line in stream:
        lines.put((time.perf_counter(), line.rstrip("\n")))


def wait_for_start(lines: queue.Queue) -> tuple[str, int]:
    first_build = ""
    while True:
        _, line = lines.get(timeout=600)
        if line.startswith("first build"):
            first_build = line
        found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if found:
            return first_build, int(found.group(1))


def wait_for_line(lines: queue.Queue, start: str) -> float:
    """When the server printed a line starting with `start`."""
    while True:
        at, line = lines.get(timeout=600)
        if line.startswith(start):
            return at


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


def rebuild_steps(lines: queue.Queue, started: float) -> tuple[int, int, float]:
    """The pages the rebuild rendered first (the brief's own) and after (the pages listing
    it), and ms from the edit until the last step was published."""
    own = more = -1
    finished = started
    deadline = time.perf_counter() + 10
    while time.perf_counter() < deadline and more < 0:
        try:
            at, line = lines.get(timeout=0.5)
        except queue.Empty:
            continue
        later = re.search(r": then rendered (\d+) pages? ", line)
        first = re.search(r": rendered (\d+) pages? in", line)
        if later:
            more, finished = int(later.group(1)), at
        elif first:
            own, finished = int(first.group(1)), at
    return own, max(more, 0), (finished - started) * 1000


def report(site: Path, slug: str, startup: Startup, edits: list[Edit]) -> None:
    page_ms = [e.page_ms for e in edits]
    all_ms = [e.all_ms for e in edits]
    print(f"site: {site}  brief: {slug}  edits: {len(edits)}")
    print(startup.first_build)
    print(f"serve start to first page served: {startup.first_page_ms:.0f} ms")
    print(f"serve start to every page rendered: {startup.all_pages_ms:.0f} ms")
    if startup.build_ms:
        first, second = startup.build_ms
        print(f"folio build of the same site: {first:.0f} ms, then {second:.0f} ms with its cache")
    print(f"edit-to-page ms: median {statistics.median(page_ms):.1f}  min {min(page_ms):.1f}  max {max(page_ms):.1f}")
    print(
        f"edit-to-all-pages ms (listings published): median {statistics.median(all_ms):.1f}  "
        f"min {min(all_ms):.1f}  max {max(all_ms):.1f}"
    )
    totals = [e.own + e.more for e in edits]
    print(
        f"pages re-rendered per edit: median {statistics.median(totals):.0f}  "
        f"(each edit, own + after: {[f'{e.own}+{e.more}' for e in edits]})"
    )


if __name__ == "__main__":
    sys.exit(main())
