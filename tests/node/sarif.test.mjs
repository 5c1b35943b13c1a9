// `migplan check --format sarif` against the SARIF 2.1.0 JSON schema (the copy shipped in
// the npm package @microsoft/jest-sarif, a draft-04 schema, validated with ajv 6).
// Runs the native CLI only: no wasm package needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const Ajv = require('ajv');
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = process.env.MIGPLAN_BIN ?? path.join(root, 'target/debug/migplan');
const schema = require('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');

function validator() {
  const ajv = new Ajv({ schemaId: 'id', allErrors: true });
  ajv.addMetaSchema(require('ajv/lib/refs/json-schema-draft-04.json'));
  return ajv.compile(schema);
}

function sarifOf(cwd, args) {
  const r = spawnSync(bin, [...args, 'check', '--format', 'sarif'], { cwd, encoding: 'utf8' });
  assert.ok(r.status === 0 || r.status === 1, `${args}: exit ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

test('the committed PR-mode golden is valid SARIF 2.1.0', () => {
  const validate = validator();
  const text = fs.readFileSync(path.join(root, 'tests/pr_mode/expected/check.sarif'), 'utf8');
  const log = JSON.parse(text.slice(0, text.indexOf('\n--- exit')));
  assert.ok(validate(log), JSON.stringify(validate.errors, null, 2));
  assert.equal(log.version, '2.1.0');
  assert.ok(log.runs[0].results.length > 0);
});

test('every fixture and SQL folder checks to valid SARIF with located results', () => {
  const validate = validator();
  const cases = [];
  const fx = path.join(root, 'tests/fixtures');
  for (const base of [fx, path.join(fx, 'broken')]) {
    for (const name of fs.readdirSync(base).sort()) {
      if (fs.existsSync(path.join(base, name, 'alembic.ini'))) cases.push([path.join(base, name), []]);
    }
  }
  const sql = path.join(root, 'tests/sql_folders');
  for (const name of fs.readdirSync(sql).sort()) {
    const dir = path.join(sql, name);
    const folder = ['migrations', 'db', 'sql'].find((d) => fs.existsSync(path.join(dir, d)));
    if (folder) cases.push([dir, ['-d', folder]]);
  }
  assert.ok(cases.length > 5, 'found the projects');
  let results = 0;
  for (const [dir, args] of cases) {
    const log = sarifOf(dir, args);
    assert.ok(validate(log), `${dir}: ${JSON.stringify(validate.errors, null, 2)}`);
    const run = log.runs[0];
    for (const r of run.results) {
      results += 1;
      assert.equal(run.tool.driver.rules[r.ruleIndex].id, r.ruleId);
      const loc = r.locations[0].physicalLocation;
      assert.ok(loc.artifactLocation.uri.length > 0 && loc.region.startLine >= 1, `${dir}: ${JSON.stringify(r)}`);
    }
  }
  assert.ok(results > 10, `results checked: ${results}`);
});
