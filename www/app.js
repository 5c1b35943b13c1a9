// migplan in the browser: everything runs in this page's WebAssembly; no file leaves the machine.
// User text is only ever put into the page with textContent; the graph SVG comes from the core,
// which escapes every piece of text in it.
import init, * as mp from '/pkg/migplan.js';

const $ = (id) => document.getElementById(id);
const el = (tag, attrs = {}, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c != null) e.append(c);
  return e;
};

const state = {
  name: '',
  files: [],          // the project's files as analysed
  options: {},        // layout / roots / dialect for analyze and plan
  analysis: null,
  selected: null,
  zoom: 1,
  tab: 'findings',
};

// script.py.mako: the template the Models tab's revision is written through.
const WANTED = /(\.(py|ini|toml|sql|ya?ml|conf|cfg|hcl)|atlas\.sum|\.env|script\.py\.mako)$/;
const SKIP = /(^|\/)(\.git|node_modules|target|__pycache__|\.venv|venv)\//;

const appStart = performance.now();
// Fetch the served project (if any) while the wasm compiles.
const served = fetch('/api/project').then((r) => (r.ok ? r.json() : null)).catch(() => null);
await init();
const wasmReady = performance.now();
// The core's styles first, so the page's own stylesheet can adjust them.
document.head.prepend(el('style', {}, mp.styles()));

// ---------------------------------------------------------------- loading

async function readFileList(list) {
  const out = [];
  for (const f of list) {
    const path = f.webkitRelativePath || f.relPath || f.name;
    if (!WANTED.test(path) || SKIP.test(path) || f.size > 16 * 1024 * 1024) continue;
    let text = await f.text();
    if (text.includes('\u0000')) continue;
    if (text.startsWith('\uFEFF')) text = text.slice(1);
    out.push({ path, text });
  }
  return out;
}

/** `allUrl`: where the whole served folder is, when `migplan serve` narrowed to the project
 * below it (the Models tab fetches it when opened: the models may sit beside the project). */
function load(all, name, allUrl = null) {
  const sel = mp.selectProject(all);
  if (sel.kind === 'none') {
    $('project-name').textContent = `${name}: ${sel.problem ?? 'no migrations found'}`;
    return;
  }
  const keep = new Set(sel.files);
  state.files = all.filter((f) => keep.has(f.path));
  state.options = sel.kind === 'alembic' ? { layout: 'alembic' } : { roots: sel.roots };
  if (sel.dialect) { state.options.dialect = sel.dialect; $('dialect').value = sel.dialect; }
  // The folder's migplan.toml (the shallowest one): rule settings and `[check] baseline`,
  // whose deployed history the findings panel collapses as `check` does.
  const tomls = all.filter((f) => f.path.split('/').pop() === 'migplan.toml');
  tomls.sort((x, y) => x.path.split('/').length - y.path.split('/').length);
  if (tomls.length) state.options.config = tomls[0].text;
  // Several projects in the folder: say which one is shown.
  const several = (sel.projects ?? []).length > 1;
  state.name = name;
  state.note = several ? ` (${sel.config ?? sel.roots[0]}, 1 of ${sel.projects.length} projects: open its folder for another)` : '';
  // Every file of the folder: the Models tab reads the models' .py files from it.
  state.all = all;
  state.allUrl = allUrl;
  // What the selection itself found (scripts the version locations leave out), as `check`
  // lists it: with the project's findings.
  state.selectionFindings = sel.diagnostics ?? [];
  analyzeAndRender();
}

