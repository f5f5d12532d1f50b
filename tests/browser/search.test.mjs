// Search: folio's own index finds a brief by a word of its body as it is typed, the filters
// narrow the results and count them, the address follows through back and forward, the arrow
// keys move through the results, a result links to its matching section, a misspelt word gets
// a "did you mean", and without JavaScript the page is a list of ways in.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildExampleSite, buildSite, serve, launch, scratch } from "./harness.mjs";

let site, browser;

before(async () => {
  site = await serve(buildExampleSite());
  browser = await launch();
});

after(async () => {
  await browser?.close();
  site?.close();
});

// Waits for a count of results ("2 results found…"), not "No briefs found": after a filter
// changes, the previous search's "No briefs found." is still shown until the new one ends.
// The count is shown before the results (up to 10) are added, so those are waited for too.
async function resultTitles(page) {
  const status = page.locator("#search-status").filter({ hasText: /^\d+ results? found/ });
  await status.waitFor({ timeout: 10000 });
  const shown = Math.min(parseInt(await status.innerText(), 10), 10);
  await page.waitForFunction(
    (n) => document.querySelectorAll(".search-result-title a").length === n,
    shown,
    { timeout: 10000 },
  );
  return page.locator(".search-result-title a").allInnerTexts();
}

test("a word from one brief's body finds it; filtering by another topic removes it", async () => {
  const page = await browser.newPage();
  await page.goto(site.url + "/");
  // The header's search box leads to the search page with the query.
  await page.locator("#site-search-q").fill("installers");
  await page.locator("#site-search-q").press("Enter");
  await page.waitForURL(/\/search\/\?q=installers/);
  const titles = await resultTitles(page);
  assert.equal(titles.length, 1, titles.join(", "));
  assert.match(titles[0], /^Warmer Homes, Lower Bills/, "the heat pump brief, and only it");
  const first = page.locator(".search-result").first();
  assert.match(await first.locator(".search-result-meta").innerText(), /2025/, "the date is shown");
  assert.match(await first.locator(".search-result-meta").innerText(), /Amara Okafor/, "the authors are shown");
  assert.match((await first.locator(".search-result-excerpt mark").first().innerText()).toLowerCase(), /^instal/, "a word of the same stem is highlighted");
  assert.equal(new URL(await first.locator("a").getAttribute("href"), site.url).pathname, "/briefs/heat-pump-rollout/");

  await page.locator("#search-topic").selectOption("Digital Governance");
  await page.locator("#search-status").filter({ hasText: /No briefs found/ }).waitFor({ timeout: 10000 });
  assert.equal(await page.locator(".search-result").count(), 0, "filtered out by topic");
  assert.match(page.url(), /topic=Digital\+Governance/, "the address keeps the filter");

  await page.locator("#search-topic").selectOption("Housing");
  assert.match((await resultTitles(page)).join(), /^Warmer Homes, Lower Bills[^,]*$/);
  await page.close();
});

test("filters alone list the briefs of one author and year", async () => {
  const page = await browser.newPage();
  await page.goto(site.url + "/search/?author=Amara+Okafor&year=2025");
  const titles = await resultTitles(page);
  assert.ok(titles.some((t) => t.startsWith("Warmer Homes, Lower Bills")), titles.join(", "));
  for (const meta of await page.locator(".search-result-meta").allInnerTexts()) {
    assert.match(meta, /Amara Okafor/);
    assert.match(meta, /2025/);
  }
  assert.equal(await page.locator("#search-author").inputValue(), "Amara Okafor", "the form shows the filter");
  await page.close();
});

test("without JavaScript the search page links every topic and author", async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(site.url + "/search/?q=installers");
  assert.equal(await page.locator("#search-nojs").isVisible(), true, "it says why there are no results");
  const links = await page.locator(".search-browse a").evaluateAll((as) => as.map((a) => a.pathname));
  assert.ok(links.includes("/topics/housing/"), "topics are linked");
  assert.ok(links.includes("/authors/amara-okafor/"), "authors are linked");
  for (const href of links) {
    const response = await page.request.get(site.url + href);
    assert.equal(response.status(), 200, `${href} resolves`);
  }
  await context.close();
});

test("results come as a word is typed, its last word matched as a prefix", async () => {
  const page = await browser.newPage();
  await page.goto(site.url + "/search/");
  await page.locator("#search-q").pressSequentially("installe", { delay: 30 });
  const titles = await resultTitles(page);
  assert.ok(titles.some((t) => t.startsWith("Warmer Homes, Lower Bills")), titles.join(", "));
  assert.match(page.url(), /\?q=installe$/, "the address follows the box");
  assert.match(await page.locator("#search-status").getAttribute("aria-live"), /polite/);
  await page.close();
});

test("filters show their counts for the current results and the address goes back and forward", async () => {
  const page = await browser.newPage();
  await page.goto(site.url + "/search/?q=heat");
  const all = (await resultTitles(page)).length;
  // The counts come once the filter lists are loaded, after the first results.
  await page.waitForFunction(() =>
    [...document.querySelectorAll("#search-topic option")].some((o) => /\(\d+\)$/.test(o.textContent)));
  const options = await page.locator("#search-topic option").allInnerTexts();
  const housing = options.find((o) => o.startsWith("Housing"));
  assert.match(housing, /^Housing \((\d+)\)$/, options.join(" | "));
  const counted = parseInt(housing.match(/\((\d+)\)/)[1], 10);
  assert.ok(counted >= 1 && counted <= all, `${counted} of ${all}`);
  await page.locator("#search-topic").selectOption("Housing");
  await page.waitForURL(/topic=Housing/);
  assert.equal((await resultTitles(page)).length, counted, "the count was the filtered results' number");
  await page.goBack();
  await page.waitForURL((url) => !url.search.includes("topic="));
  assert.equal(await page.locator("#search-topic").inputValue(), "", "back clears the filter");
  assert.equal((await resultTitles(page)).length, all);
  await page.goForward();
  await page.waitForURL(/topic=Housing/);
  assert.equal(await page.locator("#search-topic").inputValue(), "Housing");
  assert.equal((await resultTitles(page)).length, counted);
  await page.close();
});

