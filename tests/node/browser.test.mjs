// The web page in a real browser (Debian chromium driven by playwright-core), served by
// `migplan serve`, against the native CLI's answers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { root, bin, cli, writeHistory, modelCodes, folderFiles } from './helpers.mjs';

const shots = path.join(root, 'target/screenshots');
let browser;
const servers = [];

async function serve(project) {
  const proc = spawn(bin, ['serve', project, '--port', '0', '--assets', root], { stdio: ['ignore', 'pipe', 'inherit'] });
  servers.push(proc);
  const url = await new Promise((resolve, reject) => {
    let buf = '';
    proc.stdout.on('data', (d) => {
      buf += d;
      const m = buf.match(/at (http:\/\/127\.0\.0\.1:\d+\/)/);
      if (m) resolve(m[1]);
    });
    proc.on('exit', (c) => reject(new Error(`serve exited ${c}`)));
  });
  return url;
}

async function open(url, { width = 1400, height = 900 } = {}) {
  const page = await browser.newPage({ viewport: { width, height } });
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('dialog', (d) => { problems.push(`dialog: ${d.message()}`); d.dismiss(); });
  await page.goto(url);
  await page.waitForSelector('body[data-ready="1"]');
  return { page, problems };
}

before(async () => {
  fs.mkdirSync(shots, { recursive: true });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
});
after(async () => {
  await browser?.close();
  for (const s of servers) s.kill();
});

const sqlOf = (page) => page.$eval('#sql', (e) => e.textContent);

test('the example project: graph, heads, findings, plan equal the CLI', async () => {
  const dir = path.join(root, 'examples/shop');
  const { page, problems } = await open(await serve(dir));
  const check = cli(dir, ['check', '--format', 'json']).json;
  assert.equal(await page.locator('svg.graph [data-rev]').count(), check.revisions);
  assert.equal(await page.textContent('#heads'), check.heads.join(', '));
  assert.equal(await page.locator('#tab-findings .finding').count(), check.diagnostics.length);
  await page.click('#tab-plan-btn');
  const native = cli(dir, ['upgrade', 'heads', '--sql']).stdout;
  assert.equal(await sqlOf(page), native);
  await page.screenshot({ path: path.join(shots, 'page-example.png') });
  assert.deepEqual(problems, []);
});

test('a baseline in migplan.toml: new findings first, deployed history as counts, as the CLI', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migplan-baseline-'));
  fs.cpSync(path.join(root, 'examples/shop'), dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'migplan.toml'), '[rules]\npreset = "strict"\n\n[check]\nbaseline = ["e6f18a3c5b90"]\n');
  const check = cli(dir, ['check', '--format', 'json']).json;
  const hiddenTotal = check.hidden.reduce((t, h) => t + h.count, 0);
  assert.ok(hiddenTotal > 0 && check.diagnostics.length > 0, JSON.stringify(check));
  const { page, problems } = await open(await serve(dir));
  assert.equal(await page.locator('#tab-findings .finding').count(), check.diagnostics.length);
  const summary = await page.textContent('#deployed-history summary');
  assert.match(summary, new RegExp(`Deployed history: ${hiddenTotal} findings? not shown`));
  assert.equal(await page.locator('#deployed-history li').count(), check.hidden.length);
  assert.match(await page.textContent('#deployed-count'), new RegExp(`in deployed history`));
  // The header counts what is listed, in the singular where there is one.
  const warnings = check.diagnostics.filter((d) => d.severity === 'warning').length;
  assert.match(await page.textContent('#summary'), new RegExp(`${warnings} warning${warnings === 1 ? '' : 's'}\\b`));
  await page.screenshot({ path: path.join(shots, 'page-baseline.png') });
  assert.deepEqual(problems, []);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('scripts the version locations leave out: the same warning as the CLI, in the findings', async () => {
  const dir = path.join(root, 'tests/discovery/nested_releases/repo');
  const check = cli(dir, ['check', '--format', 'json']).json;
  const warned = check.diagnostics.filter((d) => d.code === 'scripts-outside-version-locations');
  assert.equal(warned.length, 1, JSON.stringify(check));
  const { page, problems } = await open(await serve(dir));
  const finding = page.locator('#tab-findings .finding', { hasText: 'scripts-outside-version-locations' });
  assert.equal(await finding.count(), 1);
  const text = await finding.textContent();
  assert.ok(text.includes(warned[0].message), text);
  assert.ok(text.includes(warned[0].help), text);
  assert.match(await page.textContent('#summary'), /\b1 warning\b/);
  await page.screenshot({ path: path.join(shots, 'page-unread-scripts.png') });
  assert.deepEqual(problems, []);
});