function analyzeAndRender() {
  const t0 = performance.now();
  // The hash may choose the plan's settings; apply it to the form before the one analysis
  // that also makes the first plan.
  applyHash({ formOnly: true });
  try {
    state.analysis = mp.analyze(state.files, { ...state.options, graphSvg: true, plan: planRequest() });
    state.configProblem = null;
  } catch (e) {
    // A migplan.toml that cannot be used: say so, and show the project without it.
    if (!state.options.config) throw e;
    state.configProblem = String(e.message ?? e);
    delete state.options.config;
    state.analysis = mp.analyze(state.files, { ...state.options, graphSvg: true, plan: planRequest() });
  }
  const t1 = performance.now();
  const a = state.analysis;
  a.diagnostics = [...(state.selectionFindings ?? []), ...a.diagnostics];
  $('project-name').textContent = `${state.name}${state.note ?? ''} · ${a.layout ?? 'unknown layout'} · ${state.files.length} files`;
  renderSummary();
  renderGraph();
  renderFindings();
  fillRevisionLists();
  // A new project: the schema view is rebuilt when shown.
  $('schema-view').replaceChildren();
  $('schema-rev').value = 'heads';
  $('models-view').replaceChildren();
  state.modelsRevision = null;
  const t2 = performance.now();
  applyHash();
  renderPlan(a.plan);
  const t3 = performance.now();
  document.body.dataset.ready = '1';
  document.body.dataset.loadMs = String(Math.round(t3 - t0));
  document.body.dataset.timings = JSON.stringify({
    appStart: Math.round(appStart), wasmReady: Math.round(wasmReady), analyze: Math.round(t1 - t0), draw: Math.round(t2 - t1), plan: Math.round(t3 - t2),
  });
  // Since navigation started: what a user waits for.
  document.body.dataset.readyAt = String(Math.round(t3));
}

// ---------------------------------------------------------------- summary + graph

