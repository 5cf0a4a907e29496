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
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { freePort, listen, run } from '../lib/harness.mjs';
import { withoutProbes } from '../lib/sites.mjs';
import { tool } from '../lib/tools.mjs';

const UP_S = 8, OUTAGE_S = 15, RECOVER_S = 8;
// The component's probe interval, which is herald's query_range step and
// its staleness unit (3 intervals). 2 s rather than 1 s: herald asks
// Prometheus for the newest sample at Prometheus's clock after it began
// building, and discards a sample newer than -now, so -now is set NOW_LEAD
// ahead of the real clock and the newest sample must still be within
// 3 intervals of it.
const PROBE_INTERVAL_S = 2, NOW_LEAD_MS = 2500;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

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
    const prometheus = tool('prometheus', 'PROMETHEUS');
    const blackbox = tool('prometheus-blackbox-exporter', 'BLACKBOX_EXPORTER');
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
    const bb = start(blackbox, [`--config.file=${path.join(dir, 'blackbox.yml')}`, `--web.listen-address=127.0.0.1:${bbPort}`], 'blackbox.log');
    const prom = start(prometheus, [`--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'tsdb')}`,
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
    // The recording covers a minute of today: with the default
    // uptime.min_coverage, today's figure would rightly be "no data".
    fs.writeFileSync(path.join(site, 'herald.yaml'), withComponent + 'uptime:\n  min_coverage: 0%\n');
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
