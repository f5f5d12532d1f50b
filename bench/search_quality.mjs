// Search against Pagefind on the same built site, in headless Chromium: how far the two agree
// (top-10 overlap per query), whether each brief's exact title finds it first, whether a
// misspelt word gets a "did you mean" that leads to results, how many bytes a query downloads
// before its first results (as a gzip-ing host would serve them) and how long after the last
// keystroke they appear. Run by bench/search_quality.sh, which builds the site and Pagefind's
// index; by hand:
//
//   node bench/search_quality.mjs SITE [--queries bench/search-queries.txt] [--titles N]
//
// SITE is a folio output folder with Pagefind's index in SITE/pagefind/ (made with the
// selectors in search_quality.sh, so both index the brief's own text).
import { launch, serve } from "../tests/browser/harness.mjs";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : fallback;
};
const site = resolve(args[0]);
const here = new URL(".", import.meta.url).pathname;
const queries = readFileSync(option("--queries", join(here, "search-queries.txt")), "utf8")
  .split("\n")
  .filter((line) => line.trim() && !line.startsWith("#"))
  .map((line) => {
    const [q, ...filters] = line.split("\t");
    return { q, filters: Object.fromEntries(filters.map((f) => f.split("="))) };
  });
const titleSample = Number(option("--titles", "1000000"));

const server = await serve(site);
const browser = await launch();
const gzipped = new Map();
const served = (path) => {
  if (!gzipped.has(path)) gzipped.set(path, gzipSync(readFileSync(join(site, path))).length);
  return gzipped.get(path);
};

// folio: the search page itself, as a reader uses it; the results are read from the page.
const page = await browser.newPage();
let fetched = [];
page.on("request", (request) => {
  const path = new URL(request.url()).pathname;
  if (path.startsWith("/search/index/")) fetched.push(path);
});
await page.goto(`${server.url}/search/`);

async function folioSearch(q, filters = {}) {
  const params = new URLSearchParams({ q, ...filters });
  fetched = [];
  await page.goto(`${server.url}/search/?${params}`);
  // The count is shown first, then the results as their cards arrive: wait for all of the
  // first page (up to 10).
  await page.waitForFunction(() => {
    const status = document.getElementById("search-status").textContent;
    if (/No briefs/.test(status)) return true;
    const count = parseInt(status, 10);
    return count > 0 && document.querySelectorAll(".search-result").length === Math.min(count, 10);
  });
  const urls = await page.$$eval(".search-result-title a", (links) => links.map((a) => new URL(a.href).pathname));
  return { urls, bytes: [...new Set(fetched)].reduce((sum, path) => sum + served(path), 0), files: new Set(fetched).size };
}

// Pagefind: its own script in a blank page of the same site, all results' URLs.
const reference = await browser.newPage();
await reference.goto(`${server.url}/404.html`);
await reference.evaluate(async () => {
  window.pf = await import("/pagefind/pagefind.js");
  await window.pf.init();
});
async function pagefindSearch(q) {
  return reference.evaluate(async (q) => {
    const found = await window.pf.search(q);
    const top = await Promise.all(found.results.slice(0, 200).map((r) => r.data()));
    return top.map((d) => new URL(d.url, location.href).pathname);
  }, q);
}

// The documents of each filter value, from folio's index (Pagefind has no filter data on
// these pages): Pagefind's results are filtered by them, keeping its order.
const manifest = JSON.parse(readFileSync(join(site, "search/index/manifest.json"), "utf8"));
const filterLists = JSON.parse(readFileSync(join(site, "search/index", manifest.filters), "utf8"));
const chunkNames = manifest.documentHashes.match(/.{8}/g).map((hash, n) => `documents-${n}-${hash}.json`);
const cards = chunkNames.flatMap((name) => JSON.parse(readFileSync(join(site, "search/index", name), "utf8")));
const urlsWith = (name, value) => {
  let doc = 0;
  return new Set((filterLists[name]?.[value] || []).map((gap) => cards[(doc += gap)].url));
};

