// Checks of features that other work is still adding. Each reports
// "skipped: feature not present" until its file or command exists, and then
// runs for real. TODO(e2e): complete each once its feature lands — see the
// notes on each function.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { E2E, PY, run } from '../lib/harness.mjs';

// Calendar: maintenance.ics parses with python3-icalendar and every event
// has UID, DTSTART, DTEND and SUMMARY.
// TODO(e2e): once maintenance.ics lands, also compare its events with the
// site's upcoming maintenance and subscribe a real client if one fits.
export async function checkCalendar(file) {
  if (!fs.existsSync(file)) return { skipped: 'feature not present (no maintenance.ics in the build)' };
  const r = await run(PY, [path.join(E2E, 'py/ics.py'), file]);
  let figure = r.stdout.trim().split('\n')[0];
  const details = [];
  try {
    const j = JSON.parse(r.stdout);
    figure = `${j.events.length} events`;
    details.push(...j.problems);
    if (!j.events.length) details.push('no VEVENT');
  } catch { details.push(r.stdout.trim(), r.stderr.trim()); }
  return { ok: r.code === 0, figure, details };
}

// Statuspage v2 API shape: api/v2/summary.json as Statuspage's widgets read
// it (page, status.indicator, components[].status, incidents,
// scheduled_maintenances).
// TODO(e2e): once the API lands, load a Statuspage-compatible widget (an
// npm package, vendored) in the browser against it.
const COMPONENT_STATUS = ['operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance'];
const INDICATOR = ['none', 'minor', 'major', 'critical', 'maintenance'];
export async function checkStatuspage(dir) {
  const file = path.join(dir, 'api/v2/summary.json');
  if (!fs.existsSync(file)) return { skipped: 'feature not present (no api/v2/summary.json)' };
  const details = [];
  let s;
  try { s = JSON.parse(fs.readFileSync(file, 'utf8')); } catch (e) { return { ok: false, figure: 'not JSON', details: [e.message] }; }
  for (const k of ['id', 'name', 'url', 'updated_at']) if (typeof s.page?.[k] !== 'string') details.push(`page.${k} missing`);
  if (!INDICATOR.includes(s.status?.indicator)) details.push(`status.indicator ${JSON.stringify(s.status?.indicator)} not one of ${INDICATOR}`);
  if (typeof s.status?.description !== 'string') details.push('status.description missing');
  if (!Array.isArray(s.components)) details.push('components is not an array');
  for (const c of s.components ?? []) {
    if (typeof c.id !== 'string' || typeof c.name !== 'string') details.push(`component ${JSON.stringify(c).slice(0, 60)}: id/name missing`);
    if (!COMPONENT_STATUS.includes(c.status)) details.push(`component ${c.id}: status ${JSON.stringify(c.status)}`);
  }
  for (const k of ['incidents', 'scheduled_maintenances']) if (!Array.isArray(s[k])) details.push(`${k} is not an array`);
  return { ok: details.length === 0, figure: `${(s.components ?? []).length} components, indicator ${s.status?.indicator}`, details };
}

// Prometheus as the history source: feature detection first. A site with
// history.source: prometheus is built against a recording HTTP listener; a
// build that never queries it has no Prometheus source yet.
// TODO(e2e): once it queries, start prometheus + prometheus-blackbox-exporter
// on free 127.0.0.1 ports (by PID, stopped in finally), probe the served
// site, build against the real Prometheus and check the uptime shown.
export async function checkPrometheus(herald, exampleDir, tmp, now) {
  const hits = [];
  const server = http.createServer((req, res) => { hits.push(req.url); res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"status":"success","data":{"resultType":"matrix","result":[]}}'); });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  try {
    const site = path.join(tmp, 'prometheus-site');
    fs.mkdirSync(site, { recursive: true });
    const yaml = fs.readFileSync(path.join(exampleDir, 'herald.yaml'), 'utf8')
      .replace(/^history:\n/m, `history:\n  source: prometheus\n  prometheus:\n    url: http://127.0.0.1:${server.address().port}\n`)
      .replace(/^( {4}name: Website\n)/m, '$1    prometheus: probe_success{instance="website"}\n');
    fs.writeFileSync(path.join(site, 'herald.yaml'), yaml);
    fs.cpSync(path.join(exampleDir, 'incidents'), path.join(site, 'incidents'), { recursive: true });
    const r = await run(herald, ['build', '-site', site, '-now', now]);
    if (r.code !== 0 && /prometheus/i.test(r.stderr) && /unknown|unsupported|not supported/i.test(r.stderr)) return { skipped: 'feature not present (herald build rejects a prometheus source)' };
    if (r.code !== 0) return { ok: false, figure: `herald build exit ${r.code}`, details: r.stderr.trim().split('\n') };
    if (hits.length === 0) return { skipped: 'feature not present (herald build never queried Prometheus)' };
    return { skipped: `feature present (build queried Prometheus ${hits.length} times) but its full check is still TODO(e2e)` };
  } finally {
    await new Promise((r) => server.close(r));
  }
}