/** `1 warning`, `2 warnings`, `1,204 findings`. */
function plural(n, one, many = `${one}s`) {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

function hiddenTotal(a) {
  return (a.hidden ?? []).reduce((t, h) => t + h.count, 0);
}

function renderSummary() {
  const a = state.analysis;
  // The counts are of what is listed: new findings and what breaks the project.
  const listed = a.diagnostics.filter((d) => !d.deployed);
  const n = (s) => listed.filter((d) => d.severity === s).length;
  const parts = [
    el('span', {}, `${plural(a.revisions, 'revision')} · ${a.heads.length === 1 ? 'head' : 'heads'} `),
    el('code', { id: 'heads' }, a.heads.join(', ') || '—'),
    el('span', {}, ' · '),
    el('span', { class: 'error' }, plural(n('error'), 'error')), el('span', {}, ' · '),
    el('span', { class: 'warning' }, plural(n('warning'), 'warning')), el('span', {}, ' · '),
    el('span', { class: 'info' }, plural(n('info'), 'note')),
  ];
  const old = hiddenTotal(a) + (a.diagnostics.length - listed.length);
  if (old > 0) {
    parts.push(el('span', { class: 'muted', id: 'deployed-count' }, ` · ${plural(listed.length, 'new finding')} · ${old.toLocaleString('en-US')} in deployed history`));
  }
  // The Models tab's comparison (`check --models`), once it has run: not in the counts above,
  // which are `check`'s.
  const models = state.modelsRevision?.findings;
  if (models) {
    const drift = models.filter((d) => d.code === 'models-drift').length;
    parts.push(el('span', { class: drift ? 'error' : 'muted', id: 'models-count' }, ` · models: ${plural(drift, 'drift finding')}`));
  }
  if (state.configProblem) parts.push(el('span', { class: 'error' }, ` · migplan.toml not used: ${state.configProblem}`));
  $('summary').replaceChildren(...parts);
}

function renderGraph() {
  const box = $('graph');
  // The SVG is built by the core, which escapes all user text.
  box.innerHTML = state.analysis.graph.svg;
  applyZoom();
}

function applyZoom() {
  const svg = $('graph').querySelector('svg');
  if (!svg) return;
  const w = Number(svg.getAttribute('width'));
  const h = Number(svg.getAttribute('height'));
  svg.style.width = `${w * state.zoom}px`;
  svg.style.height = `${h * state.zoom}px`;
}

function nodeOf(rev) {
  return [...$('graph').querySelectorAll('[data-rev]')].find((n) => n.dataset.rev === rev);
}

$('graph').addEventListener('click', (e) => {
  const g = e.target.closest('[data-rev]');
  if (g) select(g.dataset.rev, { tab: 'revision' });
});
$('graph').addEventListener('keydown', (e) => {
  const g = e.target.closest('[data-rev]');
  if (g && (e.key === 'Enter' || e.key === ' ')) { e.preventDefault(); select(g.dataset.rev, { tab: 'revision' }); }
});
document.addEventListener('keydown', (e) => {
  if (e.target.matches('input, select, textarea')) return;
  if (e.key === '/') { e.preventDefault(); $('search').focus(); return; }
  if (!state.analysis) return;
  const rows = state.analysis.graph.layout.nodes;
  const i = rows.findIndex((n) => n.revision === state.selected);
  if (e.key === 'j' || e.key === 'ArrowDown') { e.preventDefault(); select(rows[Math.min(rows.length - 1, i + 1)].revision, { focus: true }); }
  if (e.key === 'k' || e.key === 'ArrowUp') { e.preventDefault(); select(rows[Math.max(0, i - 1)].revision, { focus: true }); }
});

$('search').addEventListener('input', () => {
  const q = $('search').value.trim().toLowerCase();
  const nodes = state.analysis?.graph.nodes ?? [];
  let first = null;
  for (const n of nodes) {
    const g = nodeOf(n.revision);
    if (!g) continue;
    const hit = q !== '' && (n.revision.toLowerCase().includes(q) || n.message.toLowerCase().includes(q));
    g.classList.toggle('match', hit);
    g.classList.toggle('dim', q !== '' && !hit);
    if (hit && !first) first = g;
  }
  first?.scrollIntoView({ block: 'center' });
});
$('zoom-in').addEventListener('click', () => { state.zoom = Math.min(3, state.zoom * 1.25); applyZoom(); });
$('zoom-out').addEventListener('click', () => { state.zoom = Math.max(0.3, state.zoom / 1.25); applyZoom(); });

// ---------------------------------------------------------------- selection + details

function revisionOfFile(file) {
  const nodes = state.analysis.graph.nodes;
  return nodes.find((n) => n.path === file)?.revision;
}

function select(rev, { tab, focus } = {}) {
  if (!rev) return;
  state.selected = rev;
  for (const g of $('graph').querySelectorAll('.node.selected')) g.classList.remove('selected');
  const g = nodeOf(rev);
  if (g) {
    g.classList.add('selected');
    g.scrollIntoView({ block: 'nearest' });
    if (focus) g.focus();
  }
  renderRevision();
  $('schema-rev').value = rev;
  if (state.tab === 'schema') renderSchema();
  if (tab) showTab(tab);
  writeHash();
}

function renderRevision() {
  const a = state.analysis;
  const n = a.graph.nodes.find((x) => x.revision === state.selected);
  const box = $('tab-revision');
  if (!n) { box.replaceChildren(el('p', { class: 'muted' }, 'Click a revision in the graph.')); return; }
  const ops = a.graph.operations[n.revision] ?? { upgrade: [], downgrade: [] };
  const link = (id) => el('button', { type: 'button', class: 'link', onclick: () => select(id) }, id);
  const list = (ids) => (ids.length ? ids.flatMap((id, i) => (i ? [', ', link(id)] : [link(id)])) : ['—']);
  const props = el('dl', { class: 'props' },
    el('dt', {}, 'revision'), el('dd', {}, el('code', {}, n.revision)),
    el('dt', {}, 'file'), el('dd', {}, el('code', {}, n.path)),
    el('dt', {}, 'message'), el('dd', {}, n.message || '—'),
    el('dt', {}, 'parents'), el('dd', {}, ...list(n.down_revisions)),
    el('dt', {}, 'children'), el('dd', {}, ...list(n.children)),
    el('dt', {}, 'labels'), el('dd', {}, n.branch_labels.join(', ') || '—'),
    el('dt', {}, 'depends on'), el('dd', {}, n.depends_on.join(', ') || '—'),
    el('dt', {}, 'created'), el('dd', {}, n.create_date ?? '—'),
  );
  const opList = (xs) => (xs.length ? el('ul', {}, ...xs.map((x) => el('li', {}, x))) : el('p', { class: 'muted' }, 'nothing'));
  const diags = a.diagnostics.filter((d) => d.file === n.path);
  const sqlBox = el('pre', { class: 'sql', id: 'rev-sql' });
  const from = n.down_revisions[0];
  const p = mp.plan(state.files, { ...state.options, dialect: $('dialect').value, direction: 'upgrade', from, to: n.revision });
  highlight(sqlBox, p.error ? `-- ${p.error}` : p.sql);
  box.replaceChildren(
    el('h3', {}, `Revision ${n.revision}`), props,
    el('h3', {}, 'upgrade'), opList(ops.upgrade),
    el('h3', {}, 'downgrade'), opList(ops.downgrade),
    el('h3', {}, `Findings (${diags.length})`), ...diags.map(findingCard),
    el('h3', {}, `SQL (${$('dialect').value})`), sqlBox,
  );
}

// ---------------------------------------------------------------- findings

function snippet(d) {
  const f = state.files.find((x) => x.path === d.file) ?? (state.all ?? []).find((x) => x.path === d.file);
  if (!f || !d.line) return null;
  const line = f.text.split(/\r?\n|\r/)[d.line - 1];
  return line === undefined ? null : el('pre', {}, `${String(d.line).padStart(5)} | ${line}`);
}

function findingCard(d) {
  const where = d.file ? `${d.file}${d.line ? `:${d.line}` : ''}` : '';
  return el('div', {
    class: 'card finding', tabindex: '0', role: 'button', 'data-code': d.code,
    onclick: () => { const r = revisionOfFile(d.file); if (r) select(r, { tab: 'revision' }); },
    onkeydown: (e) => { if (e.key === 'Enter') e.currentTarget.click(); },
  },
  el('span', { class: `${d.severity} code` }, `${d.severity}[${d.code}]`), ' ',
  el('span', { class: 'muted' }, where),
  el('div', {}, d.message), snippet(d),
  d.help ? el('div', { class: 'muted' }, `help: ${d.help}`) : null);
}

function findingGroups(diags) {
  const groups = [];
  for (const sev of ['error', 'warning', 'info']) {
    const ds = diags.filter((d) => d.severity === sev);
    const codes = [...new Set(ds.map((d) => d.code))].sort();
    for (const code of codes) {
      const items = ds.filter((d) => d.code === code);
      groups.push(el('div', { class: 'group' }, el('h3', { class: sev }, `${sev} · ${code} (${items.length})`), ...items.map(findingCard)));
    }
  }
  return groups;
}

function renderFindings() {
  const a = state.analysis;
  const box = $('tab-findings');
  // First what the reader can act on: new findings, and deployed ones that break the
  // project now; the rest of the deployed history only as counts, collapsed.
  const breaking = a.diagnostics.filter((d) => d.deployed);
  const fresh = a.diagnostics.filter((d) => !d.deployed);
  const hidden = a.hidden ?? [];
  if (a.diagnostics.length === 0 && hidden.length === 0) { box.replaceChildren(el('p', { class: 'muted' }, 'No findings.')); return; }
  const parts = [];
  if (fresh.length === 0 && hidden.length) parts.push(el('p', { class: 'muted' }, 'No findings about new revisions.'));
  parts.push(...findingGroups(fresh));
  if (breaking.length) {
    parts.push(el('h2', { class: 'error' }, `In deployed history, breaking the project now (${breaking.length})`), ...findingGroups(breaking));
  }
  if (hidden.length) {
    const total = hidden.reduce((t, h) => t + h.count, 0);
    parts.push(el('details', { id: 'deployed-history' },
      el('summary', {}, `Deployed history: ${plural(total, 'finding')} not shown (at or before the baseline)`),
      el('ul', {}, ...hidden.map((h) => el('li', {}, el('span', { class: `${h.severity} code` }, `${h.severity}[${h.code}]`), ` ${h.count.toLocaleString('en-US')}`)))));
  }
  box.replaceChildren(...parts);
}

// ---------------------------------------------------------------- plan

function fillRevisionLists() {
  $('revs').replaceChildren(...state.analysis.graph.nodes.map((n) => el('option', { value: n.revision }, n.message)));
}

const KEYWORDS = /^(ADD|ALTER|AND|AS|BEGIN|BIGINT|BOOLEAN|BY|CASCADE|CHECK|COLUMN|COMMIT|CONSTRAINT|CREATE|DEFAULT|DELETE|DROP|ENUM|EXISTS|FOREIGN|FROM|FUNCTION|IF|INDEX|INSERT|INTEGER|INTO|IS|KEY|NOT|NULL|ON|OR|PRIMARY|REFERENCES|RENAME|RETURNING|SELECT|SET|TABLE|TEXT|TO|TRIGGER|TYPE|UNIQUE|UPDATE|USING|VALUES|VARCHAR|VIEW|WHERE|WITH|CONCURRENTLY|SERIAL|BIGSERIAL|TIMESTAMP|COMMENT)$/i;

const escapeHtml = (s) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

/** SQL with spans for keywords, strings and comments; opaque steps marked. Every piece of text
 * is escaped; one innerHTML write keeps a 1,000-revision plan fast. */
function highlight(pre, sql) {
  let html = '';
  const re = /(--[^\n]*)|('(?:[^']|'')*')|([A-Za-z_][A-Za-z0-9_]*)|([^-'A-Za-z_]+|-)/g;
  let m;
  while ((m = re.exec(sql)) !== null) {
    if (m[1]) {
      const opaque = m[1].startsWith('-- migplan: opaque') || m[1].startsWith('-- |');
      html += `<span class="${opaque ? 'com opaque' : 'com'}">${escapeHtml(m[1])}</span>`;
    } else if (m[2]) html += `<span class="str">${escapeHtml(m[2])}</span>`;
    else if (m[3]) html += KEYWORDS.test(m[3]) ? `<span class="kw">${m[3]}</span>` : m[3];
    else html += escapeHtml(m[4]);
  }
  pre.innerHTML = html;
}

