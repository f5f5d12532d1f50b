// Print: a brief printed to PDF in Chromium reads like a publication. Read back with poppler's
// pdftotext (text per page) and pdftoppm (ink per page): no URL twice in a row, no web-only
// "Cited in", page numbers in the margin, and pages before Notes not left half empty.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { buildExampleSite, serve, launch, artifacts, scratch } from "./harness.mjs";

const BRIEF = "/briefs/heat-pump-rollout/";
let site, browser, pdf, pages;

before(async () => {
  site = await serve(buildExampleSite());
  browser = await launch();
  const page = await browser.newPage();
  await page.goto(site.url + BRIEF);
  mkdirSync(artifacts, { recursive: true });
  pdf = join(artifacts, "brief-print.pdf");
  writeFileSync(pdf, await page.pdf({ format: "A4", printBackground: false }));
  await page.close();
  pages = execFileSync("pdftotext", ["-layout", pdf, "-"], { encoding: "utf8" }).split("\f").filter((p) => p.trim());
});

after(async () => {
  await browser?.close();
  site?.close();
});

test("no URL is printed twice in a row and nothing says 'Cited in'", () => {
  const text = pages.join("\n");
  const urls = [...text.matchAll(/https?:\/\/[^\s)]+/g)].map((m) => m[0].replace(/[.,;]$/, ""));
  assert.ok(urls.length > 0, "the Sources list prints its addresses");
  for (let i = 1; i < urls.length; i++) assert.notEqual(urls[i], urls[i - 1], `printed twice in a row: ${urls[i]}`);
  assert.ok(!/Cited in/i.test(text), "no web-only 'Cited in'");
});

test("every page has its number and the short title in the margins", () => {
  assert.ok(pages.length >= 2, `a multi-page brief (${pages.length} pages)`);
  pages.forEach((text, i) => {
    // pdftotext may drop the spaces around the slash at this size, as fonts differ between
    // machines (seen with Chromium 148's Liberation and DejaVu fonts: "1/8").
    assert.match(text, new RegExp(`\\b${i + 1} ?/ ?${pages.length}\\b`), `page ${i + 1} is numbered`);
    assert.match(text, /Warmer Homes, Lower Bills/, `page ${i + 1} carries the short title`);
  });
});

/** Rows of each page (as 50 dpi greyscale) from the top margin's end to the bottom margin's
 * start, and the last row with ink: the rest of the page's text area is empty. */
function emptyShareAtBottom(first, last) {
  const dir = scratch("folio-print-");
  execFileSync("pdftoppm", ["-r", "50", "-gray", "-f", String(first), "-l", String(last), pdf, join(dir, "p")]);
  let empty = 0, area = 0;
  for (const name of readdirSync(dir).sort()) {
    const data = readFileSync(join(dir, name));
    const header = data.toString("latin1", 0, 64).split(/\s+/);
    const [width, height] = [Number(header[1]), Number(header[2])];
    const offset = data.length - width * height;
    const top = Math.round(height * 2.2 / 29.7), bottom = Math.round(height * (29.7 - 2.4) / 29.7);
    let lastInk = top;
    for (let y = top; y < bottom; y++) {
      const row = data.subarray(offset + y * width, offset + (y + 1) * width);
      if (row.some((v) => v < 200)) lastInk = y;
    }
    empty += bottom - lastInk;
    area += bottom - top;
  }
  return empty / area;
}

test("pages before Notes are filled: under 25 % of their text area left empty", () => {
  const notesPage = pages.findIndex((text) => /^\s*notes\s*$/im.test(text)) + 1;
  assert.ok(notesPage > 1, `Notes start on page ${notesPage}`);
  const share = emptyShareAtBottom(1, notesPage - 1);
  console.log(`# empty share of pages 1–${notesPage - 1} before Notes: ${(share * 100).toFixed(1)} %`);
  assert.ok(share < 0.25, `empty share ${(share * 100).toFixed(1)} %`);
});
