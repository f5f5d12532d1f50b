#!/usr/bin/env python3
"""The preview server under load: `folio serve` on loopback while a loop edits a brief every
100 ms and wrk sends concurrent requests. Fails on any failed request, any torn or mixed page
(see check.lua), or memory that keeps growing. Prints the figures.

  tests/load/preview_load.py --folio target/release/folio [--connections 1000] [--seconds 30]
"""
import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

BRIEF = """---
title: "Load edit {n}"
date: 2025-03-01
authors: [amara-okafor]
topics: [Housing]
summary: A brief rewritten every 100 ms by the load test.
---

load-top-{n}

A paragraph with a note.[^a] And a [source](https://example.org/load).

{filler}

load-bottom-{n}

[^a]: The note of edit {n}.
"""


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def first_answer(url):
    """None when the page answers 200, else what went wrong, with the server's error text."""
    try:
        urllib.request.urlopen(url, timeout=30).read()
        return None
    except urllib.error.HTTPError as err:
        text = re.sub(r"<[^>]+>", " ", err.read().decode("utf-8", "replace"))
        return f"HTTP {err.code}: {' '.join(text.split())[:2000]}"
    except OSError as err:
        return str(err)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--folio", default=os.path.join(REPO, "target/release/folio"))
    ap.add_argument("--connections", type=int, default=1000)
    ap.add_argument("--seconds", type=int, default=30)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = max(soft, min(hard, args.connections * 2 + 1024))
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))

    work = tempfile.mkdtemp(prefix="folio-load-")
    site = os.path.join(work, "site")
    os.makedirs(site)
    # Everything the example site reads: its settings, briefs, theme and house citation style.
    for part in ("site.toml", "content", "themes", "styles"):
        source = os.path.join(REPO, part)
        (shutil.copytree if os.path.isdir(source) else shutil.copy)(source, os.path.join(site, part))
    brief = os.path.join(site, "content/briefs/load-test.md")
    filler = "\n\n".join(f"Filler paragraph {i} about heat pumps and rents." for i in range(200))
    with open(brief, "w") as f:
        f.write(BRIEF.format(n=0, filler=filler))

    server = subprocess.Popen(
        [args.folio, "serve", "--root", site, "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    url = None
    deadline = time.time() + 120
    while time.time() < deadline and url is None:
        line = server.stdout.readline()
        found = re.search(r"at (http://127\.0\.0\.1:\d+)/", line)
        url = found and found.group(1)
    if not url:
        server.kill()
        sys.exit("folio serve did not start")
    threading.Thread(target=lambda: [None for _ in server.stdout], daemon=True).start()
    first = first_answer(url + "/briefs/load-test/")
    if first is not None:
        server.kill()
        sys.exit(f"folio serve cannot show the brief before any load: {first}")

    stop = threading.Event()
    edits = [0]

    def edit():
        while not stop.is_set():
            edits[0] += 1
            tmp = brief + ".tmp"
            with open(tmp, "w") as f:
                f.write(BRIEF.format(n=edits[0], filler=filler))
            os.replace(tmp, brief)  # an editor's atomic save
            time.sleep(0.1)

    samples = []

    def sample():
        while not stop.is_set():
            samples.append((time.time(), rss_kib(server.pid)))
            time.sleep(1)

    editor = threading.Thread(target=edit)
    sampler = threading.Thread(target=sample)
    time.sleep(1)
    baseline = rss_kib(server.pid)
    editor.start()
    sampler.start()
    wrk = subprocess.run(
        ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.seconds}s",
         "--timeout", "10s", "--latency", "-s", os.path.join(HERE, "check.lua"), url + "/"],
        capture_output=True, text=True)
    stop.set()
    editor.join()
    sampler.join()
    alive = server.poll() is None
    server.kill()
    server.wait()
    shutil.rmtree(work, ignore_errors=True)

    out = wrk.stdout
    print(out)
    problems = []
    if wrk.returncode != 0:
        problems.append(f"wrk failed: {wrk.stderr}")
    if not alive:
        problems.append("the server died")
    if "Socket errors" in out:
        problems.append("socket errors: " + re.search(r"Socket errors:.*", out).group(0))
    if "Non-2xx or 3xx" in out:
        problems.append("non-2xx responses: " + re.search(r"Non-2xx.*", out).group(0))
    checks = dict(re.findall(r"(\w+)=(\d+)", (re.search(r"CHECKS.*", out) or [""])[0]))
    checks = {k: int(v) for k, v in checks.items()}
    for key in ("bad_status", "torn", "mixed"):
        if checks.get(key, 1):
            problems.append(f"{key} = {checks.get(key)}")
    if not checks.get("checked"):
        problems.append("no page of the edited brief was checked")
    if checks.get("builds", 0) < 2:
        problems.append("the edited brief was never seen rebuilt under load")
    requests = int(re.search(r"(\d+) requests in", out).group(1)) if "requests in" in out else 0

    rss = [kib for _, kib in samples if kib]
    third = max(1, len(rss) // 3)
    early, late = sum(rss[:third]) / third, sum(rss[-third:]) / third
    print(f"edits: {edits[0]} ({edits[0] / args.seconds:.1f}/s); requests: {requests} "
          f"({requests / args.seconds:.0f}/s); pages checked for one build: {checks.get('checked')}; "
          f"versions of the brief served: {checks.get('builds')}")
    print(f"RSS: before load {baseline / 1024:.1f} MiB; first third {early / 1024:.1f} MiB; "
          f"last third {late / 1024:.1f} MiB; peak {max(rss or [0]) / 1024:.1f} MiB")
    # Steady: no growth from the first third of the run to the last beyond noise.
    if late > early * 1.5 + 20 * 1024:
        problems.append(f"memory grew from {early / 1024:.1f} to {late / 1024:.1f} MiB")
    if problems:
        print("FAILED:\n  " + "\n  ".join(problems))
        sys.exit(1)
    print("ok: no failed request, no torn or mixed page, memory steady")


if __name__ == "__main__":
    main()
