// Footnotes in place: a focused reference shows its note in a popover that Esc dismisses, and
// without JavaScript the reference still jumps to the note and back.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { buildExampleSite, hashAfterNavigation, serve, launch } from "./harness.mjs";

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
  assert.equal(await hashAfterNavigation(page, "#" + noteId), "#" + noteId);
  assert.equal(await page.locator(`[id="${noteId}"]`).isVisible(), true);
  assert.equal(await page.locator(".note-popover").count(), 0, "no popover without JavaScript");
  await page.locator(`[id="${noteId}"] a[role="doc-backlink"]`).first().click();
  assert.equal(await hashAfterNavigation(page, "#" + refId), "#" + refId);
  await context.close();
});

/** The first reference whose note holds an external link, scrolled to the window's bottom edge. */
async function referenceAtBottom(page) {
  return page.evaluate(() => {
    const ref = [...document.querySelectorAll('a[role="doc-noteref"]')].find((r) => {
      const note = document.getElementById(decodeURIComponent(r.getAttribute("href").slice(1)));
      return note && note.querySelector('a[href^="http"]');
    });
    ref.id ||= "ref-under-test";
    const box = ref.getBoundingClientRect();
    window.scrollBy(0, box.bottom - (window.innerHeight - 12));
    return { id: ref.id, scrollY: window.scrollY };
  });
}

/** The popover's box and the window's size, to check the one lies inside the other. */
async function popoverBox(page) {
  return page.evaluate(() => {
    const box = document.querySelector(".note-popover").getBoundingClientRect();
    return { top: box.top, bottom: box.bottom, left: box.left, right: box.right,
      width: document.documentElement.clientWidth, height: document.documentElement.clientHeight,
      scrollY: window.scrollY };
  });
}

function assertInside(box, where) {
  assert.ok(box.bottom - box.top > 20, `${where}: the popover has a height`);
  assert.ok(box.top >= 0 && box.bottom <= box.height, `${where}: vertically inside (${box.top}–${box.bottom} of ${box.height})`);
  assert.ok(box.left >= 0 && box.right <= box.width, `${where}: horizontally inside (${box.left}–${box.right} of ${box.width})`);
}

test("at 1280×900 a note at the window's bottom opens above, inside the window, without scrolling", async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(site.url + BRIEF);
  const { id, scrollY } = await referenceAtBottom(page);
  await page.locator(`[id="${id}"]`).hover();
  await page.locator(".note-popover").waitFor({ state: "visible", timeout: 2000 });
  const box = await popoverBox(page);
  assertInside(box, "desktop");
  assert.equal(box.scrollY, scrollY, "the page did not scroll");
  await page.close();
});

test("on a 390 px touch screen a tap opens the note as a sheet in place of the jump", async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
  const page = await context.newPage();
  await page.goto(site.url + BRIEF);
  const { id, scrollY } = await referenceAtBottom(page);
  const ref = page.locator(`[id="${id}"]`);
  const hit = await ref.evaluate((a) => {
    const box = a.getBoundingClientRect();
    const x = box.left + box.width / 2, y = box.top + box.height / 2;
    const probes = [[x, y - 20], [x, y + 20], [x - 20, y], [x + 20, y]];
    return probes.every(([px, py]) => document.elementFromPoint(px, py) === a);
  });
  assert.ok(hit, "the marker answers 20 px away from its centre: a 44 px hit area");
  await ref.tap();
  const popover = page.locator(".note-popover");
  await popover.waitFor({ state: "visible", timeout: 2000 });
  await page.waitForTimeout(300);
  const box = await popoverBox(page);
  assertInside(box, "phone");
  assert.equal(box.scrollY, scrollY, "the page did not jump to the notes");
  assert.equal(new URL(page.url()).hash, "", "no jump in the address either");
  await page.locator(".note-popover-close").tap();
  await popover.waitFor({ state: "hidden", timeout: 2000 });
  assert.equal(await page.evaluate(() => document.activeElement.id), id, "focus is back on the marker");
  await context.close();
});

test("from the keyboard, Tab reaches a link inside the note and Esc returns to the marker", async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(site.url + BRIEF);
  const { id } = await referenceAtBottom(page);
  await page.locator(`[id="${id}"]`).focus();
  await page.locator(".note-popover").waitFor({ state: "visible", timeout: 2000 });
  await page.keyboard.press("Tab");
  const inside = await page.evaluate(() => {
    const a = document.activeElement;
    return { inPopover: !!a.closest(".note-popover"), tag: a.tagName, href: a.getAttribute("href") || "" };
  });
  assert.ok(inside.inPopover && inside.tag === "A" && inside.href.startsWith("http"), `Tab reached ${JSON.stringify(inside)}`);
  await page.keyboard.press("Escape");
  await page.locator(".note-popover").waitFor({ state: "hidden", timeout: 2000 });
  assert.equal(await page.evaluate(() => document.activeElement.id), id, "Esc returned focus to the marker");
  await page.close();
});
