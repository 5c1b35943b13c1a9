// Shared helpers for the Node tests of the wasm package (pkg/node).
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { root, bin } from './projects.mjs';

export { root, bin, projects } from './projects.mjs';
const require = createRequire(import.meta.url);
export const migplan = require(path.join(root, 'pkg/node/migplan.js'));

/** Run the native CLI; returns { status, stdout, json } (json when stdout parses). */
export function cli(cwd, args) {
  const r = spawnSync(bin, args, { cwd, encoding: 'utf8', maxBuffer: 1 << 28 });
  let json;
  try { json = JSON.parse(r.stdout); } catch { json = undefined; }
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, json };
}

/** Decode a file as the CLI does: UTF-8 without BOM, Latin-1 when not UTF-8; null if binary. */
export function readText(file) {
  const buf = fs.readFileSync(file);
  if (buf.includes(0)) return null;
  let text;
  try { text = new TextDecoder('utf-8', { fatal: true }).decode(buf); } catch { text = buf.toString('latin1'); }
  return text.startsWith('\uFEFF') ? text.slice(1) : text;
}

/** The files the CLI reads for a project, as the wasm API takes them, plus its options. */
export function load(project) {
  const listed = cli(project.dir, [...project.args, 'files', '--format', 'json']).json;
  const files = [];
  for (const p of listed.files) {
    const text = readText(path.join(project.dir, p));
    if (text !== null) files.push({ path: p, text });
  }
  const options = { dialect: listed.dialect };
  if (listed.layout && listed.layout !== 'alembic') {
    options.layout = listed.layout;
    options.roots = listed.roots;
  }
  if (listed.layout === 'alembic') options.layout = 'alembic';
  return { files, options, listed };
}

/** Diagnostics about reading bytes (binary files, encodings) come from the caller's reader,
 * not from the wasm API, which takes strings. */
export const readerCodes = new Set(['binary-file', 'invalid-encoding', 'config-error']);

/** A linear Alembic history of `n` revisions, with a side branch merged back every 50. */
export function writeHistory(dir, n) {
  fs.mkdirSync(path.join(dir, 'versions'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'alembic.ini'), '[alembic]\nscript_location = %(here)s\n');
  let prev = null;
  for (let i = 0; i < n; i++) {
    const id = `r${String(i).padStart(4, '0')}`;
    const down = prev ? `"${prev}"` : 'None';
    fs.writeFileSync(path.join(dir, 'versions', `${id}.py`), `"""step ${i}"""\nfrom alembic import op\nimport sqlalchemy as sa\nrevision = "${id}"\ndown_revision = ${down}\n\ndef upgrade():\n    op.add_column("t", sa.Column("c${i}", sa.Integer()))\n\ndef downgrade():\n    op.drop_column("t", "c${i}")\n`);
    prev = id;
    if (i % 50 === 25) {
      const side = `s${String(i).padStart(4, '0')}`;
      fs.writeFileSync(path.join(dir, 'versions', `${side}.py`), `"""side ${i}"""\nfrom alembic import op\nrevision = "${side}"\ndown_revision = "${id}"\n\ndef upgrade():\n    op.create_index("ix_${i}", "t", ["c${i}"])\n\ndef downgrade():\n    op.drop_index("ix_${i}")\n`);
      const m = `m${String(i).padStart(4, '0')}`;
      fs.writeFileSync(path.join(dir, 'versions', `${m}.py`), `"""merge ${i}"""\nrevision = "${m}"\ndown_revision = ("${id}", "${side}")\n\ndef upgrade():\n    pass\n\ndef downgrade():\n    pass\n`);
      prev = m;
    }
  }
  return dir;
}

/** The codes of `check --models`. */
export const modelCodes = new Set(['models-drift', 'model-not-imported', 'model-other-metadata', 'model-duplicate-table', 'model-unknown']);

/** Every file of a project folder as `{ path, text }`, paths relative to it. */
export function folderFiles(dir, rel = '') {
  const out = [];
  for (const name of fs.readdirSync(path.join(dir, rel)).sort()) {
    if (name === '__pycache__' || name === 'scratch.db') continue;
    const p = rel ? `${rel}/${name}` : name;
    if (fs.statSync(path.join(dir, p)).isDirectory()) out.push(...folderFiles(dir, p));
    else {
      const text = readText(path.join(dir, p));
      if (text !== null) out.push({ path: p, text });
    }
  }
  return out;
}