function planOptions() {
  return {
    ...state.options,
    direction: $('direction').value,
    from: $('from').value.trim() || undefined,
    to: $('to').value.trim() || undefined,
    dialect: $('dialect').value,
    transactionPerMigration: $('tpm').checked,
  };
}

function planRequest() {
  const o = planOptions();
  if (o.direction === 'downgrade' && !o.from) o.from = 'heads';
  return o;
}

function renderPlan(precomputed) {
  if (!state.analysis) return;
  const p = precomputed ?? mp.plan(state.files, planRequest());
  // A rendering error keeps the statements before it, as the CLI prints them.
  state.sql = p.sql ?? '';
  $('plan-status').textContent = p.error ? `FAILED: ${p.error}` : `${p.steps.length} steps, ${p.statements.length} statements`;
  highlight($('sql'), state.sql || `-- ${p.error}`);
}

for (const id of ['direction', 'from', 'to', 'dialect', 'tpm']) {
  $(id).addEventListener('change', () => {
    renderPlan();
    if (id === 'dialect' && state.selected) renderRevision();
    if (id === 'dialect' && state.tab === 'schema') renderSchema();
    writeHash();
  });
}
$('plan-form').addEventListener('submit', (e) => { e.preventDefault(); renderPlan(); });
$('copy').addEventListener('click', async () => {
  try { await navigator.clipboard.writeText(state.sql ?? ''); $('plan-status').textContent = 'copied'; } catch { $('plan-status').textContent = 'copy failed: select the text instead'; }
});
$('download').addEventListener('click', () => {
  const a = el('a', { href: URL.createObjectURL(new Blob([state.sql ?? ''], { type: 'application/sql' })), download: `${state.name || 'plan'}-${$('direction').value}.sql` });
  a.click();
  URL.revokeObjectURL(a.href);
});