test('a fixture loaded through the folder input; click, dialect, URL hash', async () => {
  const { page, problems } = await open(await serve(path.join(root, 'examples/shop')));
  const dir = path.join(root, 'tests/fixtures/branchy');
  await page.setInputFiles('#folder', dir);
  await page.waitForFunction(() => document.getElementById('project-name').textContent.startsWith('branchy'));
  const check = cli(dir, ['check', '--format', 'json']).json;
  assert.equal(await page.locator('svg.graph [data-rev]').count(), check.revisions);
  assert.equal(await page.textContent('#heads'), check.heads.join(', '));

  // Click a revision: its details show.
  const rev = check.heads[0];
  await page.click(`svg.graph [data-rev="${rev}"]`);
  assert.match(await page.textContent('#tab-revision'), new RegExp(`Revision ${rev}`));
  assert.equal(await page.getAttribute('#tab-revision-btn', 'aria-selected'), 'true');

  // Change the dialect: the plan follows, and equals the CLI's for that dialect.
  await page.click('#tab-plan-btn');
  await page.selectOption('#dialect', 'mysql');
  const native = cli(dir, ['upgrade', 'heads', '--sql', '--dialect', 'mysql']).stdout;
  assert.equal(await sqlOf(page), native);

  // The hash keeps the view: reload and find it again.
  const hash = new URL(page.url()).hash;
  assert.match(hash, new RegExp(`rev=${rev}`));
  assert.match(hash, /dialect=mysql/);
  await page.setInputFiles('#folder', dir);
  await page.waitForFunction(() => document.body.dataset.ready === '1');
  await page.evaluate(() => { location.hash = '#dialect=sqlite&tab=plan&to=heads'; });
  await page.waitForFunction(() => document.getElementById('dialect').value === 'sqlite');
  assert.equal(await sqlOf(page), cli(dir, ['upgrade', 'heads', '--sql', '--dialect', 'sqlite']).stdout);
  assert.deepEqual(problems, []);
});

// The Models tab on a folder picked with the folder input (the models' .py files come from
// the picked folder, not from a server): Flask-Migrate's layout, env.py taking the app's db.
test('the Models tab on a folder picked through the folder input: Flask-Migrate', async () => {
  const { page, problems } = await open(await serve(path.join(root, 'examples/shop')));
  const dir = path.join(root, 'tests/discovery/flask_migrate/repo');
  await page.setInputFiles('#folder', dir);
  await page.waitForFunction(() => document.getElementById('project-name').textContent.startsWith('repo'));
  const check = cli(dir, ['check', '--models', '--format', 'json']).json;
  const findings = check.diagnostics.filter((d) => modelCodes.has(d.code));
  assert.ok(findings.some((d) => d.code === 'models-drift'), JSON.stringify(check.diagnostics));
  await page.click('#tab-models-btn');
  await page.waitForSelector('body[data-models-ready="1"]');
  assert.equal(await page.locator('#models-view .finding').count(), findings.length);
  const text = await page.textContent('#models-view');
  for (const f of findings) assert.ok(text.includes(f.message), `${f.message} in ${text}`);
  assert.equal(await page.textContent('#models-count'), ' · models: 1 drift finding');
  assert.match(await page.textContent('#models-revision'), /op\.add_column\('users', sa\.Column\('last_seen', sa\.DateTime\(\), nullable=True\)\)/);
  await page.screenshot({ path: path.join(shots, 'page-models-folder-input.png'), fullPage: true });
  assert.deepEqual(problems, []);
});

