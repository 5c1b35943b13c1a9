// An edge function that validates migrations before a deploy: POST the migration files as
// JSON ({"files": [{"path", "text"}], "options": {...}, "to": "heads"}) and get 200 with the
// plan's SQL, or 422 with the diagnostics that would make `upgrade` fail.
import wasmModule from './migplan_bg.wasm';
import { initSync, analyze, plan } from './migplan.js';

initSync({ module: wasmModule });

const json = (body, status) =>
  new Response(JSON.stringify(body, null, 2), { status, headers: { 'content-type': 'application/json' } });

export default {
  async fetch(request) {
    if (request.method !== 'POST') {
      return json({ error: 'POST {"files": [{"path": ..., "text": ...}], "options": {...}}' }, 405);
    }
    let body;
    try {
      body = await request.json();
    } catch {
      return json({ error: 'the body is not JSON' }, 400);
    }
    try {
      const checked = analyze(body.files, body.options);
      const errors = checked.diagnostics.filter((d) => d.severity === 'error');
      if (errors.length > 0) {
        return json({ layout: checked.layout, heads: checked.heads, diagnostics: checked.diagnostics }, 422);
      }
      const planned = plan(body.files, { ...body.options, direction: 'upgrade', to: body.to ?? 'heads' });
      if (planned.error) {
        return json({ error: planned.error, diagnostics: planned.diagnostics }, 422);
      }
      return json({ layout: checked.layout, heads: checked.heads, sql: planned.sql, steps: planned.steps, diagnostics: checked.diagnostics }, 200);
    } catch (e) {
      // Misuse (wrong shapes, input over the limits) is thrown by the package as an Error.
      return json({ error: String(e && e.message ? e.message : e) }, 400);
    }
  },
};
