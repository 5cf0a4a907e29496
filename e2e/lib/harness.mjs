// Shared plumbing of the e2e suite: recording results, running commands,
// serving on local ports, and the summary table.
import { spawn } from 'node:child_process';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

export const E2E = path.dirname(path.dirname(new URL(import.meta.url).pathname));
export const ROOT = path.dirname(E2E);
export const CHROME_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
  '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// A result is one row of the summary. kind is 'check' (must pass) or
// 'canary' (the same checker on a broken fixture: it must FAIL).
const results = [];

// inCI tells whether the suite runs in CI (CI set, as CI services do, and
// not "false" or "0").
export const inCI = (env = process.env) => Boolean(env.CI) && !['false', '0'].includes(env.CI);

// verdict is a row's result. outcome: {ok: bool, figure: string, skipped?:
// string, details?: string[]}. A skipped check is a failure in CI, where
// everything must run: a skip there would pass what was never checked.
// Outside CI it stays a skip, listed in the summary.
export function verdict(kind, outcome, ci = inCI()) {
  if (outcome.skipped) {
    if (kind === 'canary') return 'FAIL (canary skipped: its checker cannot fail)';
    return ci ? 'FAIL (skipped in CI)' : 'skipped';
  }
  if (kind === 'canary') return outcome.ok ? 'FAIL (check passed a broken input)' : 'pass (caught)';
  return outcome.ok ? 'pass' : 'FAIL';
}

// record adds a row for outcome (see verdict).
export function record(kind, check, target, outcome) {
  const result = verdict(kind, outcome);
  const row = { kind, check, target, result, figure: outcome.skipped ? `skipped: ${outcome.skipped}` : (outcome.figure ?? ''), details: outcome.details ?? [] };
  results.push(row);
  const mark = result.startsWith('FAIL') ? 'FAIL' : result === 'skipped' ? 'skip' : ' ok ';
  console.log(`[${mark}] ${kind === 'canary' ? 'canary ' : ''}${check} · ${target} · ${row.figure}`);
  if (result.startsWith('FAIL') || kind === 'canary') for (const d of row.details.slice(0, 30)) console.log(`         ${d}`);
  return row;
}

// guard runs one checker, turning a crash of the checker into a failed row
// (or, for a canary, into a row that does not count as "caught": a checker
// that crashes has not shown it can detect anything).
export async function guard(kind, check, target, fn) {
  const t0 = Date.now();
  try {
    const row = record(kind, check, target, await fn());
    row.secs = (Date.now() - t0) / 1000;
    return row;
  } catch (err) {
    const row = crashed(kind, check, target, err);
    row.secs = (Date.now() - t0) / 1000;
    return row;
  }
}

// crashed adds a failed row for an error thrown by a checker or by the
// setup of a group of checks.
export function crashed(kind, check, target, err) {
  const msg = String(err?.stack ?? err).split('\n').slice(0, 6);
  const row = { kind, check, target, result: 'FAIL (harness error)', figure: msg[0], details: msg };
  results.push(row);
  console.log(`[FAIL] ${kind === 'canary' ? 'canary ' : ''}${check} · ${target} · harness error`);
  for (const d of msg) console.log(`         ${d}`);
  return row;
}

export function summary() {
  const rows = results.map((r) => [r.kind === 'canary' ? `canary: ${r.check}` : r.check, r.target, r.result, r.figure, `${(r.secs ?? 0).toFixed(1)}s`]);
  const head = ['check', 'target', 'result', 'figure', 'time'];
  const width = head.map((h, i) => Math.min(i === 3 ? 70 : 40, Math.max(h.length, ...rows.map((r) => r[i].length))));
  const line = (cells) => '| ' + cells.map((c, i) => (c.length > width[i] ? c.slice(0, width[i] - 1) + '…' : c.padEnd(width[i]))).join(' | ') + ' |';
  console.log('\n' + line(head));
  console.log('|' + width.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const r of rows) console.log(line(r));
  const failed = results.filter((r) => r.result.startsWith('FAIL'));
  const skipped = results.filter((r) => r.result === 'skipped');
  const passed = results.length - failed.length - skipped.length;
  if (failed.length) {
    console.log('\nFailures:');
    for (const r of failed) {
      console.log(`- ${r.kind === 'canary' ? 'canary: ' : ''}${r.check} · ${r.target}: ${r.figure}`);
      for (const d of r.details.slice(0, 40)) console.log(`    ${d}`);
    }
  }
  if (skipped.length) {
    console.log('\nSkipped (each would fail in CI):');
    for (const r of skipped) console.log(`- ${r.check} · ${r.target}: ${r.figure}`);
  }
  console.log(`\ne2e: ${passed} passed, ${failed.length} failed, ${skipped.length} skipped`);
  return failed.length === 0;
}

// run executes a command without a shell and resolves with its exit code and
// output; it never rejects on a non-zero exit. The child is killed (by PID)
// when the timeout passes.
export function run(cmd, args, { timeout = 120_000, env, cwd, input } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: env ?? process.env, cwd, stdio: [input == null ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '', stderr = '', timedOut = false;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeout);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e.code === 'ENOENT' ? new Error(`run ${cmd}: not found (run e2e/setup.sh)`, { cause: e }) : e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: timedOut ? -1 : code, signal, stdout, stderr, timedOut });
    });
    if (input != null) { child.stdin.on('error', () => {}); child.stdin.end(input); }
  });
}

// listen serves handler on a free 127.0.0.1 port. close() drops open
// connections too, so that a client's keep-alive cannot hold it open.
export function listen(handler) {
  const server = http.createServer(handler);
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r({
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((c) => { server.closeAllConnections?.(); server.close(c); }),
  })));
}

// freePort returns a 127.0.0.1 port that was free a moment ago, for
// programs that take a port rather than open one themselves.
export async function freePort() {
  const s = await listen(() => {});
  await s.close();
  return Number(new URL(s.url).port);
}

// serveDir serves a folder of fixtures on a free 127.0.0.1 port, with the
// handful of content types the fixtures need. Missing files are 404s.
// override(urlPath) may return {body, type} to swap content at run time.
const TYPES = { '.html': 'text/html; charset=utf-8', '.rss': 'application/rss+xml', '.atom': 'application/atom+xml',
  '.xml': 'application/xml', '.json': 'application/json', '.css': 'text/css', '.svg': 'image/svg+xml', '.ics': 'text/calendar' };
export function serveDir(dir, override = () => null) {
  return listen((req, res) => {
    const urlPath = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const o = override(urlPath);
    if (o) { res.writeHead(200, { 'content-type': o.type }); res.end(o.body); return; }
    let file = path.join(dir, path.normalize(urlPath));
    if (!file.startsWith(dir)) { res.writeHead(404); res.end(); return; }
    if (urlPath.endsWith('/')) file = path.join(file, 'index.html');
    fs.readFile(file, (err, body) => {
      if (err) { res.writeHead(404, { 'content-type': 'text/plain' }); res.end('not found'); return; }
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    });
  });
}

export function listFiles(dir, ext) {
  const out = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith(ext)) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}
