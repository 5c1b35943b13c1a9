// The edge example in a real Workers runtime (workerd from npm), on 127.0.0.1.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { root } from './helpers.mjs';

let proc;
let base;

const freePort = () =>
  new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

before(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const workerd = path.join(root, 'tests/node/node_modules/.bin/workerd');
  proc = spawn(workerd, ['serve', 'examples/edge-check/config.capnp', `--socket-addr=http=127.0.0.1:${port}`], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(base, { method: 'GET' });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error('workerd did not start');
});

after(() => proc?.kill());

const post = (body) => fetch(base, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) });
const script = (id, down, up = "op.create_table('t_" + id + "', sa.Column('id', sa.Integer(), primary_key=True))") =>
  `from alembic import op\nimport sqlalchemy as sa\nrevision = "${id}"\ndown_revision = ${down ? `"${down}"` : 'None'}\n\ndef upgrade():\n    ${up}\n\ndef downgrade():\n    op.drop_table('t_${id}')\n`;

test('200 with the plan for a good history', async () => {
  const r = await post({ files: [{ path: 'v/a1.py', text: script('a1') }, { path: 'v/b2.py', text: script('b2', 'a1') }] });
  assert.equal(r.status, 200);
  const body = await r.json();
  assert.deepEqual(body.heads, ['b2']);
  assert.match(body.sql, /CREATE TABLE t_a1/);
  assert.match(body.sql, /INSERT INTO alembic_version \(version_num\) VALUES \('a1'\)/);
});

test('422 with diagnostics for a broken history', async () => {
  const r = await post({ files: [{ path: 'v/b2.py', text: script('b2', 'gone') }] });
  assert.equal(r.status, 422);
  const body = await r.json();
  assert.ok(body.diagnostics.some((d) => d.code === 'missing-revision' && d.file === 'v/b2.py' && d.line === 4));
});

test('422 for two heads (upgrade head would fail) is a plan error when asked for head', async () => {
  const files = [{ path: 'v/a1.py', text: script('a1') }, { path: 'v/b2.py', text: script('b2', 'a1') }, { path: 'v/c3.py', text: script('c3', 'a1') }];
  const r = await post({ files, to: 'head' });
  assert.equal(r.status, 422);
  assert.match((await r.json()).error, /Multiple head revisions/);
});

test('plain-SQL folders work too', async () => {
  const r = await post({ files: [{ path: 'm/1_init.up.sql', text: 'CREATE TABLE a (x int);' }, { path: 'm/1_init.down.sql', text: 'DROP TABLE a;' }] });
  assert.equal(r.status, 200);
  const body = await r.json();
  assert.equal(body.layout, 'golang-migrate');
  assert.match(body.sql, /CREATE TABLE a \(x int\);/);
});

test('400 for a malformed request', async () => {
  assert.equal((await post('{not json')).status, 400);
  const r = await post({ files: 'nope' });
  assert.equal(r.status, 400);
  assert.match((await r.json()).error, /files: expected/);
});
