// The npm package's `migplan` command (pkg/bin/migplan.js: the CLI compiled to wasm32-wasip1,
// run by node:wasi) prints byte for byte what the native CLI prints — stdout, stderr and exit
// status — on every fixture project and every command that reads files; the commands that
// connect to a database say they need the native binary and exit 2.
//
// Needs scripts/build-wasm (pkg/bin/migplan.wasm) and `cargo build --bin migplan`. The
// comparisons run the bin's own `run()` in this process (the module is compiled once);
// MIGPLAN_NODE_SPAWN=1 runs `node pkg/bin/migplan.js` for each instead. The tests at the
// end always start the bin as a process, as `npx migplan` does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';

import { root, bin, projects } from './projects.mjs';

const nodeBin = path.join(root, 'pkg/bin/migplan.js');
const { run } = await import(nodeBin);
const spawnEach = process.env.MIGPLAN_NODE_SPAWN === '1';

// Both sides get the same environment; a DATABASE_URL would pick a dialect.
const env = { ...process.env };
delete env.DATABASE_URL;
delete env.MIGPLAN_WASI_CWD;
// A panic's backtrace names native frames (none under wasm, which aborts).
delete env.RUST_BACKTRACE;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'migplan-npm-bin-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

function native(cwd, args) {
  const r = spawnSync(bin, args, { cwd, env, maxBuffer: 1 << 28 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function spawnNode(cwd, args) {
  const r = spawnSync(process.execPath, [nodeBin, ...args], { cwd, env, maxBuffer: 1 << 28 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Node 20's node:wasi crashes the process (SIGSEGV) after a dozen or so instances left to the
// garbage collector; collected after each run, hundreds run fine. (The bin itself runs one.)
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

async function wasm(cwd, args) {
  if (spawnEach) return spawnNode(cwd, args);
  const outPath = path.join(tmp, 'stdout');
  const errPath = path.join(tmp, 'stderr');
  const stdout = fs.openSync(outPath, 'w+');
  const stderr = fs.openSync(errPath, 'w+');
  let status;
  try {
    status = await run(args, { cwd, env, stdout, stderr });
  } finally {
    fs.closeSync(stdout);
    fs.closeSync(stderr);
    gc();
  }
  return { status, stdout: fs.readFileSync(outPath), stderr: fs.readFileSync(errPath) };
}

let compared = 0;

/** Native and node give the same bytes and status (shown as text when they do not). */
function assertSame(n, w, what) {
  compared += 1;
  if (n.stdout.equals(w.stdout) && n.stderr.equals(w.stderr) && n.status === w.status) return;
  assert.deepEqual(
    { status: w.status, stdout: w.stdout.toString('latin1'), stderr: w.stderr.toString('latin1') },
    { status: n.status, stdout: n.stdout.toString('latin1'), stderr: n.stderr.toString('latin1') },
    `node bin differs from native: ${what}`,
  );
}

/** Every file below `dir`, path → bytes. */
function tree(dir) {
  const out = {};
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) {
      const p = path.join(e.parentPath ?? e.path, e.name);
      out[path.relative(dir, p)] = fs.readFileSync(p).toString('latin1');
    }
  }
  return out;
}

/** How each project is invoked: Alembic fixtures with `-c` from the repository's root (a
 * relative path, as users type it), the others from their folder as the Rust tests do. */
function invocation(p) {
  const ini = path.join(p.dir, 'alembic.ini');
  if (fs.existsSync(ini)) {
    return { cwd: root, args: ['-c', path.relative(root, ini), ...p.args], baseDir: path.relative(root, p.dir) };
  }
  const d = p.args.indexOf('-d');
  return { cwd: p.dir, args: p.args, baseDir: d >= 0 ? p.args[d + 1] : '.' };
}

for (const p of projects()) {
  test(`node bin = native CLI: ${p.name}`, async (t) => {
    const { cwd, args, baseDir } = invocation(p);
    const heads = native(cwd, [...args, 'heads', '--format', 'json']);
    let rev = 'head';
    try {
      const h = JSON.parse(heads.stdout.toString('utf8')).heads[0];
      rev = h.revision ?? h;
    } catch {}
    const commands = [
      ['heads'],
      ['heads', '--verbose'],
      ['heads', '--format', 'json'],
      ['branches'],
      ['history'],
      ['history', '-v'],
      ['history', '--format', 'json'],
      ['show', rev],
      ['check'],
      ['check', '--format', 'json'],
      ['check', '--format', 'sarif'],
      ['check', '--format', 'github'],
      ['check', '--format', 'markdown'],
      ['check', '--preset', 'strict'],
      ['check', '--base-dir', baseDir],
      ['upgrade', 'heads', '--sql'],
      ['upgrade', 'heads', '--sql', '--format', 'json'],
      ['downgrade', 'heads:base', '--sql'],
      ['stamp', 'heads', '--sql'],
      ['schema', 'heads'],
      ['files'],
      ['files', '--format', 'json'],
    ];
    for (const c of commands) {
      const argv = [...args, ...c];
      await t.test(argv.join(' '), async () => {
        assertSame(native(cwd, argv), await wasm(cwd, argv), argv.join(' '));
      });
    }
    // `report` writes files: the same ones, with the same bytes, and says so the same way.
    await t.test('report', async () => {
      const out = path.join(tmp, 'report');
      const argv = [...args, 'report', '--out', out];
      fs.rmSync(out, { recursive: true, force: true });
      const n = native(cwd, argv);
      const nFiles = tree(out);
      fs.rmSync(out, { recursive: true, force: true });
      const w = await wasm(cwd, argv);
      const wFiles = tree(out);
      fs.rmSync(out, { recursive: true, force: true });
      assertSame(n, w, argv.join(' '));
      assert.deepEqual(wFiles, nFiles, 'the files report wrote');
    });
  });
}

test('check --base main in a git repository (git runs on the host)', async () => {
  const repo = path.join(tmp, 'repo');
  fs.cpSync(path.join(root, 'examples/shop'), repo, { recursive: true });
  const git = (...a) => {
    const r = spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...a], { cwd: repo, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  };
  git('init', '-q', '-b', 'main');
  git('add', '.');
  git('commit', '-q', '-m', 'base');
  git('checkout', '-q', '-b', 'feature');
  // A new revision on the branch: `check --base main` lists it as new.
  const versions = path.join(repo, 'versions');
  const head = spawnSync(bin, ['heads'], { cwd: repo, env, encoding: 'utf8' }).stdout.split(' ')[0];
  fs.writeFileSync(
    path.join(versions, 'ffff00000001_new.py'),
    `"""new"""\nfrom alembic import op\nimport sqlalchemy as sa\nrevision = "ffff00000001"\ndown_revision = "${head}"\n\ndef upgrade():\n    op.add_column("orders", sa.Column("note", sa.Text(), nullable=False))\n\ndef downgrade():\n    op.drop_column("orders", "note")\n`,
  );
  for (const argv of [
    ['check', '--base', 'main'],
    ['check', '--base', 'main', '--format', 'json'],
    ['check', '--base', 'no-such-ref'],
  ]) {
    const n = native(repo, argv);
    assertSame(n, await wasm(repo, argv), argv.join(' '));
    if (argv[2] === 'main') assert.match(n.stdout.toString() + n.stderr.toString(), /ffff00000001/);
  }
  assertSame(native(repo, ['report', '--base', 'main', '--out', 'r1']), await wasm(repo, ['report', '--base', 'main', '--out', 'r1']), 'report --base main');
});

test('revision writes the same script (git and clocks aside: a fixed id; the create date is the clock)', async () => {
  const dir = path.join(tmp, 'rev');
  const argv = ['revision', '-m', 'add a thing', '--rev-id', 'abcdef012345'];
  const attempt = async (runIt) => {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.cpSync(path.join(root, 'examples/shop'), dir, { recursive: true });
    const r = await runIt(dir, argv);
    const files = tree(dir);
    for (const [k, v] of Object.entries(files)) files[k] = v.replace(/^Create Date: .*$/m, 'Create Date: (the clock)');
    return { r, files };
  };
  const n = await attempt(native);
  const w = await attempt(wasm);
  assertSame(n.r, w.r, argv.join(' '));
  assert.deepEqual(w.files, n.files);
  assert.ok(Object.keys(n.files).some((f) => f.includes('abcdef012345')));
});

// The bin as a process, as `npx migplan` starts it: paths as typed, relative or absolute,
// the tree walked without -c, no ExperimentalWarning on stderr, the exit status.
const spawned = [
  [root, ['-c', 'examples/shop/alembic.ini', 'check']],
  [root, ['-c', path.join(root, 'examples/shop/alembic.ini'), 'history']],
  [path.join(root, 'examples/shop'), ['check']],
  [path.join(root, 'examples/shop/versions'), ['-c', '../alembic.ini', 'heads']],
  [path.join(root, 'examples'), ['check']],
  [path.join(root, 'examples'), ['heads']],
  [path.join(root, 'tests/sql_folders/dag_pg'), ['-d', 'migrations', 'upgrade', 'head', '--sql']],
  [root, ['--version']],
  [root, ['--help']],
  [root, ['check', '--no-such-flag']],
  [root, ['-c', 'no/such/alembic.ini', 'heads']],
];
for (const [cwd, argv] of spawned) {
  test(`npx migplan ${argv.join(' ')} (in ${path.relative(root, cwd) || '.'})`, () => {
    assertSame(native(cwd, argv), spawnNode(cwd, argv), argv.join(' '));
  });
}

const runners = [
  ['upgrade', 'head'],
  ['downgrade', 'base'],
  ['stamp', 'head'],
  ['current'],
  ['history', '--indicate-current'],
  ['check', '--db', 'sqlite:///x.db'],
  ['upgrade', 'head', '--sql', '--db', 'postgresql://localhost/x'],
  ['check', '--roundtrip'],
  ['rebless', 'head'],
  ['serve'],
];
for (const argv of runners) {
  test(`npx migplan ${argv.join(' ')}: needs the native binary, exit 2`, () => {
    const r = spawnNode(path.join(root, 'examples/shop'), argv);
    assert.equal(r.status, 2);
    assert.equal(r.stdout.toString(), '');
    const err = r.stderr.toString();
    assert.match(err, /^FAILED: .* needs the native migplan binary \(pip install migplan, or cargo install migplan\)/);
    assert.equal(err.split('\n').filter(Boolean).length, 1, `one line: ${err}`);
  });
}

test('comparisons made', () => {
  // Every fixture × command above ran (a test runner filter would show fewer).
  console.log(`node bin vs native: ${compared} comparisons, all identical`);
  assert.ok(compared > 0);
});
