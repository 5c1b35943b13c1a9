// The wasm package answers exactly what the native CLI answers, on every fixture.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { migplan, cli, projects, load, readerCodes } from './helpers.mjs';

const plain = (v) => JSON.parse(JSON.stringify(v));
const withoutReaderDiagnostics = (r) => ({ ...r, diagnostics: r.diagnostics.filter((d) => !readerCodes.has(d.code)) });

for (const project of projects()) {
  test(`analyze equals check --format json: ${project.name}`, () => {
    const { files, options } = load(project);
    const native = cli(project.dir, [...project.args, 'check', '--format', 'json']).json;
    assert.ok(native, 'the CLI printed JSON');
    const wasm = migplan.analyze(files, options);
    assert.ok(Array.isArray(wasm.graph.nodes));
    assert.equal(wasm.graph.nodes.length, wasm.revisions);
    const { graph, ...rest } = plain(wasm);
    assert.deepEqual(withoutReaderDiagnostics(rest), withoutReaderDiagnostics(native));
  });

  test(`plan equals upgrade heads --sql --format json: ${project.name}`, () => {
    const { files, options } = load(project);
    const native = cli(project.dir, [...project.args, 'upgrade', 'heads', '--sql', '--format', 'json']);
    const wasm = plain(migplan.plan(files, { ...options, direction: 'upgrade', to: 'heads' }));
    if (!native.json) {
      // The CLI failed before planning (FAILED: ... on stderr): the API says why, as data.
      assert.ok(wasm.error, `expected an error like: ${native.stderr.trim().split('\n').pop()}`);
      return;
    }
    assert.deepEqual(withoutReaderDiagnostics(wasm), withoutReaderDiagnostics(native.json));
  });
}

test('a Map works like an array of files', () => {
  const files = [
    { path: 'v/a1.py', text: 'revision = "a1"\ndown_revision = None\ndef upgrade():\n    pass\ndef downgrade():\n    pass\n' },
    { path: 'v/b2.py', text: 'revision = "b2"\ndown_revision = "a1"\ndef upgrade():\n    pass\ndef downgrade():\n    pass\n' },
  ];
  const a = migplan.analyze(files);
  const b = migplan.analyze(new Map(files.map((f) => [f.path, f.text])));
  assert.deepEqual(plain(a), plain(b));
  assert.deepEqual(a.heads, ['b2']);
  assert.equal(a.layout, 'alembic');
});

test('results are plain objects, positions come in lines and UTF-16 offsets', () => {
  const text = '# é 🎉\nrevision = "a1"\ndown_revision = "missing"\ndef upgrade():\n    pass\ndef downgrade():\n    pass\n';
  const r = migplan.analyze([{ path: 'v/a1.py', text }]);
  assert.equal(Object.getPrototypeOf(r), Object.prototype);
  const d = r.diagnostics.find((x) => x.code === 'missing-revision');
  assert.ok(d, JSON.stringify(r.diagnostics));
  assert.equal(d.line, 3);
  assert.equal(text.slice(d.offset_utf16, d.end_offset_utf16).includes('missing'), true);
});

