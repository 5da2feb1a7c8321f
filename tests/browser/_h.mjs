import { launchChromium, startServer } from '/work/main/tests/browser/helpers.mjs';
import fs from 'node:fs'; import os from 'node:os'; import path from 'node:path';
const data = fs.mkdtempSync(path.join(os.tmpdir(), 'mer-h-'));
const { server, base } = await startServer(data, {}, ['--demo']);
const browser = await launchChromium();
for (const w of [1366, 1000, 390]) {
const page = await (await browser.newContext({ viewport: { width: w, height: 900 } })).newPage();
await page.goto(base + '/');
const r = await page.evaluate(() => ['.lead-story', '.latest', '.home-top'].map(s => { const b = document.querySelector(s).getBoundingClientRect(); return `${s} top=${b.top.toFixed(0)} h=${b.height.toFixed(0)}`; }));
console.log(w, r);
await page.screenshot({ path: `/tmp/home-${w}.png`, clip: { x: 0, y: 0, width: w, height: 1400 } });
}
await browser.close(); server.kill();
