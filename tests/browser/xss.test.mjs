// Untrusted text: known XSS payloads (the kinds on OWASP's XSS filter evasion cheat sheet) put
// into every field a brief's author controls never run in Chromium. Front-matter values are
// always escaped; with `[markdown] sanitize = true` the body, notes, link URLs and raw HTML are
// cleaned too. A payload that runs opens a dialog or logs FOLIO-XSS; neither may happen.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildSite, folio, serve, launch, htmlFiles, scratch } from "./harness.mjs";

const run = (id) => `alert('${id}');console.log('FOLIO-XSS ${id}')`;

/** Payloads for HTML contexts (body, raw HTML, notes, and every front-matter field). */
const PAYLOADS = [
  `<script>${run("script")}</script>`,
  `<SCRIPT SRC=data:text/javascript,${encodeURIComponent(run("script-src"))}></SCRIPT>`,
  `<img src=x onerror="${run("img-onerror")}">`,
  `<IMG SRC=# onmouseover="${run("img-mouseover")}">`,
  `<img src=x onerror=&#97;&#108;&#101;&#114;&#116;('img-entities')>`,
  `<svg onload="${run("svg-onload")}"></svg>`,
  `<svg><script>${run("svg-script")}</script></svg>`,
  `<svg><animate onbegin="${run("svg-animate")}" attributeName=x dur=1s></svg>`,
  `<math><mtext><table><mglyph><style><img src=x onerror="${run("mxss-math")}">`,
  `<noscript><p title="</noscript><img src=x onerror=${run("mxss-noscript").replace(/ /g, "")}>">`,
  `<body onload="${run("body-onload")}">`,
  `<details open ontoggle="${run("details")}"><summary>x</summary></details>`,
  `<input autofocus onfocus="${run("input-autofocus")}">`,
  `<iframe src="javascript:${run("iframe-js")}"></iframe>`,
  `<iframe srcdoc="<script>parent.${run("iframe-srcdoc")}</script>"></iframe>`,
  `<iframe src="https://evil.example/"></iframe>`,
  `<object data="javascript:${run("object")}"></object>`,
  `<embed src="javascript:${run("embed")}">`,
  `<meta http-equiv="refresh" content="0;url=javascript:${run("meta-refresh")}">`,
  `<base href="javascript:${run("base")}//">`,
  `<form><button formaction="javascript:${run("formaction")}">go</button></form>`,
  `<a href="javascript:${run("a-js")}">click</a>`,
  `<a href="JaVaScRiPt:${run("a-case")}">click</a>`,
  `<a href="jav&#x09;ascript:${run("a-tab")}">click</a>`,
  `<a href=" &#14; javascript:${run("a-space")}">click</a>`,
  `<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgnZGF0YScpPC9zY3JpcHQ+">click</a>`,
  `<div style="background:url(javascript:${run("style-url")})">x</div>`,
  `<style>@import 'javascript:${run("style-import")}';</style>`,
  `<video><source onerror="${run("video-source")}"></video>`,
  `<audio src=x onerror="${run("audio")}">`,
  `<marquee onstart="${run("marquee")}">x</marquee>`,
  `"><script>${run("attr-break-double")}</script>`,
  `'><img src=x onerror="${run("attr-break-single")}">`,
  `</title><script>${run("title-break")}</script>`,
  `</script><script>${run("jsonld-break")}</script>`,
  `<!--<script>${run("comment")}</script>-->`,
  `<<SCRIPT>${run("double-open")}//<</SCRIPT>`,
  `<scr<script>ipt>${run("nested-tag")}</scr</script>ipt>`,
];

/** Script addresses, as raw `<a href>` in bodies (the sanitiser's to clean) and as Markdown
 * links (`[text](url)`, `<url>`), which folio refuses at build time. */
