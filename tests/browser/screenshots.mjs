// Screenshots for people to look at (not a test): home, a brief (top, a figure, the notes) and
// the sources page, at 390 px and 1280 px, light and dark, into artifacts/.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { buildExampleSite, serve, launch, artifacts } from "./harness.mjs";

const SHOTS = [
  ["home", "/", null],
  ["brief-top", "/briefs/heat-pump-rollout/", null],
  ["brief-figure", "/briefs/heat-pump-rollout/", "figure"],
  ["brief-notes", "/briefs/heat-pump-rollout/", "#notes"],
  ["sources", "/sources/", null],
];
const site = await serve(buildExampleSite());
const browser = await launch();
mkdirSync(artifacts, { recursive: true });
for (const [width, height] of [[390, 844], [1280, 900]]) {
  for (const scheme of ["light", "dark"]) {
    const context = await browser.newContext({ viewport: { width, height }, colorScheme: scheme });
    const page = await context.newPage();
    for (const [name, path, anchor] of SHOTS) {
      await page.goto(site.url + path);
      if (anchor) await page.locator(anchor).first().evaluate((e) => e.scrollIntoView());
      await page.screenshot({ path: join(artifacts, `${name}-${width}-${scheme}.png`) });
    }
    await context.close();
  }
}
await browser.close();
site.close();
