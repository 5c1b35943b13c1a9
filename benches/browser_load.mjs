// Benchmark: time from page load to a drawn graph and a rendered plan, for a 1,000-revision
// project, in headless Chromium (goal: under 1 s). Prints figures only.
// Run: scripts/build-wasm && cargo build && node benches/browser_load.mjs [revisions]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from '../tests/node/node_modules/playwright-core/index.mjs';
import { root, bin, writeHistory } from '../tests/node/helpers.mjs';

const n = Number(process.argv[2] ?? 1000);
const dir = writeHistory(fs.mkdtempSync(path.join(os.tmpdir(), 'migplan-bench-page-')), n);
const server = spawn(bin, ['serve', dir, '--port', '0', '--assets', root], { stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise((resolve) => {
  let buf = '';
  server.stdout.on('data', (d) => { buf += d; const m = buf.match(/at (http:\S+)/); if (m) resolve(m[1]); });
});
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });
const times = [];
for (let i = 0; i < 5; i++) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const t = performance.now();
  await page.goto(url);
  await page.waitForSelector('body[data-ready="1"]');
  await page.waitForSelector('svg.graph [data-rev]');
  const inPage = Number(await page.evaluate(() => document.body.dataset.readyAt));
  const split = await page.evaluate(() => document.body.dataset.timings);
  times.push([performance.now() - t, inPage, split]);
  await page.close();
}
times.sort((a, b) => a[0] - b[0]);
const [wall, inPage, split] = times[2];
console.log(`page load → drawn graph + plan, ${n} revisions (median of 5, headless Chromium):`);
console.log(`  navigation start → graph drawn and plan rendered: ${inPage.toFixed(0)} ms (page clock; ${split})`);
console.log(`  as measured from the test driver (adds tab creation): ${wall.toFixed(0)} ms`);
await browser.close();
server.kill();
fs.rmSync(dir, { recursive: true, force: true });