test("arrow keys move from the box through the results and back", async () => {
  const page = await browser.newPage();
  await page.goto(site.url + "/search/?q=heat");
  const titles = await resultTitles(page);
  assert.ok(titles.length >= 2, titles.join(", "));
  await page.locator("#search-q").focus();
  await page.keyboard.press("ArrowDown");
  const focused = () => page.evaluate(() => document.activeElement.textContent);
  assert.equal(await focused(), titles[0]);
  await page.keyboard.press("ArrowDown");
  assert.equal(await focused(), titles[1]);
  await page.keyboard.press("ArrowUp");
  await page.keyboard.press("ArrowUp");
  assert.equal(await page.evaluate(() => document.activeElement.id), "search-q");
  await page.close();
});

test("a result found by a heading links to that section of the brief", async () => {
  const page = await browser.newPage();
  await page.goto(site.url + "/search/?q=hesitate");
  await resultTitles(page);
  const link = page.locator(".search-result-section a").first();
  const href = await link.getAttribute("href");
  const url = new URL(href, site.url);
  assert.equal(url.pathname, "/briefs/heat-pump-rollout/");
  assert.ok(url.hash.length > 1, href);
  await link.click();
  await page.waitForURL(/#/);
  const target = await page.evaluate((id) => document.getElementById(id)?.textContent, decodeURIComponent(url.hash.slice(1)));
  assert.match(target, /hesitate/i, "the anchor is the matching heading");
  await page.close();
});

test("a misspelt word gets a did-you-mean that leads to results", async () => {
  const page = await browser.newPage();
  await page.goto(site.url + "/search/?q=instalers+");
  const suggestion = page.locator("#search-suggestion a");
  await suggestion.waitFor({ timeout: 10000 });
  assert.match(await suggestion.innerText(), /installers/);
  await suggestion.click();
  const titles = await resultTitles(page);
  assert.ok(titles.some((t) => t.startsWith("Warmer Homes, Lower Bills")), titles.join(", "));
  await page.close();
});

test("every brief's exact title finds that brief first", async () => {
  const page = await browser.newPage();
  await page.goto(site.url + "/");
  const links = await page.$$eval("main a[href^='/briefs/']", (as) => as.map((a) => a.getAttribute("href")));
  const briefs = [];
  for (const href of new Set(links.filter((h) => /^\/briefs\/[^/]+\/$/.test(h)))) {
    await page.goto(site.url + href);
    briefs.push((await page.locator("h1").innerText()).trim());
  }
  assert.ok(briefs.length >= 4, briefs.join(" | "));
  for (const title of briefs) {
    await page.goto(`${site.url}/search/?q=${encodeURIComponent(title)}`);
    const found = await resultTitles(page);
    assert.equal(found[0], title, `"${title}" finds ${found.join(" | ")}`);
  }
  await page.close();
});

// Titles with the same words in another order, or in another form ("Tariffs" stems as
// "Tariff"), each with a body that says the title's words more often than its twin's does:
// without the exact title put first, the twin would rank above it.
const TWINS = [
  ["Measuring Pathway Floor in North America", "Measuring Floor Pathway in North America"],
  ["Beyond the Tariff: A Transparent Approach to Trade and Tariffs", "Beyond the Regulation: A Transparent Approach to Trade and Tariffs"],
];

function writeTwinsSite(dir) {
  mkdirSync(join(dir, "content/briefs"), { recursive: true });
  mkdirSync(join(dir, "content/authors"), { recursive: true });
  writeFileSync(join(dir, "site.toml"), `title = "Twin Institute"\nbase_url = "https://twins.example.org"\n[pdf]\nenabled = false\n`);
  writeFileSync(join(dir, "content/authors/ann.md"), "---\nname: Ann Author\n---\n\nBio.\n");
  TWINS.flat().forEach((title, i) => {
    const said = i % 2 ? `${title}. `.repeat(12) : "A short body on other matters.";
    writeFileSync(
      join(dir, `content/briefs/twin-${i}.md`),
      `---\ntitle: "${title}"\ndate: 2025-0${i + 1}-01\nauthors: [ann]\nsummary: "A brief."\n---\n\n${said}\n`,
    );
  });
}

test("a title with the same words in another order or form as another's still finds its own brief first", async () => {
  const root = scratch("folio-twins-");
  writeTwinsSite(root);
  const twins = await serve(buildSite(root));
  const page = await browser.newPage();
  try {
    for (const [title, twin] of TWINS) {
      await page.goto(`${twins.url}/search/?q=${encodeURIComponent(title)}`);
      const found = await resultTitles(page);
      assert.ok(found.includes(twin), `"${title}" finds its twin too: ${found.join(" | ")}`);
      assert.equal(found[0], title, `"${title}" finds ${found.join(" | ")}`);
    }
  } finally {
    await page.close();
    twins.close();
  }
});
