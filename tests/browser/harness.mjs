// Shared by the browser tests: build the example site once, serve it on loopback, and launch
// Debian's Chromium (never a downloaded browser build). A missing browser fails loudly.
import { chromium } from "playwright-core";
import { execFileSync } from "node:child_process";
import { createServer } from "node:http";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, extname, normalize, resolve } from "node:path";

export const repo = resolve(new URL("../..", import.meta.url).pathname);
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";

const TYPES = {
  ".html": "text/html; charset=utf-8", ".css": "text/css", ".js": "text/javascript",
  ".svg": "image/svg+xml", ".xml": "application/xml", ".txt": "text/plain", ".json": "application/json",
  ".bib": "text/plain", ".ris": "text/plain", ".pdf": "application/pdf",
};

const scratches = [];
process.on("exit", () => scratches.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A fresh folder under the system's temporary folder, removed when the test file's process
 * ends (each test file runs in its own process). */
export function scratch(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  scratches.push(dir);
  return dir;
}

/** Runs folio with `args`: the binary named by FOLIO_BIN, or the release build through cargo.
 * Throws when it exits non-zero (the error holds its status and, when piped, its output). */
export function folio(args, options = {}) {
  const [command, ...cargo] = process.env.FOLIO_BIN
    ? [process.env.FOLIO_BIN]
    : ["cargo", "run", "--quiet", "--release", "--"];
  return execFileSync(command, [...cargo, ...args], {
    cwd: repo,
    stdio: ["ignore", "inherit", "inherit"],
    ...options,
  });
}

/** Builds the site at `root` into `out` (its `public` folder unless named); returns `out`. */
export function buildSite(root, out = join(root, "public")) {
  folio(["build", "--root", root, "--output", out]);
  return out;
}

/** Builds the example site into a fresh folder; returns the folder. */
export function buildExampleSite() {
  return buildSite(repo, join(scratch("folio-e2e-"), "public"));
}

/** Serves a folder on a free loopback port, as a static host would. */
export async function serve(root) {
  const server = createServer((req, res) => {
    let path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    path = normalize(path).replace(/^(\.\.[/\\])+/, "");
    let file = join(root, path);
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, "index.html");
    if (!file.startsWith(root) || !existsSync(file)) {
      res.writeHead(404, { "content-type": TYPES[".html"] });
      res.end(readFileSync(join(root, "404.html")));
      return;
    }
    res.writeHead(200, { "content-type": TYPES[extname(file)] || "application/octet-stream" });
    res.end(readFileSync(file));
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => server.close() };
}

/** Launches Debian's Chromium headless, with the flags this closed network needs. */
export async function launch() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: install Debian's chromium package (apt-get install chromium)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
}

/**
 * The address's fragment once a fragment link's navigation has landed. Playwright's key press
 * or click can return before it does (CI once read the old hash), so this polls for the
 * expected fragment for up to two seconds, then returns whatever is there for the assertion.
 */
export async function hashAfterNavigation(page, expected) {
  const deadline = Date.now() + 2000;
  let hash = new URL(page.url()).hash;
  while (hash !== expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    hash = new URL(page.url()).hash;
  }
  return hash;
}

/** Where the suite leaves screenshots and PDFs for people to look at (gitignored). */
export const artifacts = join(repo, "tests", "browser", "artifacts");

/** One page of each kind the site has, as paths from the site's root. */
export const PAGE_TYPES = {
  home: "/",
  brief: "/briefs/heat-pump-rollout/",
  "brief (notes, no figures)": "/briefs/gp-access-deprived-areas/",
  authors: "/authors/",
  author: "/authors/amara-okafor/",
  topics: "/topics/",
  topic: "/topics/housing/",
  taxonomy: "/programmes/",
  term: "/series/net-zero-homes/",
  sources: "/sources/",
  "sources domain": "/sources/gov-uk/",
  search: "/search/",
  "search with results": "/search/?q=installers",
  "standalone page": "/about/",
  "404": "/404.html",
};

/** Every HTML file under a folder, as paths relative to it. */
export function htmlFiles(root, dir = root) {
  const found = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...htmlFiles(root, path));
    else if (name.endsWith(".html")) found.push(path.slice(root.length));
  }
  return found.sort();
}
