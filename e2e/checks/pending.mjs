// Checks of features that other work is still adding. Each reports
// "skipped: feature not present" until its file or command exists, and then
// runs for real. TODO(e2e): complete each once its feature lands — see the
// notes on each function.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { spawn } from 'node:child_process';
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
function listen(handler) {
  const server = http.createServer(handler);
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r({
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((c) => { server.closeAllConnections?.(); server.close(c); }),
  })));
}
export function statusDescription(dir) {
  return JSON.parse(fs.readFileSync(path.join(dir, 'api/v2/status.json'), 'utf8')).status.description;
}
export async function checkStatuspageWidget(browser, dir, expected, mustBe) {
  if (mustBe && expected !== mustBe) return { ok: false, figure: `api/v2/status.json says ${JSON.stringify(expected)}, want ${JSON.stringify(mustBe)}` };
  if (!fs.existsSync(path.join(dir, 'api/v2/summary.json'))) return { skipped: 'feature not present (no api/v2/summary.json)' };
  if (!fs.existsSync(WIDGET_JS)) return { skipped: 'npm package @statuspage/status-widget not installed (run e2e/setup.sh)' };
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

// withoutProbes drops every component's `probe:` block from a herald.yaml.
export const withoutProbes = (yaml) => yaml.replace(/^ {4}probe:\n(?: {6}.*\n)+/gm, '');

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

// Prometheus as the history source, end to end: a real Prometheus (1 s
// scrapes) scrapes a real blackbox exporter (http_2xx) probing two small
// HTTP servers of ours: "flapping" answers 200, then 500 for OUTAGE_S
// seconds, then 200 again; "steady" always answers 200. After the
// recording, a copy of the example is built with the real clock against
// that Prometheus, its Website component reading one target's
// probe_success. check('flapping') must show today's outage (uptime.json
// below 100, the component page's bar for today naming the downtime) and
// the final state (Website operational, nothing stale); check('steady'),
// the canary, runs the same assertions on the target that never went down
// and must fail. Every process is started by PID and stopped in close().
const PROMETHEUS = '/usr/bin/prometheus', BLACKBOX = '/usr/bin/prometheus-blackbox-exporter';
const UP_S = 8, OUTAGE_S = 15, RECOVER_S = 8;
// The component's probe interval, which is herald's query_range step and
// its staleness unit (3 intervals). 2 s rather than 1 s: herald asks
// Prometheus for the newest sample at Prometheus's clock after it began
// building, and discards a sample newer than -now, so -now is set NOW_LEAD
// ahead of the real clock and the newest sample must still be within
// 3 intervals of it.
const PROBE_INTERVAL_S = 2, NOW_LEAD_MS = 2500;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const freePort = async () => { const s = await listen(() => {}); const port = Number(new URL(s.url).port); await s.close(); return port; };

export function prometheusLab(herald, exampleDir, tmp) {
  const dir = path.join(tmp, 'prometheus');
  const children = [];
  const servers = [];
  let recording;
  const start = (cmd, args, log) => {
    const out = fs.openSync(path.join(dir, log), 'a');
    const child = spawn(cmd, args, { stdio: ['ignore', out, out] });
    fs.closeSync(out);
    children.push(child);
    return child;
  };
  const waitFor = async (url, what, child) => {
    for (let i = 0; i < 150; i++) {
      if (child.exitCode !== null) throw new Error(`${what} exited ${child.exitCode}: ${fs.readFileSync(path.join(dir, `${what}.log`), 'utf8').trim().split('\n').slice(-5).join(' | ')}`);
      try { if ((await fetch(url)).ok) return; } catch {}
      await sleep(100);
    }
    throw new Error(`${what} did not answer ${url} within 15 s`);
  };
  const record = async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    // The outage must fall on the site's "today": never record across
    // midnight in the site's timezone.
    const tz = /^timezone:\s*(\S+)/m.exec(fs.readFileSync(path.join(exampleDir, 'herald.yaml'), 'utf8'))?.[1] ?? 'UTC';
    const [h, m, sec] = new Intl.DateTimeFormat('en-GB', { timeZone: tz, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(new Date()).split(':').map(Number);
    const toMidnight = 86400 - (h * 3600 + m * 60 + sec);
    if (toMidnight < 90) await sleep((toMidnight + 2) * 1000);
    let flappingUp = true;
    const flapping = await listen((req, res) => { res.writeHead(flappingUp ? 200 : 500); res.end(flappingUp ? 'up' : 'down'); });
    const steady = await listen((req, res) => { res.writeHead(200); res.end('up'); });
    servers.push(flapping, steady);
    const targets = { flapping: flapping.url + '/', steady: steady.url + '/' };
    const bbPort = await freePort(), promPort = await freePort();
    fs.writeFileSync(path.join(dir, 'blackbox.yml'), 'modules:\n  http_2xx:\n    prober: http\n    timeout: 1s\n    http:\n      preferred_ip_protocol: ip4\n');
    fs.writeFileSync(path.join(dir, 'prometheus.yml'), `global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: blackbox
    metrics_path: /probe
    params: {module: [http_2xx]}
    static_configs: [{targets: ${JSON.stringify(Object.values(targets))}}]
    relabel_configs:
      - {source_labels: [__address__], target_label: __param_target}
      - {source_labels: [__param_target], target_label: instance}
      - {target_label: __address__, replacement: "127.0.0.1:${bbPort}"}
`);
    const bb = start(BLACKBOX, [`--config.file=${path.join(dir, 'blackbox.yml')}`, `--web.listen-address=127.0.0.1:${bbPort}`], 'blackbox.log');
    const prom = start(PROMETHEUS, [`--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'tsdb')}`,
      `--web.listen-address=127.0.0.1:${promPort}`], 'prometheus.log');
    await waitFor(`http://127.0.0.1:${bbPort}/-/healthy`, 'blackbox', bb);
    const promURL = `http://127.0.0.1:${promPort}`;
    await waitFor(`${promURL}/-/ready`, 'prometheus', prom);
    // Wait for the first probe_success of both targets before the clock starts.
    for (let i = 0; ; i++) {
      const j = await (await fetch(`${promURL}/api/v1/query?query=${encodeURIComponent('count(probe_success{job="blackbox"} == 1)')}`)).json();
      if (Number(j.data?.result?.[0]?.value?.[1] ?? 0) === 2) break;
      if (i > 100) throw new Error('prometheus recorded no successful probe of both targets within 10 s');
      await sleep(100);
    }
    await sleep(UP_S * 1000);
    flappingUp = false;
    const downAt = Date.now();
    await sleep(OUTAGE_S * 1000);
    flappingUp = true;
    const upAt = Date.now();
    await sleep(RECOVER_S * 1000);
    // What Prometheus itself recorded for the flapping target, to tell a
    // herald problem from a recording problem.
    const q = `count_over_time((probe_success{instance="${targets.flapping}"} == 0)[${Math.ceil((Date.now() - downAt) / 1000) + 5}s:1s])`;
    const j = await (await fetch(`${promURL}/api/v1/query?query=${encodeURIComponent(q)}`)).json();
    const downSamples = Number(j.data?.result?.[0]?.value?.[1] ?? 0);
    return { promURL, targets, downAt, upAt, downSamples };
  };

  const check = async (which) => {
    if (!fs.existsSync(PROMETHEUS) || !fs.existsSync(BLACKBOX)) return { skipped: `${PROMETHEUS} or ${BLACKBOX} missing (run e2e/setup.sh)` };
    recording ??= record();
    const rec = await recording;
    const target = rec.targets[which];
    const site = path.join(dir, `site-${which}`);
    fs.rmSync(site, { recursive: true, force: true });
    fs.mkdirSync(site, { recursive: true });
    // Only Website is monitored (a probed component without a selector
    // fails a Prometheus build), and 2 days of history keep the build short.
    let yaml = withoutProbes(fs.readFileSync(path.join(exampleDir, 'herald.yaml'), 'utf8'));
    const withSource = yaml.replace(/^history:\n(?: {2}days: \d+\n)?/m,
      `history:\n  days: 2\n  source: prometheus\n  prometheus:\n    url: ${rec.promURL}\n`);
    const withComponent = withSource.replace(/^( {2}- id: website\n(?: {4}.*\n)*)/m,
      `$1    prometheus: probe_success{instance="${target}"}\n    probe: {http: "${target}", interval: ${PROBE_INTERVAL_S}s}\n`);
    if (withSource === yaml || withComponent === withSource) throw new Error('could not rewrite herald.yaml (its history: or website component moved)');
    fs.writeFileSync(path.join(site, 'herald.yaml'), withComponent);
    fs.cpSync(path.join(exampleDir, 'incidents'), path.join(site, 'incidents'), { recursive: true });
    const now = new Date(Date.now() + NOW_LEAD_MS).toISOString();
    const t0 = Date.now();
    const r = await run(herald, ['build', '-site', site, '-now', now]);
    const buildS = ((Date.now() - t0) / 1000).toFixed(1);
    if (r.code !== 0) return { ok: false, figure: `herald build exit ${r.code}`, details: r.stderr.trim().split('\n') };
    const out = path.join(site, 'public');
    const details = [];
    const uptime = JSON.parse(fs.readFileSync(path.join(out, 'api/herald/uptime.json'), 'utf8'));
    const days = uptime.components?.find((c) => c.id === 'website')?.days ?? [];
    const today = days.at(-1);
    if (!today) details.push('api/herald/uptime.json has no days for website');
    else if (today.uptime === null) details.push(`uptime.json: website ${today.date}: no data`);
    else if (!(today.uptime < 100)) details.push(`uptime.json: website ${today.date}: uptime ${today.uptime}, want < 100 (an outage of ${OUTAGE_S} s)`);
    const html = fs.readFileSync(path.join(out, 'components/website/index.html'), 'utf8');
    const unescape = (t) => t.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&');
    const label = [...html.matchAll(/<title>([^<]*today[^<]*)<\/title>/g)].map((m) => unescape(m[1]))[0];
    if (!label) details.push('components/website/: no uptime bar labelled "today"');
    else if (!/\d+(\.\d+)?% uptime/.test(label) || /\b100% uptime/.test(label) || !/down/.test(label)) details.push(`components/website/: today's bar says "${label}", want under 100% uptime and some time down`);
    const summary = JSON.parse(fs.readFileSync(path.join(out, 'api/v2/summary.json'), 'utf8'));
    const comp = summary.components.find((c) => c.id === 'website' || c.name === 'Website');
    if (comp?.status !== 'operational') details.push(`api/v2/summary.json: Website is ${comp?.status}, want operational (the target is up again)`);
    if (/stale/i.test(summary.status?.description ?? '')) details.push(`api/v2/summary.json: "${summary.status.description}" (herald found the probe data stale)`);
    return {
      ok: details.length === 0,
      figure: `${which}: today ${today?.uptime ?? 'no data'}% (${label ?? 'no label'}), Website ${comp?.status}; build ${buildS}s`,
      details: [...details, `prometheus ${rec.promURL}, target ${target}, -now ${now}; Prometheus holds ${rec.downSamples} probe_success == 0 samples of the flapping target`],
    };
  };

  const close = async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) {
      const exited = new Promise((r) => c.once('exit', r));
      process.kill(c.pid, 'SIGTERM');
      await Promise.race([exited, sleep(5000).then(() => { if (c.exitCode === null) process.kill(c.pid, 'SIGKILL'); })]);
    }
    for (const s of servers) await s.close();
  };
  return { check, close };
}