test('the schema view: tables at heads and at a revision equal `migplan schema`', async () => {
  const dir = path.join(root, 'examples/shop');
  const { page, problems } = await open(await serve(dir));
  await page.click('#tab-schema-btn');
  await page.waitForSelector('#schema-view .schema-table');
  const heads = cli(dir, ['schema', 'heads', '--format', 'json']).json.schema;
  const shownTables = async () => page.$$eval('#schema-view .schema-table', (xs) => xs.map((x) => x.dataset.table));
  assert.deepEqual(await shownTables(), Object.values(heads.tables).map((t) => t.name));
  // Column rows: name, type, nullability, as the CLI simulates them.
  const first = Object.values(heads.tables)[0];
  const rows = await page.$$eval(`#schema-view [data-table="${first.name}"] tbody tr`, (trs) => trs.map((tr) => [...tr.cells].slice(0, 3).map((c) => c.textContent)));
  assert.deepEqual(rows, first.columns.map((c) => [c.name, c.type, c.nullable ? 'null' : 'not null']));
  await page.screenshot({ path: path.join(shots, 'page-schema.png') });

  // Selecting the base revision in the graph shows the schema there.
  const base = cli(dir, ['history', '--format', 'json']).json.history.at(-1).revision;
  await page.click(`svg.graph [data-rev="${base}"]`);
  await page.click('#tab-schema-btn');
  const atBase = cli(dir, ['schema', base, '--format', 'json']).json.schema;
  await page.waitForFunction((n) => document.querySelectorAll('#schema-view .schema-table').length === n, Object.keys(atBase.tables).length);
  assert.deepEqual(await shownTables(), Object.values(atBase.tables).map((t) => t.name));
  assert.equal(await page.inputValue('#schema-rev'), base);
  // The filter narrows the tables shown.
  await page.fill('#schema-filter', 'zzz-no-such-table');
  assert.match(await page.textContent('#schema-view'), /No table matches/);
  assert.deepEqual(problems, []);
});

function hostileProject() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migplan-xss-'));
  fs.mkdirSync(path.join(dir, 'versions'));
  fs.writeFileSync(path.join(dir, 'alembic.ini'), '[alembic]\nscript_location = %(here)s\n');
  const evil = '<script>alert(1)</script><img src=x onerror=alert(2)> javascript:alert(3)';
  fs.writeFileSync(path.join(dir, 'versions', 'a1_evil.py'), `"""${evil}\n\nRevision ID: a1\n"""\nfrom alembic import op\nrevision = "a1<img src=x onerror=alert(4)>"\ndown_revision = None\n\ndef upgrade():\n    op.execute("SELECT 1 -- ${evil}")\n    op.create_table("t<script>alert(5)</script>")\n\ndef downgrade():\n    pass\n`);
  fs.writeFileSync(path.join(dir, 'versions', 'b2.py'), `"""second ${evil}"""\nrevision = "b2"\ndown_revision = "missing<script>alert(6)</script>"\n\ndef upgrade():\n    pass\n\ndef downgrade():\n    pass\n`);
  return dir;
}

