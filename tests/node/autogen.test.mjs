// `autogenerate` answers what the native CLI answers on every tests/autogen project: the
// revision `migplan revision --autogenerate` writes (byte for byte but its Create Date) and
// where, and the findings of `migplan check --models --format json`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migplan, cli, root, folderFiles, modelCodes } from './helpers.mjs';

const cases = path.join(root, 'tests/autogen');

const noDate = (t) => t.replace(/^Create Date: .*$/m, 'Create Date: <now>');
const key = (d) => `${d.file}:${d.line}:${d.column} ${d.code} ${d.message}`;

for (const name of fs.readdirSync(cases).sort()) {
  test(`autogenerate equals revision --autogenerate and check --models: ${name}`, () => {
    const dir = path.join(cases, name);
    const files = folderFiles(dir);
    const r = migplan.autogenerate(files, { message: 'x', revId: 'mig' });

    const copy = fs.mkdtempSync(path.join(os.tmpdir(), `migplan-ag-${name}-`));
    fs.cpSync(dir, copy, { recursive: true, filter: (p) => !p.endsWith('__pycache__') && !p.endsWith('scratch.db') });
    try {
      const before = new Set(folderFiles(copy).map((f) => f.path));
      const native = cli(copy, ['revision', '--autogenerate', '-m', 'x', '--rev-id', 'mig']);
      assert.equal(native.status, 0, native.stderr);
      const written = folderFiles(copy).filter((f) => !before.has(f.path));
      if (native.stdout.includes('No changes in schema detected')) {
        assert.equal(written.length, 0);
        assert.equal(r.revision, null);
        assert.equal(r.path, null);
      } else {
        assert.equal(written.length, 1, native.stdout);
        assert.equal(r.path, written[0].path);
        assert.equal(noDate(r.revision), noDate(written[0].text));
      }
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }

    const check = cli(dir, ['check', '--models', '--format', 'json']);
    assert.ok(check.json, check.stderr);
    const nativeFindings = check.json.diagnostics.filter((d) => modelCodes.has(d.code)).map(key).sort();
    assert.deepEqual(r.findings.map(key).sort(), nativeFindings);
    assert.ok(r.findings.every((d) => modelCodes.has(d.code)));
    assert.ok(Array.isArray(r.unknown));
  });
}

test('autogenerate: misuse throws, options are checked', () => {
  assert.throws(() => migplan.autogenerate('x'), /files: expected an array/);
  assert.throws(() => migplan.autogenerate([], { mesage: 'x' }), /options: unknown field `mesage`/);
  assert.throws(() => migplan.autogenerate([{ path: 'v/a.py', text: 'x = 1\n' }]), /alembic\.ini/);
});

test('autogenerate: no Python run, no clock needed; a random revision id when none is given', () => {
  const files = folderFiles(path.join(cases, 'new_table'));
  const r = migplan.autogenerate(files, { message: 'add orders' });
  assert.match(r.path, /^migrations\/versions\/[0-9a-f]{12}_add_orders\.py$/);
  assert.match(r.revision, /^revision(: str)? = '[0-9a-f]{12}'$/m);
  assert.ok(r.findings.some((d) => d.code === 'models-drift'));
});
