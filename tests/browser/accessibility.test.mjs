// Accessibility: axe-core's WCAG 2.2 A and AA rules on every kind of page in light and dark
// colour schemes, a skip link and landmarks everywhere, headings in order, visible focus, and
// the footnote round trip by keyboard alone.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { buildExampleSite, hashAfterNavigation, serve, launch, PAGE_TYPES } from "./harness.mjs";

const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];
let site, browser;

before(async () => {
  site = await serve(buildExampleSite());
  browser = await launch();
});

after(async () => {
  await browser?.close();
  site?.close();
});

async function axe(page) {
  await page.addScriptTag({ content: AXE });
  return page.evaluate(async (tags) => {
    const result = await window.axe.run(document, { runOnly: { type: "tag", values: tags } });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(" ")}: ${n.failureSummary}`),
    }));
  }, TAGS);
}

test("axe-core finds no WCAG 2.2 A/AA violation on any kind of page, light or dark", async () => {
  let checked = 0;
  const report = [];
  for (const colorScheme of ["light", "dark"]) {
    const context = await browser.newContext({ colorScheme });
    const page = await context.newPage();
    for (const [kind, path] of Object.entries(PAGE_TYPES)) {
      await page.goto(site.url + path);
      if (path.includes("?q=")) await page.locator(".search-result").first().waitFor({ timeout: 10000 });
      const violations = await axe(page);
      checked += 1;
      for (const v of violations) report.push(`${colorScheme} ${kind} (${path}): ${v.id} [${v.impact}] ${v.help}\n    ${v.nodes.join("\n    ")}`);
    }
    await context.close();
  }
  console.log(`axe-core: ${report.length} violations on ${checked} pages (${Object.keys(PAGE_TYPES).length} kinds × light and dark)`);
  assert.equal(report.length, 0, report.join("\n"));
});

test("every page has a skip link to main, landmarks, one h1 and no skipped heading level", async () => {
  const page = await browser.newPage();
  for (const [kind, path] of Object.entries(PAGE_TYPES)) {
    await page.goto(site.url + path);
    const facts = await page.evaluate(() => ({
      skip: document.querySelector("body > a.skip-link")?.getAttribute("href"),
      main: document.querySelectorAll("main#main").length,
      banner: document.querySelectorAll("body > header").length,
      contentinfo: document.querySelectorAll("body > footer").length,
      nav: document.querySelectorAll("nav[aria-label]").length,
      levels: [...document.querySelectorAll("h1, h2, h3, h4, h5, h6")]
        .filter((h) => h.getClientRects().length > 0 || h.closest("[hidden]") === null)
        .map((h) => Number(h.tagName[1])),
    }));
    assert.equal(facts.skip, "#main", `${kind}: skip link`);
    assert.equal(facts.main, 1, `${kind}: one main`);
    assert.equal(facts.banner, 1, `${kind}: a banner`);
    assert.equal(facts.contentinfo, 1, `${kind}: a contentinfo`);
    assert.ok(facts.nav >= 1, `${kind}: labelled navigation`);
    assert.equal(facts.levels.filter((l) => l === 1).length, 1, `${kind}: one h1`);
    assert.equal(facts.levels[0], 1, `${kind}: the h1 comes first`);
    facts.levels.forEach((level, i) => {
      if (i > 0) assert.ok(level <= facts.levels[i - 1] + 1, `${kind}: h${facts.levels[i - 1]} then h${level}`);
    });
  }
  await page.close();
});

test("the skip link is the first stop and shows when focused; focus is always visible", async () => {
  const page = await browser.newPage();
  await page.goto(site.url + "/briefs/heat-pump-rollout/");
  await page.keyboard.press("Tab");
  const skip = await page.evaluate(() => {
    const el = document.activeElement;
    const box = el.getBoundingClientRect();
    return { cls: el.className, top: box.top, bottom: box.bottom };
  });
  assert.equal(skip.cls, "skip-link");
  assert.ok(skip.bottom > 0, "the focused skip link is on screen");
  await page.keyboard.press("Enter");
  assert.equal(await page.evaluate(() => document.activeElement.id), "main", "Enter moves focus to main");
  // Every one of the first 25 tab stops draws an outline.
  for (let i = 0; i < 25; i++) {
    await page.keyboard.press("Tab");
    const outline = await page.evaluate(() => {
      const style = getComputedStyle(document.activeElement);
      return { tag: document.activeElement.tagName, width: parseFloat(style.outlineWidth), style: style.outlineStyle };
    });
    if (outline.tag === "BODY") break;
    assert.ok(outline.style !== "none" && outline.width >= 2, `tab stop ${i + 1} (${outline.tag}) has a visible focus outline`);
  }
  await page.close();
});

test("keyboard alone: note reference → note → back link returns to the reference", async () => {
  const page = await browser.newPage();
  await page.goto(site.url + "/briefs/gp-access-deprived-areas/");
  const ref = page.locator('a[role="doc-noteref"]').first();
  const refId = await ref.getAttribute("id");
  const noteId = (await ref.getAttribute("href")).slice(1);
  await ref.focus();
  await page.keyboard.press("Enter");
  assert.equal(await hashAfterNavigation(page, "#" + noteId), "#" + noteId);
  // From the note, Tab reaches its back link (after any links inside the note).
  let onBackLink = false;
  for (let i = 0; i < 15 && !onBackLink; i++) {
    await page.keyboard.press("Tab");
    onBackLink = await page.evaluate((id) => {
      const el = document.activeElement;
      return el.getAttribute("role") === "doc-backlink" && el.closest("li")?.id === id;
    }, noteId);
  }
  assert.ok(onBackLink, "the note's back link is reached by Tab");
  await page.keyboard.press("Enter");
  assert.equal(await hashAfterNavigation(page, "#" + refId), "#" + refId, "back at the reference");
  await page.close();
});