// ---------------------------------------------------------------- schema

function schemaTarget() {
  return $('schema-rev').value.trim() || 'heads';
}

function renderSchema() {
  if (!state.analysis) return;
  const box = $('schema-view');
  let r;
  try {
    r = mp.schema(state.files, { ...state.options, dialect: $('dialect').value, revision: schemaTarget() });
  } catch (e) {
    state.schemaSql = '';
    $('schema-status').textContent = `FAILED: ${e.message}`;
    box.replaceChildren();
    return;
  }
  state.schemaSql = r.sql;
  const s = r.schema;
  const tables = Object.values(s.tables);
  const q = $('schema-filter').value.trim().toLowerCase();
  const shown = tables.filter((t) => !q || t.name.toLowerCase().includes(q));
  $('schema-status').textContent = `${r.revision.join(', ') || 'base'} · ${tables.length} tables · ${Object.keys(s.indexes).length} indexes · ${Object.keys(s.types).length} types`;
  const indexes = Object.values(s.indexes);
  const constraintText = (c) => {
    const cols = (c.columns ?? []).join(', ');
    switch (c.kind) {
      case 'primary_key': return `PRIMARY KEY (${cols})`;
      case 'unique': return `UNIQUE (${cols})`;
      case 'foreign_key': return `FOREIGN KEY (${cols}) → ${c.ref_table} (${(c.ref_columns ?? []).join(', ')})`;
      default: return `CHECK (${c.expr})`;
    }
  };
  const tableCard = (t) => el('div', { class: 'card schema-table', 'data-table': t.name },
    el('h3', {}, t.name, t.unknown ? el('span', { class: 'warning' }, ' · changed by Python migplan cannot read') : null),
    el('table', {},
      el('thead', {}, el('tr', {}, el('th', {}, 'column'), el('th', {}, 'type'), el('th', {}, 'null'), el('th', {}, 'default'))),
      el('tbody', {}, ...t.columns.map((c) => el('tr', {},
        el('td', {}, el('code', {}, c.name)), el('td', {}, c.type), el('td', {}, c.nullable ? 'null' : 'not null'), el('td', {}, c.default ?? ''))))),
    ...Object.values(t.constraints).map((c) => el('div', { class: 'muted' }, c.name ? `${c.name}: ` : '', constraintText(c))),
    ...indexes.filter((i) => i.table === t.name).map((i) => el('div', { class: 'muted' }, `${i.unique ? 'unique index' : 'index'} ${i.name} (${i.columns.join(', ')})`)),
  );
  const extras = [];
  const types = Object.entries(s.types);
  if (types.length) extras.push(el('h3', {}, 'Types'), ...types.map(([n, v]) => el('div', {}, el('code', {}, n), ` enum (${v.join(', ')})`)));
  if (s.sequences.length) extras.push(el('h3', {}, 'Sequences'), el('div', {}, s.sequences.join(', ')));
  if (s.views.length) extras.push(el('h3', {}, 'Views'), el('div', {}, s.views.join(', ')));
  if (s.uncertain) extras.push(el('p', { class: 'warning' }, 'Python migplan cannot read may have changed tables it does not name.'));
  box.replaceChildren(
    ...r.diagnostics.filter((d) => d.severity !== 'info').map(findingCard),
    ...(shown.length ? shown.map(tableCard) : [el('p', { class: 'muted' }, tables.length ? 'No table matches.' : 'No tables at this revision.')]),
    ...extras,
  );
}