test('hostile text renders as text in the page and the static report', async () => {
  const dir = hostileProject();
  const { page, problems } = await open(await serve(dir));
  await page.click('#tab-plan-btn');
  for (const rev of await page.$$eval('svg.graph [data-rev]', (ns) => ns.map((n) => n.dataset.rev))) {
    await page.click(`svg.graph [data-rev="${rev.replace(/"/g, '\\"')}"]`);
  }
  await page.click('#tab-findings-btn');
  assert.equal(await page.locator('img').count(), 0, 'no injected <img>');
  assert.equal(await page.locator('script').count(), 1, 'only the page script');
  assert.match(await page.textContent('#graph'), /<script>alert\(1\)<\/script>/);
  assert.deepEqual(problems, []);

  // The static report: no raw `<` from user text anywhere, and it opens under a strict CSP.
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'migplan-report-'));
  const r = cli(dir, ['report', '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  const html = fs.readFileSync(path.join(out, 'index.html'), 'utf8');
  for (const bad of ['<script>alert', '<img', '</script><script']) assert.ok(!html.includes(bad), bad);
  assert.doesNotMatch(html, /(href|src|action)\s*=\s*["']?\s*javascript:/i);
  assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
  const rp = await browser.newPage();
  const seen = [];
  rp.on('dialog', (d) => { seen.push(d.message()); d.dismiss(); });
  rp.on('console', (m) => { if (m.type() === 'error' && !/Content Security Policy/.test(m.text())) seen.push(m.text()); });
  await rp.goto(`file://${path.join(out, 'index.html')}`);
  assert.equal(await rp.locator('img').count(), 0);
  assert.match(await rp.textContent('body'), /<script>alert\(1\)<\/script>/);
  assert.deepEqual(seen, []);
});

test('a 1,000-revision project: drawn, searchable, screenshot', async () => {
  const dir = writeHistory(fs.mkdtempSync(path.join(os.tmpdir(), 'migplan-1000-')), 1000);
  const { page, problems } = await open(await serve(dir));
  const check = cli(dir, ['check', '--format', 'json']).json;
  assert.equal(await page.locator('svg.graph [data-rev]').count(), check.revisions);
  await page.fill('#search', 'step 500');
  assert.ok(await page.locator('svg.graph .node.match').count() >= 1);
  await page.fill('#search', '');
  await page.screenshot({ path: path.join(shots, 'page-1000.png') });
  console.log(`# load to drawn graph + plan, 1,000+ revisions: ${await page.evaluate(() => document.body.dataset.loadMs)} ms`);
  assert.deepEqual(problems, []);
});

// The Models tab: what `check --models` finds and what `revision --autogenerate` writes.
for (const name of ['new_table', 'not_imported', 'in_sync', 'installed_package']) {
  test(`the Models tab equals check --models and revision --autogenerate: ${name}`, async () => {
    const dir = path.join(root, 'tests/autogen', name);
    const check = cli(dir, ['check', '--models', '--format', 'json']).json;
    const findings = check.diagnostics.filter((d) => modelCodes.has(d.code));
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), `migplan-page-ag-${name}-`));
    fs.cpSync(dir, copy, { recursive: true, filter: (p) => !p.endsWith('__pycache__') && !p.endsWith('scratch.db') });
    const before = new Set(folderFiles(copy).map((f) => f.path));
    const native = cli(copy, ['revision', '--autogenerate', '-m', 'x', '--rev-id', 'mig']);
    assert.equal(native.status, 0, native.stderr);
    const written = folderFiles(copy).filter((f) => !before.has(f.path));
    fs.rmSync(copy, { recursive: true, force: true });

    const { page, problems } = await open(await serve(dir));
    await page.click('#tab-models-btn');
    await page.waitForSelector('body[data-models-ready="1"]');
    await page.fill('#models-message', 'x');
    await page.dispatchEvent('#models-message', 'change');
    await page.waitForSelector('body[data-models-ready="1"]');
    assert.equal(await page.locator('#models-view .finding').count(), findings.length);
    if (written.length === 0) {
      assert.equal(await page.locator('#models-revision').count(), 0);
      assert.match(await page.textContent('#models-agree'), /agree/);
    } else {
      const text = await page.textContent('#models-revision');
      const id = text.match(/^revision(?:: str)? = '([0-9a-f]{12})'$/m)[1];
      const noDate = (t) => t.replace(/^Create Date: .*$/m, 'Create Date: <now>');
      assert.equal(noDate(text.replaceAll(id, 'mig')), noDate(written[0].text));
      assert.equal((await page.getAttribute('#models-revision', 'data-path')).replace(id, 'mig'), written[0].path);
      await page.locator('#models-revision').scrollIntoViewIfNeeded();
      await page.screenshot({ path: path.join(shots, `page-models-${name}-revision.png`) });
    }
    await page.screenshot({ path: path.join(shots, `page-models-${name}.png`), fullPage: true });
    assert.deepEqual(problems, []);
  });
}