const isBrief = (url) => url.startsWith("/briefs/");
const top10 = (urls) => urls.filter(isBrief).slice(0, 10);
let overlapSum = 0;
const sizes = [];
console.log("query | folio top 10 | shared with Pagefind | KB before first results (gzip) | files");
for (const { q, filters } of queries) {
  const ours = await folioSearch(q, filters);
  let theirs = await pagefindSearch(q);
  for (const [name, value] of Object.entries(filters)) {
    const allowed = urlsWith(name, value);
    theirs = theirs.filter((url) => allowed.has(url));
  }
  const [a, b] = [top10(ours.urls), top10(theirs)];
  const shared = a.filter((url) => b.includes(url)).length;
  const overlap = Math.max(a.length, b.length) === 0 ? 1 : shared / Math.max(a.length, b.length);
  overlapSum += overlap;
  sizes.push(ours.bytes);
  const label = [q, ...Object.entries(filters).map(([k, v]) => `${k}=${v}`)].join(" ");
  console.log(`${label} | ${a.length} | ${shared}/${Math.max(a.length, b.length)} | ${(ours.bytes / 1024).toFixed(1)} | ${ours.files}`);
}
console.log(`\nmean top-10 overlap with Pagefind over ${queries.length} queries: ${(100 * overlapSum / queries.length).toFixed(1)} %`);
sizes.sort((x, y) => x - y);
console.log(`bytes before first results: median ${(sizes[sizes.length >> 1] / 1024).toFixed(1)} KB, max ${(sizes.at(-1) / 1024).toFixed(1)} KB`);

// Latency on a warm page: the last keystroke to the results, for one-word queries typed.
await page.goto(`${server.url}/search/`);
const latencies = [];
for (const { q } of queries.filter((x) => !x.q.includes(" ")).slice(0, 12)) {
  await page.fill("#search-q", "");
  await page.waitForFunction(() => document.getElementById("search-status").textContent === "");
  latencies.push(await page.evaluate(async (q) => {
    const box = document.getElementById("search-q");
    const status = document.getElementById("search-status");
    const list = document.getElementById("search-results");
    box.value = q;
    const typed = performance.now();
    box.dispatchEvent(new Event("input", { bubbles: true }));
    await new Promise((done) => {
      const seen = () => list.querySelector(".search-result") || /No briefs/.test(status.textContent);
      const check = () => (seen() ? done() : requestAnimationFrame(check));
      check();
    });
    return performance.now() - typed;
  }, q));
}
latencies.sort((x, y) => x - y);
console.log(`keystroke to results (warm page, ${latencies.length} queries): median ${latencies[latencies.length >> 1].toFixed(0)} ms, max ${latencies.at(-1).toFixed(0)} ms`);

// Every brief's exact title finds it first.
// A brief that shares its title with another counts when either comes first: no query can
// tell them apart.
const briefs = cards.filter((card) => isBrief(card.url)).slice(0, titleSample);
const titleOf = new Map(cards.map((card) => [card.url, card.title]));
let [first, shared] = [0, 0];
const missed = [];
for (const card of briefs) {
  const { urls } = await folioSearch(card.title);
  if (urls[0] === card.url) first += 1;
  else if (titleOf.get(urls[0]) === card.title) shared += 1;
  else missed.push(card.title);
}
const sharing = shared ? ` (${shared} of them by another brief of the same title)` : "";
const listed = missed.length ? `; missed: ${missed.slice(0, 5).join(" | ")}` : "";
console.log(`exact title first: ${first + shared} of ${briefs.length}${sharing}${listed}`);

// A misspelt word: the suggestion, and the results it leads to.
const misspelt = "goverance";
await page.goto(`${server.url}/search/?q=${misspelt}`);
await page.waitForFunction(() => /found|No briefs/.test(document.getElementById("search-status").textContent));
const suggestion = page.locator("#search-suggestion a");
const suggested = (await suggestion.count()) ? await suggestion.innerText() : null;
let ledTo = 0;
if (suggested) {
  await suggestion.click();
  await page.waitForSelector(".search-result");
  ledTo = await page.locator(".search-result").count();
}
console.log(`"${misspelt}": did you mean ${suggested ? `"${suggested}" → ${ledTo} results shown` : "nothing"}`);

await browser.close();
server.close();