const URLS = [
  `javascript:${run("md-link")}`,
  `JAVASCRIPT:${run("md-link-upper")}`,
  `javascript&#58;${run("md-link-entity")}`,
  `data:text/html,<script>${run("md-data")}</script>`,
  `vbscript:msgbox('md-vbscript')`,
];

const yaml = (value) => JSON.stringify(value); // a JSON string is a YAML double-quoted scalar

/** Writes a site whose author name, titles, subtitles, summaries and topics are payloads; with
 * `everywhere`, the bodies, notes and link URLs carry them too. */
function writeSite(dir, { sanitize, everywhere }) {
  mkdirSync(join(dir, "content/briefs"), { recursive: true });
  mkdirSync(join(dir, "content/authors"), { recursive: true });
  writeFileSync(
    join(dir, "site.toml"),
    `title = "XSS Institute"\nbase_url = "https://xss.example.org"\n[search]\nenabled = false\n` +
      `[markdown]\nsanitize = ${sanitize}\n`,
  );
  PAYLOADS.forEach((payload, i) => {
    const author = `author-${i}`;
    writeFileSync(
      join(dir, `content/authors/${author}.md`),
      `---\nname: ${yaml(`Ann ${payload}`)}\nrole: ${yaml(payload)}\naffiliation: ${yaml(payload)}\n---\n\n` +
        (everywhere ? `Bio. ${payload}\n` : "Bio.\n"),
    );
    const url = URLS[i % URLS.length];
    const body = everywhere
      ? `Raw HTML follows.\n\n${payload}\n\nInline ${payload} and a <a href="${url}">link</a>.[^n]\n\n` +
        `![alt ${payload}](https://images.example.org/x.png "${payload.replace(/"/g, "'")}")\n\n[^n]: A note: ${payload} <a href="${url}">link</a>\n`
      : "A plain body.\n";
    writeFileSync(
      join(dir, `content/briefs/brief-${i}.md`),
      `---\ntitle: ${yaml(`T${i} ${payload}`)}\nsubtitle: ${yaml(payload)}\nsummary: ${yaml(payload)}\n` +
        `date: 2025-03-01\nauthors: [${author}]\ntopics: [${yaml(`Topic ${i} ${payload}`)}]\ntype: ${yaml(payload)}\n---\n\n${body}`,
    );
  });
}

/** Script addresses written as Markdown links (a destination has no spaces), with the lines
 * of a brief written by `writeMarkdownLinks` where each is a link: 7 the text, 9 an autolink
 * (an entity-encoded colon is no autolink, just text), 11 a note. */
const MARKDOWN_URLS = [
  ["javascript:alert(1)", [7, 9, 11]],
  ["JaVaScRiPt:alert(1)", [7, 9, 11]],
  ["javascript&#58;alert(1)", [7, 11]],
  ["data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", [7, 9, 11]],
  ["vbscript:msgbox(1)", [7, 9, 11]],
];

/** Briefs whose bodies and notes link to `MARKDOWN_URLS`. */
function writeMarkdownLinks(dir) {
  writeSite(dir, { sanitize: true, everywhere: false });
  MARKDOWN_URLS.forEach(([url], i) => {
    writeFileSync(
      join(dir, `content/briefs/brief-${i}.md`),
      `---\ntitle: Links ${i}\ndate: 2025-03-01\nauthors: [author-0]\n---\n\n` +
        `A [link](${url}).[^n]\n\nAn autolink <${url}>.\n\n[^n]: A note [link](${url})\n`,
    );
  });
}

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** Visits every page of a built site (or those `only` names); returns what ran, and the
 * dangerous markup left in the DOM. */