test('misuse throws an Error with a message; bad files are diagnostics', () => {
  assert.throws(() => migplan.analyze('not files'), /files: expected an array/);
  assert.throws(() => migplan.analyze([{ path: 1 }]), /files:/);
  assert.throws(() => migplan.analyze([], { dialect: 'oracle' }), /options.dialect/);
  assert.throws(() => migplan.analyze([], { lyout: 'x' }), /options: unknown field `lyout`/);
  assert.throws(() => migplan.plan([], { direction: 'sideways' }), /options.direction/);
  assert.throws(() => migplan.plan([], { bookkeeping: 'liquibase' }), /options.bookkeeping/);
  const r = migplan.analyze([{ path: 'v/x.py', text: 'def upgrade(:\n' }]);
  assert.ok(r.diagnostics.some((d) => d.code === 'python-syntax-error'));
  const p = migplan.plan([{ path: 'v/a.py', text: 'revision = "a"\ndown_revision = None\n' }], { to: 'nope' });
  assert.match(p.error, /Can't locate revision identified by 'nope'/);
});

test('version and limits', () => {
  assert.match(migplan.version(), /^\d+\.\d+\.\d+/);
  const l = migplan.limits();
  assert.ok(l.maxFiles > 0 && l.maxTotalBytes > 0 && l.maxFileBytes > 0);
});

for (const project of projects()) {
  test(`schema equals schema heads --format json: ${project.name}`, () => {
    const { files, options } = load(project);
    const native = cli(project.dir, [...project.args, 'schema', 'heads', '--format', 'json']);
    let wasm;
    try {
      wasm = plain(migplan.schema(files, options));
    } catch (e) {
      // The CLI refused too (a cycle, an unknown revision): both say so.
      assert.ok(!native.json, `wasm threw ${e.message} but the CLI printed a schema`);
      return;
    }
    assert.ok(native.json, `the CLI printed no schema: ${native.stderr}`);
    const { sql, diagnostics, ...rest } = wasm;
    assert.deepEqual(rest, native.json);
    assert.equal(typeof sql, 'string');
    assert.ok(Array.isArray(diagnostics));
  });
}

test('schema at a revision, with its SQL', () => {
  const files = [
    { path: 'v/a1.py', text: 'from alembic import op\nimport sqlalchemy as sa\nrevision = "a1"\ndown_revision = None\ndef upgrade():\n    op.create_table("users", sa.Column("id", sa.BigInteger(), primary_key=True))\ndef downgrade():\n    op.drop_table("users")\n' },
    { path: 'v/b2.py', text: 'from alembic import op\nimport sqlalchemy as sa\nrevision = "b2"\ndown_revision = "a1"\ndef upgrade():\n    op.add_column("users", sa.Column("email", sa.String(200)))\ndef downgrade():\n    op.drop_column("users", "email")\n' },
  ];
  const atA = migplan.schema(files, { revision: 'a1' });
  assert.deepEqual(atA.revision, ['a1']);
  assert.deepEqual(atA.schema.tables.users.columns.map((c) => c.name), ['id']);
  const atHead = migplan.schema(files);
  assert.deepEqual(atHead.schema.tables.users.columns.map((c) => [c.name, c.type, c.nullable]), [['id', 'BIGINT', false], ['email', 'VARCHAR(200)', true]]);
  assert.match(atHead.sql, /CREATE TABLE users \(\n    id BIGINT NOT NULL,\n    email VARCHAR\(200\)/);
  assert.throws(() => migplan.schema(files, { revision: 'nope' }), /options\.revision/);
});

test('validation options: migplan.toml text, versions, since', () => {
  const files = [
    { path: 'm/000001_users.up.sql', text: 'CREATE TABLE users (id bigint PRIMARY KEY);\n' },
    { path: 'm/000001_users.down.sql', text: 'DROP TABLE users;\n' },
    { path: 'm/000002_drop.up.sql', text: "SET lock_timeout = '5s';\nALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();\n" },
    { path: 'm/000002_drop.down.sql', text: 'ALTER TABLE users DROP COLUMN token;\n' },
  ];
  const codes = (r) => r.diagnostics.map((d) => `${d.severity} ${d.code}`);
  assert.deepEqual(codes(migplan.analyze(files)), ['warning volatile-default']);
  assert.deepEqual(codes(migplan.analyze(files, { config: '[rules]\nvolatile-default = "error"\n' })), ['error volatile-default']);
  assert.deepEqual(codes(migplan.analyze(files, { config: '[rules]\nvolatile-default = "off"\n' })), []);
  // Lint the two migrations as one plan: users is new, nothing to rewrite.
  assert.deepEqual(codes(migplan.analyze(files, { since: 'base' })), []);
  assert.throws(() => migplan.analyze(files, { config: '[rules]\nvolatile-defaul = "off"\n' }), /options\.config: line 2: .*volatile-defaul/);
  assert.throws(() => migplan.analyze(files, { pgVersion: 'fifteen' }), /options\.pgVersion/);
});

test('validation options: the strict preset adds hygiene rules', () => {
  const files = [
    { path: 'm/000001_users.up.sql', text: 'CREATE TABLE users (id integer PRIMARY KEY);\n' },
    { path: 'm/000001_users.down.sql', text: 'DROP TABLE users;\n' },
  ];
  const codes = (r) => r.diagnostics.map((d) => d.code);
  assert.deepEqual(codes(migplan.analyze(files)), []);
  assert.deepEqual(codes(migplan.analyze(files, { preset: 'strict' })), ['prefer-bigint-primary-key']);
  assert.deepEqual(codes(migplan.analyze(files, { config: '[rules]\npreset = "strict"\n' })), ['prefer-bigint-primary-key']);
  assert.deepEqual(codes(migplan.analyze(files, { config: '[rules]\npreset = "strict"\n', preset: 'default' })), []);
  assert.throws(() => migplan.analyze(files, { preset: 'pedantic' }), /options\.preset/);
});
