// Times the wasm package's analyze + plan on a project folder (called by benches/wasm_vs_native.rs).
// Usage: node benches/wasm_bench.mjs DIR RUNS
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';

const [dir, runs = '3'] = process.argv.slice(2);
const require = createRequire(import.meta.url);
// The package's instance, to read its linear memory (which only grows: its size is the peak).
const Instance = WebAssembly.Instance;
let instance = null;
WebAssembly.Instance = function (module, imports) { instance = new Instance(module, imports); return instance; };
const memoryBytes = () => instance?.exports.memory?.buffer.byteLength ?? 0;
const migplan = require(path.resolve(path.dirname(new URL(import.meta.url).pathname), '../pkg/node/migplan.js'));
const versions = path.join(dir, 'versions');
const files = fs.readdirSync(versions).filter((f) => f.endsWith('.py')).sort()
  .map((f) => ({ path: `versions/${f}`, text: fs.readFileSync(path.join(versions, f), 'utf8') }));
const times = [];
const split = [];
const startBytes = memoryBytes();
let analyzeBytes = 0;
let revisions = 0;
let statements = 0;
for (let i = 0; i < Number(runs); i++) {
  const t = performance.now();
  const a = migplan.analyze(files, { layout: 'alembic' });
  const t1 = performance.now();
  if (i === 0) analyzeBytes = memoryBytes();
  const p = migplan.plan(files, { layout: 'alembic', to: 'heads' });
  times.push(performance.now() - t);
  split.push([t1 - t, performance.now() - t1]);
  revisions = a.revisions;
  statements = p.statements.length;
}
times.sort((a, b) => a - b);
console.log(JSON.stringify({ ms: times[Math.floor(times.length / 2)], revisions, statements, split, startBytes, analyzeBytes, peakBytes: memoryBytes() }));
