// The Statuspage v2 API: api/v2/summary.json has the shape Statuspage's
// clients read, and Atlassian's own widget shows the site's status from it.
// A build without the file fails.
import fs from 'node:fs';
import path from 'node:path';
import { E2E, listen, run } from '../lib/harness.mjs';
import { withoutProbes } from '../lib/sites.mjs';

const COMPONENT_STATUS = ['operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance'];
const INDICATOR = ['none', 'minor', 'major', 'critical', 'maintenance'];

// checkStatuspage: api/v2/summary.json in dir as Statuspage's widgets read it
// (page, status.indicator, components[].status, incidents,
// scheduled_maintenances).
export async function checkStatuspage(dir) {
  const file = path.join(dir, 'api/v2/summary.json');
  if (!fs.existsSync(file)) return { ok: false, figure: `missing ${file}` };
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

// Statuspage widget: Atlassian's <statuspage-widget> (npm
// @statuspage/status-widget, pinned in package.json) in headless Chromium,
// pointed at a folder holding api/v2/summary.json. The widget fetches
// <src>/api/v2/summary.json cross-origin, so the folder is served with
// Access-Control-Allow-Origin: * on one port and the embedding page (no CSP:
// the widget needs eval) on another. Its bundle assigns to an undeclared
// parcelRequire, so the page declares it first. The text in the widget's
// shadow DOM must equal `expected` (the site's api/v2/status.json
// description).
const WIDGET_JS = path.join(E2E, 'node_modules/@statuspage/status-widget/dist/index.js');
export function statusDescription(dir) {
  return JSON.parse(fs.readFileSync(path.join(dir, 'api/v2/status.json'), 'utf8')).status.description;
}
export async function checkStatuspageWidget(browser, dir, expected, mustBe) {
  if (mustBe && expected !== mustBe) return { ok: false, figure: `api/v2/status.json says ${JSON.stringify(expected)}, want ${JSON.stringify(mustBe)}` };
  const summary = path.join(dir, 'api/v2/summary.json');
  if (!fs.existsSync(summary)) return { ok: false, figure: `missing ${summary}` };
  if (!fs.existsSync(WIDGET_JS)) throw new Error(`read ${WIDGET_JS}: npm package @statuspage/status-widget not installed (run e2e/setup.sh)`);
  const fetched = [];
  const api = await listen((req, res) => {
    const p = new URL(req.url, 'http://x').pathname;
    fetched.push(p);
    const file = path.join(dir, path.normalize(p));
    const cors = { 'access-control-allow-origin': '*' };
    if (!file.startsWith(dir) || !fs.existsSync(file) || !fs.statSync(file).isFile()) { res.writeHead(404, cors); res.end(); return; }
    res.writeHead(200, { ...cors, 'content-type': 'application/json' });
    res.end(fs.readFileSync(file));
  });
  const page = await listen((req, res) => {
    if (req.url === '/widget.js') { res.writeHead(200, { 'content-type': 'text/javascript' }); res.end(fs.readFileSync(WIDGET_JS)); return; }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="en"><title>widget</title><script>var parcelRequire;</script>
<statuspage-widget src="${api.url}"></statuspage-widget><script src="/widget.js"></script>`);
  });
  const context = await browser.newContext();
  const details = [];
  try {
    const tab = await context.newPage();
    tab.on('pageerror', (e) => details.push(`uncaught exception: ${e.message}`));
    tab.on('console', (m) => { if (m.type() === 'error') details.push(`console error: ${m.text()}`); });
    await tab.goto(page.url + '/', { waitUntil: 'load' });
    // The widget renders an empty <div> until summary.json has arrived.
    const text = await tab.waitForFunction(() => {
      const t = document.querySelector('statuspage-widget')?.shadowRoot?.querySelector('.status-text')?.textContent?.trim();
      return t || null;
    }, null, { timeout: 10_000 }).then((h) => h.jsonValue()).catch(() => null);
    if (!fetched.includes('/api/v2/summary.json')) details.push(`the widget never fetched /api/v2/summary.json (fetched: ${fetched.join(', ') || 'nothing'})`);
    if (text === null) details.push('the widget rendered no status text within 10 s');
    else if (text !== expected) details.push(`widget shows ${JSON.stringify(text)}, want ${JSON.stringify(expected)} (api/v2/status.json)`);
    return { ok: details.length === 0, figure: `widget shows ${JSON.stringify(text)}`, details };
  } finally {
    await context.close();
    await page.close();
    await api.close();
  }
}

// allGoodSite builds a copy of the example without its ongoing incident
// and without probes (no probe data, so nothing is stale): the page has
// nothing to report. Returns the built public/ folder.
export async function allGoodSite(herald, exampleDir, tmp, now, ongoingSlug) {
  const site = path.join(tmp, 'all-good-site');
  fs.rmSync(site, { recursive: true, force: true });
  fs.mkdirSync(site, { recursive: true });
  fs.writeFileSync(path.join(site, 'herald.yaml'), withoutProbes(fs.readFileSync(path.join(exampleDir, 'herald.yaml'), 'utf8')));
  fs.cpSync(path.join(exampleDir, 'incidents'), path.join(site, 'incidents'), { recursive: true, filter: (f) => path.basename(f) !== `${ongoingSlug}.md` });
  const r = await run(herald, ['build', '-site', site, '-now', now]);
  if (r.code !== 0) throw new Error(`herald build of the all-good site: ${r.stderr.trim()}`);
  return path.join(site, 'public');
}

// wrongSummary copies a built site's api/v2 with summary.json's
// status.description changed (status.json, the expectation, kept): the
// widget check's canary.
export function wrongSummary(outDir, tmp) {
  const dir = path.join(tmp, 'statuspage-wrong-summary');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.cpSync(path.join(outDir, 'api/v2'), path.join(dir, 'api/v2'), { recursive: true });
  const f = path.join(dir, 'api/v2/summary.json');
  const s = JSON.parse(fs.readFileSync(f, 'utf8'));
  s.status.description = s.status.description === 'Major System Outage' ? 'All Systems Operational' : 'Major System Outage';
  fs.writeFileSync(f, JSON.stringify(s));
  return dir;
}