$('schema-form').addEventListener('submit', (e) => { e.preventDefault(); renderSchema(); writeHash(); });
$('schema-rev').addEventListener('change', () => { renderSchema(); writeHash(); });
$('schema-filter').addEventListener('input', () => renderSchema());
$('schema-copy').addEventListener('click', async () => {
  try { await navigator.clipboard.writeText(state.schemaSql ?? ''); $('schema-status').textContent = 'copied'; } catch { $('schema-status').textContent = 'copy failed'; }
});

// ---------------------------------------------------------------- models

/** The models (every .py file of the folder, as env.py's imports reach them) compared with
 * the schema the migrations build at head: what `check --models` finds and the revision
 * `revision --autogenerate` would write. */
async function renderModels() {
  const box = $('models-view');
  if (!state.analysis) return;
  delete document.body.dataset.modelsReady;
  if (state.analysis.layout !== 'alembic') {
    box.replaceChildren(el('p', { class: 'muted' }, 'Models are compared for Alembic projects (alembic.ini, env.py with target_metadata).'));
    document.body.dataset.modelsReady = '1';
    return;
  }
  if (state.allUrl) {
    // The whole served folder, once: the models beside the project.
    const url = state.allUrl;
    state.allUrl = null;
    $('models-status').textContent = 'Reading the models…';
    const whole = await fetch(url).then((r) => (r.ok ? r.json() : null)).catch(() => null);
    if (whole) state.all = whole.files;
  }
  let r;
  try {
    r = mp.autogenerate(state.all ?? state.files, { message: $('models-message').value || undefined });
  } catch (e) {
    box.replaceChildren(el('p', { class: 'error', id: 'models-error' }, String(e.message ?? e)));
    $('models-status').textContent = '';
    document.body.dataset.modelsReady = '1';
    return;
  }
  const drift = r.findings.filter((d) => d.code === 'models-drift').length;
  $('models-status').textContent = `${plural(r.findings.length, 'finding')} · ${plural(drift, 'change')} autogenerate would write`;
  const parts = [];
  if (r.revision === null && r.findings.length === 0) parts.push(el('p', { class: 'agree', id: 'models-agree' }, 'The models and the migrations agree: autogenerate would write nothing.'));
  else if (r.revision === null) parts.push(el('p', { class: 'agree', id: 'models-agree' }, 'The models and the migrations agree on what could be compared.'));
  if (r.findings.length) parts.push(el('h3', {}, `Findings (${r.findings.length})`), el('div', { id: 'models-findings' }, ...findingGroups(r.findings)));
  if (r.unknown.length) {
    parts.push(el('h3', {}, `Not read (${r.unknown.length})`),
      el('ul', { id: 'models-unknown' }, ...r.unknown.map((u) => el('li', {}, el('code', {}, u.class_name ?? u.name ?? 'a table'), ` (${u.file}): ${u.why}`))));
  }
  if (r.revision !== null) {
    const pre = el('pre', { class: 'sql', id: 'models-revision', 'data-path': r.path }, r.revision);
    parts.push(el('h3', {}, 'The revision autogenerate would write'), el('p', { class: 'muted' }, el('code', {}, r.path)), pre);
  }
  box.replaceChildren(...parts);
  $('models-copy').disabled = r.revision === null;
  state.modelsRevision = r;
  renderSummary();
  document.body.dataset.modelsReady = '1';
}
$('models-form').addEventListener('submit', (e) => { e.preventDefault(); renderModels(); });
$('models-message').addEventListener('change', () => renderModels());
$('models-copy').addEventListener('click', async () => {
  const text = state.modelsRevision?.revision;
  if (!text) return;
  try { await navigator.clipboard.writeText(text); $('models-status').textContent = 'Copied.'; } catch { $('models-status').textContent = 'Copy failed: select the text instead.'; }
});

