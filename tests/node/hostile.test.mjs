// Hostile input: each answered with a clear error or diagnostics, in bounded time, never a trap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { migplan } from './helpers.mjs';

const timed = (f) => { const t = performance.now(); const r = f(); return [r, performance.now() - t]; };

test('50 MB of input', () => {
  const big = 'x'.repeat(10 * 1024 * 1024);
  const files = Array.from({ length: 5 }, (_, i) => ({ path: `v/f${i}.py`, text: big }));
  files.push({ path: 'v/g.py', text: 'y'.repeat(20 * 1024 * 1024) });
  const [, ms] = timed(() => assert.throws(() => migplan.analyze(files), /limit/));
  assert.ok(ms < 10_000, `${ms} ms`);
});

test('one file over the per-file limit', () => {
  assert.throws(() => migplan.analyze([{ path: 'v/a.sql', text: 'x'.repeat(17 * 1024 * 1024) }]), /limit per file/);
});

test('a path given twice', () => {
  // Diagnostics name files by path: a second text under the same path is refused.
  const files = [{ path: 'v/a.sql', text: '' }, { path: 'v/a.sql', text: 'SELECT 1;' }];
  assert.throws(() => migplan.analyze(files), /files: v\/a\.sql is given twice; each path must be unique/);
});

test('100,000 files', () => {
  const files = Array.from({ length: 100_000 }, (_, i) => ({ path: `v/${i}.py`, text: '' }));
  const [, ms] = timed(() => assert.throws(() => migplan.analyze(files), /100000 files given; the limit is 50000/));
  assert.ok(ms < 10_000, `${ms} ms`);
});

test('deeply nested Python', () => {
  const deep = `revision = "a"\ndown_revision = None\nx = ${'('.repeat(100_000)}1${')'.repeat(100_000)}\n`;
  const chain = `revision = "b"\ndown_revision = "a"\nx = ${'1 + '.repeat(200_000)}1\n`;
  const attrs = `revision = "c"\ndown_revision = "b"\nx = a${'.b'.repeat(200_000)}\n`;
  let blocks = 'revision = "d"\ndown_revision = "c"\n';
  for (let i = 0; i < 1000; i++) blocks += ' '.repeat(i) + 'if x:\n';
  const unary = `revision = "e"\ndown_revision = "d"\nx = ${'-'.repeat(200_000)}1\n`;
  const [r, ms] = timed(() => migplan.analyze([
    { path: 'v/a.py', text: deep }, { path: 'v/b.py', text: chain }, { path: 'v/c.py', text: attrs },
    { path: 'v/d.py', text: blocks }, { path: 'v/e.py', text: unary },
  ]));
  const complex = r.diagnostics.filter((d) => d.code === 'too-complex').map((d) => d.file);
  assert.deepEqual(complex.sort(), ['v/a.py', 'v/b.py', 'v/c.py', 'v/d.py', 'v/e.py']);
  assert.ok(ms < 10_000, `${ms} ms`);
});

test('deeply nested SQL', () => {
  const sql = `SELECT ${'('.repeat(50_000)}1${')'.repeat(50_000)};\n`;
  const [r, ms] = timed(() => migplan.analyze([{ path: 'm/1_a.up.sql', text: sql }, { path: 'm/1_a.down.sql', text: '' }]));
  assert.equal(r.layout, 'golang-migrate');
  assert.ok(r.diagnostics.some((d) => d.code === 'sql-parse-error'), JSON.stringify(r.diagnostics));
  assert.ok(ms < 10_000, `${ms} ms`);
});

test('a 10,000-parent merge', () => {
  const files = [];
  const ids = [];
  files.push({ path: 'v/base.py', text: 'revision = "base"\ndown_revision = None\ndef upgrade():\n    pass\ndef downgrade():\n    pass\n' });
  for (let i = 0; i < 10_000; i++) {
    const id = `p${i}`;
    ids.push(id);
    files.push({ path: `v/${id}.py`, text: `revision = "${id}"\ndown_revision = "base"\ndef upgrade():\n    pass\ndef downgrade():\n    pass\n` });
  }
  files.push({ path: 'v/merge.py', text: `revision = "merge"\ndown_revision = (${ids.map((i) => `"${i}"`).join(', ')})\ndef upgrade():\n    pass\ndef downgrade():\n    pass\n` });
  const [r, ms] = timed(() => migplan.analyze(files));
  assert.deepEqual(r.heads, ['merge']);
  assert.equal(r.revisions, 10_002);
  const [p, ms2] = timed(() => migplan.plan(files, { to: 'heads' }));
  assert.equal(p.error, null);
  assert.equal(p.steps.length, 10_002);
  assert.ok(ms + ms2 < 30_000, `${ms} + ${ms2} ms`);
});
