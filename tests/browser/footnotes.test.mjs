// Footnotes in place: a focused reference shows its note in a popover that Esc dismisses, and
// without JavaScript the reference still jumps to the note and back.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { buildExampleSite, serve, launch } from "./harness.mjs";

const BRIEF = "/briefs/gp-access-deprived-areas/";
let site, browser;

before(async () => {
  site = await serve(buildExampleSite());
  browser = await launch();
});

after(async () => {
  await browser?.close();
  site?.close();
});

test("focusing a note reference shows the note; Esc hides it", async () => {
  const page = await browser.newPage();
  await page.goto(site.url + BRIEF);
  const ref = page.locator('a[role="doc-noteref"]').first();
  const noteId = (await ref.getAttribute("href")).slice(1);
  const noteText = (await page.locator(`[id="${noteId}"]`).innerText()).replace("↩", "").trim().slice(0, 40);
  const popover = page.locator(".note-popover");
  assert.equal(await popover.isVisible(), false, "hidden at first");
  await page.keyboard.press("Tab");
  await ref.focus();
  await popover.waitFor({ state: "visible", timeout: 2000 });
  assert.ok((await popover.innerText()).includes(noteText), "the popover shows the note's text");
  assert.equal(await ref.getAttribute("aria-describedby"), "note-popover");
  await page.keyboard.press("Escape");
  await popover.waitFor({ state: "hidden", timeout: 2000 });
  await page.close();
});

test("hovering keeps the popover while the pointer moves onto it", async () => {
  const page = await browser.newPage();
  await page.goto(site.url + BRIEF);
  const ref = page.locator('a[role="doc-noteref"]').first();
  await ref.hover();
  const popover = page.locator(".note-popover");
  await popover.waitFor({ state: "visible", timeout: 2000 });
  await popover.hover();
  await page.waitForTimeout(600);
  assert.equal(await popover.isVisible(), true, "persistent while hovered (WCAG 1.4.13)");
  await page.close();
});

test("without JavaScript a reference jumps to its note and the note jumps back", async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(site.url + BRIEF);
  const ref = page.locator('a[role="doc-noteref"]').first();
  const refId = await ref.getAttribute("id");
  const noteId = (await ref.getAttribute("href")).slice(1);
  await ref.click();
  assert.equal(new URL(page.url()).hash, "#" + noteId);
  assert.equal(await page.locator(`[id="${noteId}"]`).isVisible(), true);
  assert.equal(await page.locator(".note-popover").count(), 0, "no popover without JavaScript");
  await page.locator(`[id="${noteId}"] a[role="doc-backlink"]`).first().click();
  assert.equal(new URL(page.url()).hash, "#" + refId);
  await context.close();
});