// ---------------------------------------------------------------- tabs + URL hash

function showTab(name) {
  const changed = state.tab !== name;
  state.tab = name;
  if (name === 'schema' && (changed || !$('schema-view').hasChildNodes())) renderSchema();
  if (name === 'models' && !$('models-view').hasChildNodes()) renderModels();
  for (const b of document.querySelectorAll('[role=tab]')) {
    const on = b.dataset.tab === name;
    b.setAttribute('aria-selected', String(on));
    $(b.getAttribute('aria-controls')).hidden = !on;
  }
  writeHash();
}
for (const b of document.querySelectorAll('[role=tab]')) b.addEventListener('click', () => showTab(b.dataset.tab));

let applying = false;
function writeHash() {
  if (applying) return;
  const h = new URLSearchParams();
  if (state.selected) h.set('rev', state.selected);
  if ($('from').value) h.set('from', $('from').value);
  if ($('to').value && $('to').value !== 'heads') h.set('to', $('to').value);
  if ($('direction').value !== 'upgrade') h.set('dir', $('direction').value);
  h.set('dialect', $('dialect').value);
  if ($('tpm').checked) h.set('tpm', '1');
  if (state.tab !== 'findings') h.set('tab', state.tab);
  if (state.tab === 'schema' && schemaTarget() !== (state.selected ?? 'heads')) h.set('schema', schemaTarget());
  const next = `#${h}`;
  if (location.hash !== next) history.replaceState(null, '', next);
}

