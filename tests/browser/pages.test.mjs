// The built pages themselves: valid HTML (the Nu Html Checker over every page), light brief
// pages, screenshots at phone and desktop widths, and a clean print to PDF.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { buildExampleSite, serve, launch, artifacts, htmlFiles } from "./harness.mjs";

const VNU = join(createRequire(import.meta.url).resolve("vnu-jar"), "..", "build", "dist", "vnu.jar");
const LIMIT = 60 * 1024;
let out, site, browser;

before(async () => {
  out = buildExampleSite();
  site = await serve(out);
  browser = await launch();
  mkdirSync(artifacts, { recursive: true });
});

after(async () => {
  await browser?.close();
  site?.close();
});

test("the Nu Html Checker finds no error on any page of the example site", () => {
  const pages = htmlFiles(out);
  const run = spawnSync("java", ["-jar", VNU, "--errors-only", "--format", "json", ...pages.map((p) => join(out, p))], {
    encoding: "utf8",
  });
  assert.ok(run.error === undefined, `java could not run vnu.jar: ${run.error}`);
  const messages = JSON.parse(run.stderr || '{"messages": []}').messages;
  const errors = messages.filter((m) => m.type === "error" || m.subType === "fatal");
  console.log(`vnu: ${errors.length} errors in ${pages.length} pages`);
  assert.equal(
    errors.length,
    0,
    errors.map((e) => `${e.url.slice(out.length + 7)}:${e.lastLine}: ${e.message}\n    ${e.extract ?? ""}`).join("\n"),
  );
});

test("the longest brief's page weighs less than 60 KB of HTML, CSS and JavaScript", async () => {
  const briefs = htmlFiles(out).filter((p) => /^\/briefs\/[^/]+\/index\.html$/.test(p));
  const longest = briefs.sort((a, b) => statSync(join(out, b)).size - statSync(join(out, a)).size)[0];
  const path = longest.replace(/index\.html$/, "");
  const page = await browser.newPage();
  const weights = new Map();
  const hosts = new Set();
  page.on("response", async (response) => {
    hosts.add(new URL(response.url()).host);
    const type = response.request().resourceType();
    if (["document", "stylesheet", "script"].includes(type)) {
      weights.set(response.url(), (await response.body()).length);
    }
  });
  await page.goto(site.url + path, { waitUntil: "networkidle" });
  // Scroll to the end so that lazy images load too: none may come from another host.
  await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
  await page.waitForLoadState("networkidle");
  const total = [...weights.values()].reduce((a, b) => a + b, 0);
  const parts = [...weights].map(([url, bytes]) => `${new URL(url).pathname} ${(bytes / 1024).toFixed(1)} KB`);
  console.log(`page weight of ${path}: ${(total / 1024).toFixed(1)} KB of HTML+CSS+JS (limit 60 KB): ${parts.join(", ")}`);
  assert.ok(total < LIMIT, `${total} bytes`);
  assert.deepEqual([...hosts], [new URL(site.url).host], "nothing from a third party");
  const images = await page.locator("main img").evaluateAll((imgs) =>
    imgs.map((img) => ({ src: img.getAttribute("src"), width: img.getAttribute("width"), height: img.getAttribute("height"), loading: img.loading })),
  );
  for (const image of images) {
    assert.ok(Number(image.width) > 0 && Number(image.height) > 0, `${image.src} has width and height`);
  }
  const figures = images.filter((i) => !i.src.startsWith("/") && !i.src.startsWith("http"));
  assert.ok(figures.length > 0, "the heat pump brief has figures");
  for (const figure of figures) assert.equal(figure.loading, "lazy", `${figure.src} loads lazily`);
  await page.close();
});

test("screenshots of the brief and the home page at 390 px and at desktop width", async () => {
  const shots = [];
  for (const [name, width, height] of [["phone", 390, 844], ["desktop", 1366, 900]]) {
    const context = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    for (const [what, path] of [["home", "/"], ["brief", "/briefs/heat-pump-rollout/"]]) {
      await page.goto(site.url + path, { waitUntil: "networkidle" });
      const file = join(artifacts, `${what}-${name}.png`);
      await page.screenshot({ path: file, fullPage: false });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `${what} at ${width} px scrolls sideways by ${overflow} px`);
      shots.push(file);
    }
    await context.close();
  }
  console.log(`screenshots: ${shots.join(", ")}`);
});