async function visitAll(out, only) {
  const site = await serve(out);
  const ran = [];
  const left = [];
  const files = only || htmlFiles(out);
  const page = await browser.newPage();
  let file = "";
  page.on("dialog", async (dialog) => {
    ran.push(`${file}: dialog ${dialog.message()}`);
    await dialog.dismiss().catch(() => {});
  });
  page.on("console", (message) => {
    if (message.text().includes("FOLIO-XSS")) ran.push(`${file}: console ${message.text()}`);
  });
  try {
    for (file of files) {
      await page.goto(site.url + "/" + file.replace(/^\//, "").replace(/index\.html$/, ""));
      await page.mouse.move(5, 5); // for handlers that need a pointer
      const found = await page.evaluate(() => {
        const bad = [];
        const odd = [];
        document.querySelectorAll("*").forEach((el, i) => {
          for (const attr of el.attributes) {
            const value = attr.value.replace(/[\s\u0000-\u001f]/g, "").toLowerCase();
            if (attr.name.startsWith("on")) bad.push(`${el.tagName} ${attr.name}`);
            if (/^(javascript|vbscript|data):/.test(value) && attr.name !== "content")
              bad.push(`${el.tagName} ${attr.name}=${attr.value.slice(0, 40)}`);
          }
          if (["IFRAME", "OBJECT", "EMBED", "BASE", "svg", "math"].includes(el.tagName)) bad.push(el.tagName);
          // Links that are not ordinary addresses get clicked below (there should be none).
          const href = el.tagName === "A" ? el.getAttribute("href") || "" : "";
          if (href && !/^(https?:|\/|#|mailto:|\.)/.test(href)) {
            el.setAttribute("data-xss-click", String(i));
            odd.push(i);
          }
        });
        return { bad, odd };
      });
      left.push(...found.bad.map((f) => `${file}: ${f}`));
      for (const i of found.odd) {
        await page.click(`[data-xss-click="${i}"]`, { timeout: 500, noWaitAfter: true }).catch(() => {});
      }
      await page.waitForTimeout(50);
    }
  } finally {
    await page.close();
    site.close();
  }
  return { ran, left, pages: files.length };
}

test("payloads in front matter never run, even without sanitising", async () => {
  const root = scratch("folio-xss-fm-");
  writeSite(root, { sanitize: false, everywhere: false });
  const { ran, left, pages } = await visitAll(buildSite(root));
  assert.ok(pages > PAYLOADS.length, `visited ${pages} pages`);
  assert.deepEqual(ran, [], "no payload may run");
  assert.deepEqual(left, [], "no handler or script URL may reach a page");
});

test("with sanitize = true, payloads in bodies, notes, links and raw HTML never run", async () => {
  const root = scratch("folio-xss-all-");
  writeSite(root, { sanitize: true, everywhere: true });
  const { ran, left, pages } = await visitAll(buildSite(root));
  assert.ok(pages > PAYLOADS.length, `visited ${pages} pages`);
  assert.deepEqual(ran, [], "no payload may run");
  assert.deepEqual(left, [], "no handler or script URL may reach a page");
});

test("script addresses in Markdown links are refused at build time, each at its file and line", () => {
  const root = scratch("folio-xss-md-");
  writeMarkdownLinks(root);
  const out = join(root, "public");
  let failure;
  try {
    folio(["build", "--root", root, "--output", out], { stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    failure = error;
  }
  assert.ok(failure, "the build must fail");
  assert.equal(failure.status, 1);
  const stderr = failure.stderr.toString();
  MARKDOWN_URLS.forEach(([, lines], i) => {
    for (const line of lines) {
      assert.ok(stderr.includes(`content/briefs/brief-${i}.md:${line}:`), `brief-${i}.md:${line} not reported`);
    }
  });
  assert.ok(!existsSync(out), "nothing is written");
});

test("the payloads are live: without sanitising, a body's raw HTML runs (the check works)", async () => {
  const root = scratch("folio-xss-control-");
  writeSite(root, { sanitize: false, everywhere: true });
  const { ran } = await visitAll(buildSite(root), ["/briefs/brief-0/index.html"]);
  assert.ok(ran.some((r) => r.includes("script")), `ran: ${ran.join(", ")}`);
});