function applyHash({ formOnly = false } = {}) {
  const h = new URLSearchParams(location.hash.slice(1));
  applying = true;
  try {
    if (h.has('dialect')) $('dialect').value = h.get('dialect');
    $('from').value = h.get('from') ?? '';
    $('to').value = h.get('to') ?? 'heads';
    $('direction').value = h.get('dir') ?? 'upgrade';
    $('tpm').checked = h.get('tpm') === '1';
    if (formOnly) return;
    if (h.has('rev') && state.analysis?.graph.nodes.some((n) => n.revision === h.get('rev'))) select(h.get('rev'));
    if (h.has('schema')) $('schema-rev').value = h.get('schema');
    showTab(h.get('tab') ?? state.tab);
  } finally {
    applying = false;
  }
}
window.addEventListener('hashchange', () => { if (state.analysis) { applyHash(); renderPlan(); } });

// ---------------------------------------------------------------- inputs

$('folder').addEventListener('change', async (e) => {
  const list = [...e.target.files];
  const name = (list[0]?.webkitRelativePath ?? '').split('/')[0] || 'folder';
  load(await readFileList(list), name);
});

async function fetchProject(url) {
  const r = await fetch(url);
  if (!r.ok) return false;
  const p = await r.json();
  load(p.files, p.name, p.all ?? null);
  return true;
}
$('example').addEventListener('click', () => fetchProject('/api/example'));

// Drag and drop of a folder (or files).
async function walkEntry(entry, prefix, out) {
  if (entry.isFile) {
    const file = await new Promise((res, rej) => entry.file(res, rej));
    file.relPath = prefix + entry.name;
    out.push(file);
  } else if (entry.isDirectory) {
    const reader = entry.createReader();
    for (;;) {
      const batch = await new Promise((res, rej) => reader.readEntries(res, rej));
      if (batch.length === 0) break;
      for (const e of batch) await walkEntry(e, `${prefix}${entry.name}/`, out);
    }
  }
}
let dragDepth = 0;
document.addEventListener('dragenter', (e) => { e.preventDefault(); dragDepth++; $('drop').hidden = false; });
document.addEventListener('dragleave', () => { if (--dragDepth <= 0) { dragDepth = 0; $('drop').hidden = true; } });
document.addEventListener('dragover', (e) => e.preventDefault());
document.addEventListener('drop', async (e) => {
  e.preventDefault();
  dragDepth = 0;
  $('drop').hidden = true;
  const files = [];
  for (const item of e.dataTransfer.items) {
    const entry = item.webkitGetAsEntry?.();
    if (entry) await walkEntry(entry, '', files);
  }
  const name = files[0]?.relPath?.split('/')[0] ?? 'dropped';
  load(await readFileList(files), name);
});

// Served by `migplan serve PATH`: load that project.
const project = await served;
if (project) load(project.files, project.name, project.all ?? null);
else document.body.dataset.ready = '1';
