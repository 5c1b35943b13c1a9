// Benchmark: time from navigation to a drawn graph and a rendered plan, in headless Chromium
// (goals: < 1 s with the wasm cached, < 1.5 s cold). Prints figures only.
//   node benches/browser_load.mjs [REVISIONS]   a generated history (default 1,000 revisions)
//   node benches/browser_load.mjs PATH          a project folder as `migplan serve PATH` finds it
//                                               (e.g. the corpus suite's largest project)
// Cold: a new browser context per load (empty HTTP cache: the page, the JS and the wasm are
// fetched and the wasm compiled). Warm: one context, loaded once first, then reloaded (the
// wasm comes from the cache, compiled code included). Medians of 5 of each.
// Run: scripts/build-wasm && cargo build && node benches/browser_load.mjs [REVISIONS|PATH]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from '../tests/node/node_modules/playwright-core/index.mjs';
import { root, bin, writeHistory } from '../tests/node/helpers.mjs';

const arg = process.argv[2] ?? '1000';
const generated = /^\d+$/.test(arg);
const dir = generated ? writeHistory(fs.mkdtempSync(path.join(os.tmpdir(), 'migplan-bench-page-')), Number(arg)) : path.resolve(arg);
const server = spawn(bin, ['serve', dir, '--port', '0', '--assets', root], { stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise((resolve) => {
  let buf = '';
  server.stdout.on('data', (d) => { buf += d; const m = buf.match(/at (http:\S+)/); if (m) resolve(m[1]); });
});
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });

/** One load in `context`: navigation start → graph drawn and plan rendered (page clock). */
async function load(context) {
  const page = await context.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(url);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 120000 });
  await page.waitForSelector('svg.graph [data-rev]');
  const readyAt = Number(await page.evaluate(() => document.body.dataset.readyAt));
  const split = await page.evaluate(() => document.body.dataset.timings);
  const revisions = await page.locator('svg.graph [data-rev]').count();
  await page.close();
  return { readyAt, split, revisions };
}

const median = (xs) => [...xs].sort((a, b) => a.readyAt - b.readyAt)[Math.floor(xs.length / 2)];
const cold = [];
for (let i = 0; i < 5; i++) {
  const context = await browser.newContext();
  cold.push(await load(context));
  await context.close();
}
const context = await browser.newContext();
await load(context);
const warm = [];
for (let i = 0; i < 5; i++) warm.push(await load(context));
await context.close();

const c = median(cold), w = median(warm);
console.log(`page load → drawn graph + plan: ${generated ? `generated history` : dir}, ${c.revisions} revisions (medians of 5, headless Chromium):`);
console.log(`  cold (empty cache): ${c.readyAt.toFixed(0)} ms (min ${Math.min(...cold.map((x) => x.readyAt))}, max ${Math.max(...cold.map((x) => x.readyAt))}; ${c.split})`);
console.log(`  warm (wasm cached): ${w.readyAt.toFixed(0)} ms (min ${Math.min(...warm.map((x) => x.readyAt))}, max ${Math.max(...warm.map((x) => x.readyAt))}; ${w.split})`);
await browser.close();
server.kill();
if (generated) fs.rmSync(dir, { recursive: true, force: true });