test("printing a brief gives a PDF with its notes and source URLs, without navigation or search", async () => {
  const page = await browser.newPage();
  await page.goto(site.url + "/briefs/heat-pump-rollout/", { waitUntil: "networkidle" });
  await page.emulateMedia({ media: "print" });
  const hidden = await page.evaluate(() =>
    [".site-nav", ".site-search", ".footer-nav", ".toc", ".skip-link"].filter((s) => {
      const el = document.querySelector(s);
      return el && getComputedStyle(el).display !== "none";
    }),
  );
  assert.deepEqual(hidden, [], "navigation and search are not printed");
  const figuresWhole = await page.evaluate(() =>
    [...document.querySelectorAll("figure")].every((f) => ["avoid", "avoid-page"].includes(getComputedStyle(f).breakInside)),
  );
  assert.ok(figuresWhole, "figures are not split across pages");
  const pdf = await page.pdf({ format: "A4", printBackground: false });
  const file = join(artifacts, "brief.pdf");
  writeFileSync(file, pdf);
  assert.equal(pdf.subarray(0, 5).toString(), "%PDF-");
  const text = execFileSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8" }).replace(/\s+/g, " ");
  const notes = await page.locator(".notes li").evaluateAll((lis) => lis.map((li) => li.textContent.replace(/↩.*/s, "").trim()));
  assert.ok(notes.length > 0);
  assert.match(text, /notes/i);
  for (const note of notes) {
    const start = note.replace(/\s+/g, " ").slice(0, 30);
    assert.ok(text.includes(start), `note "${start}" is printed`);
  }
  const urls = await page.locator(".sources a.source-url").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
  assert.ok(urls.length > 0);
  const squashed = text.replace(/ /g, "");
  for (const url of urls) assert.ok(squashed.includes(url), `${url} is printed`);
  assert.doesNotMatch(text, /Search briefs|Skip to content/, "no search box or skip link on paper");
  console.log(`print: ${file} (${(pdf.length / 1024).toFixed(0)} KB), ${notes.length} notes and ${urls.length} source URLs in its text`);
  await page.close();
});

test("the home page's front works without JavaScript: the latest brief, entry points by topic and programme, the latest by topic", async () => {
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const weights = [];
  page.on("response", async (response) => {
    if (["document", "stylesheet", "script"].includes(response.request().resourceType())) {
      weights.push((await response.body()).length);
    }
  });
  await page.goto(site.url + "/", { waitUntil: "networkidle" });
  // The newest brief, as the site's feed lists it, is the one featured, with its summary in the
  // first screen.
  const feed = readFileSync(join(out, "atom.xml"), "utf8");
  const newest = new URL(feed.match(/<entry>[\s\S]*?<link href="([^"]+)"/)[1]).pathname;
  const lead = page.locator(".front-lead");
  assert.equal(await lead.locator("h2 a").getAttribute("href"), newest);
  const summary = await lead.locator(".front-lead-summary").boundingBox();
  assert.ok(summary && summary.y + summary.height <= 900, "the featured summary is in the first screen");
  // Every topic, programme and series is an entry point, each to its own page.
  const topics = readdirSync(join(out, "topics"), { withFileTypes: true }).filter((d) => d.isDirectory()).length;
  assert.equal(await page.locator(".front-topics:not(.front-terms) a").count(), topics);
  for (const key of ["programmes", "series"]) {
    const terms = readdirSync(join(out, key), { withFileTypes: true }).filter((d) => d.isDirectory()).length;
    const links = await page.locator(`.front-terms a[href^="/${key}/"]`).evaluateAll((as) => as.map((a) => a.getAttribute("href")));
    assert.equal(links.length, terms + 1, `${key}: its index and each term`);
  }
  // The latest briefs of each topic, each link to a brief that exists.
  const sections = page.locator(".front-by-topic section");
  assert.equal(await sections.count(), topics);
  const latest = await page.locator(".front-by-topic li a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
  for (const href of latest) assert.ok(statSync(join(out, href, "index.html")).isFile(), href);
  const total = weights.reduce((a, b) => a + b, 0);
  console.log(`home page without JavaScript: ${(total / 1024).toFixed(1)} KB of HTML and CSS`);
  assert.ok(total < LIMIT, `${total} bytes`);
  await context.close();
});
