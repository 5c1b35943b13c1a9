// The projects every Node test runs on, and where the native CLI is. No wasm loaded here:
// cli.test.mjs uses this without the wasm API package.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const bin = process.env.MIGPLAN_BIN ?? path.join(root, 'target/debug/migplan');

/** Every project the native tests cover: Alembic fixtures (run from their folder) and the
 * plain-SQL folders (with the -d/--dialect arguments of their `check` case). */
export function projects() {
  const out = [];
  const fx = path.join(root, 'tests/fixtures');
  for (const base of [fx, path.join(fx, 'broken')]) {
    for (const name of fs.readdirSync(base).sort()) {
      const dir = path.join(base, name);
      const ini = path.join(dir, 'alembic.ini');
      if (fs.existsSync(ini)) {
        // Multi-database ini files: one project per section that has a script_location.
        const sections = [...fs.readFileSync(ini, 'utf8').matchAll(/^\[([^\]]+)\]\s*\n(?:[^\[]*\n)*?script_location/gm)].map((m) => m[1]);
        const names = sections.length === 0 || sections.includes('alembic') ? ['alembic'] : sections;
        for (const s of names) {
          out.push({ name: path.relative(fx, dir) + (s === 'alembic' ? '' : ` -n ${s}`), dir, args: s === 'alembic' ? [] : ['-n', s] });
        }
      } else if (fs.existsSync(path.join(dir, 'pyproject.toml'))) {
        out.push({ name: path.relative(fx, dir), dir, args: [] });
      }
    }
  }
  const sf = path.join(root, 'tests/sql_folders');
  for (const name of fs.readdirSync(sf).sort()) {
    const dir = path.join(sf, name);
    const casesFile = path.join(dir, 'cases.txt');
    if (!fs.existsSync(casesFile)) continue;
    const check = fs.readFileSync(casesFile, 'utf8').split('\n').find((l) => /:\s.*\bcheck\b/.test(l));
    const words = check.split(':').slice(1).join(':').trim().split(/\s+/);
    const args = [];
    for (let i = 0; i < words.length; i++) {
      if (['-d', '--dialect', '--layout'].includes(words[i])) args.push(words[i], words[++i]);
    }
    if (!args.includes('-d')) args.unshift('-d', 'migrations');
    out.push({ name: `sql_folders/${name}`, dir, args });
  }
  return out;
}
