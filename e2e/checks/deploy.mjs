// The recipes of docs/deploy.md, run for real. Each recipe is a fenced block
// in the doc preceded by `<!-- e2e: NAME -->`; docBlock reads it from there,
// so the doc cannot drift from what is tested. The few placeholders a recipe
// holds (/srv/status, port 80, a host name) are swapped for local ones with
// replaceOnce, which throws when the doc no longer has them.
//
// Every server, prober target and S3 server listens on 127.0.0.1 only, is
// started by PID and stopped by its owner's close().
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { ROOT, E2E, freePort, listen, run } from '../lib/harness.mjs';
import { withoutProbes } from '../lib/sites.mjs';
import { python, tool } from '../lib/tools.mjs';

export const DEPLOY_DOC = path.join(ROOT, 'docs/deploy.md');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// docBlock returns the fenced block that follows `<!-- e2e: NAME -->` in
// docs/deploy.md.
export function docBlock(name, doc = DEPLOY_DOC) {
  const text = fs.readFileSync(doc, 'utf8');
  const marker = `<!-- e2e: ${name} -->\n`;
  const at = text.indexOf(marker);
  if (at < 0) throw new Error(`${path.basename(doc)}: no "<!-- e2e: ${name} -->" marker`);
  const m = /^```[\w.-]*\n([\s\S]*?)\n```(?:\n|$)/.exec(text.slice(at + marker.length));
  if (!m) throw new Error(`${path.basename(doc)}: no fenced block right after "<!-- e2e: ${name} -->"`);
  return m[1] + '\n';
}

// fixture reads a broken recipe from fixtures/broken/deploy/.
export const fixture = (name) => fs.readFileSync(path.join(E2E, 'fixtures/broken/deploy', name), 'utf8');

function replaceOnce(text, from, to) {
  const n = text.split(from).length - 1;
  if (n !== 1) throw new Error(`the recipe has ${n} copies of ${JSON.stringify(from)}, want 1 (did docs/deploy.md change?)`);
  return text.replace(from, () => to);
}

// Processes: children started with their output in a log file, stopped by
// PID (SIGTERM, then SIGKILL after 5 s) in close().
function processes(dir) {
  const children = [];
  return {
    start(cmd, args, log, opts = {}) {
      const out = fs.openSync(path.join(dir, log), 'a');
      const child = spawn(cmd, args, { stdio: ['ignore', out, out], ...opts });
      fs.closeSync(out);
      child.log = path.join(dir, log);
      child.exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
      children.push(child);
      return child;
    },
    async close() {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) {
        process.kill(c.pid, 'SIGTERM');
        await Promise.race([c.exited, sleep(5000).then(() => { if (c.exitCode === null && c.signalCode === null) process.kill(c.pid, 'SIGKILL'); })]);
      }
    },
  };
}
const tail = (file) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n').slice(-5).join(' | ') : '(no log)');

// waitHTTP waits until url answers anything at all (or the child exits).
async function waitHTTP(url, child, what, seconds = 15) {
  for (let i = 0; i < seconds * 10; i++) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${what} exited (${child.exitCode ?? child.signalCode}): ${tail(child.log)}`);
    try { const r = await fetch(url); await r.arrayBuffer(); return r; } catch {}
    await sleep(100);
  }
  throw new Error(`${what} did not answer ${url} within ${seconds} s: ${tail(child.log)}`);
}

// ---------------------------------------------------------------------------
// The sites the recipes are run against.

// deployRoot is WORK/deploy, readable by nginx's workers (www-data on
// Debian, when the suite runs as root): WORK itself is a 0700 mktemp
// folder, so it gets the search bit for others.
function deployRoot(work) {
  const dir = path.join(work, 'deploy');
  fs.mkdirSync(dir, { recursive: true });
  fs.chmodSync(work, 0o711);
  fs.chmodSync(dir, 0o755);
  return dir;
}

// exampleCopy copies the example's herald.yaml and incidents to a new
// folder. probeTarget set: every probe is dropped and Website is probed at
// that URL instead, so `herald probe` and `herald run` reach only
// 127.0.0.1.
function exampleCopy(exampleDir, dir, probeTarget) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  let yaml = fs.readFileSync(path.join(exampleDir, 'herald.yaml'), 'utf8');
  if (probeTarget) {
    const bare = withoutProbes(yaml);
    yaml = bare.replace(/^( {2}- id: website\n(?: {4}.*\n)*)/m, `$1    probe: {http: "${probeTarget}", interval: 1m}\n`);
    if (yaml === bare) throw new Error('could not give the website component a probe (herald.yaml changed?)');
  }
  fs.writeFileSync(path.join(dir, 'herald.yaml'), yaml);
  fs.cpSync(path.join(exampleDir, 'incidents'), path.join(dir, 'incidents'), { recursive: true });
  return dir;
}

async function build(herald, site, now) {
  const r = await run(herald, ['build', '-site', site, ...(now ? ['-now', now] : [])]);
  if (r.code !== 0) throw new Error(`herald build ${site}: ${r.stderr.trim()}`);
}

// manifest lists the files of the version out points at, as herald wrote
// them in .herald-manifest.
export function manifest(out) {
  return fs.readFileSync(path.join(out, '.herald-manifest'), 'utf8').split('\n').filter(Boolean);
}

// urlPath is how a page is asked for: incidents/x/index.html as incidents/x/.
const urlPath = (f) => '/' + f.replace(/(^|\/)index\.html$/, '$1');

// What a web server or bucket must send with each file.
const MEDIA = [
  [/\.html$/, ['text/html']], [/\.css$/, ['text/css']], [/\.js$/, ['text/javascript', 'application/javascript']],
  [/\.rss$/, ['application/rss+xml']], [/\.atom$/, ['application/atom+xml']],
  [/(^|\/)history\.json$/, ['application/feed+json', 'application/json']], [/\.json$/, ['application/json']],
  [/\.ics$/, ['text/calendar']], [/\.svg$/, ['image/svg+xml']],
];
const wantMedia = (f) => MEDIA.find(([re]) => re.test(f))?.[1];

// cacheProblem says what is wrong with a Cache-Control header for file f,
// or null: hashed assets are immutable for a year; everything else lives a
// minute at most (favicon.svg an hour), and is never immutable.
function cacheProblem(f, cc) {
  if (!cc) return 'no Cache-Control';
  const maxAge = Number(/(?:^|,)\s*max-age=(\d+)/i.exec(cc)?.[1] ?? NaN);
  const immutable = /\bimmutable\b/i.test(cc);
  if (f.startsWith('assets/')) return immutable && maxAge >= 31536000 ? null : `"${cc}", want immutable and max-age >= 31536000`;
  const limit = f === 'favicon.svg' ? 3600 : 60;
  return !immutable && maxAge > 0 && maxAge <= limit ? null : `"${cc}", want max-age between 1 and ${limit}, not immutable`;
}

// checkFiles fetches every file of the manifest of out through urlOf(file)
// and checks its status, bytes, Content-Type, Cache-Control and, for
// pages, the Content-Security-Policy. Returns problems.
async function checkFiles(out, urlOf, { csp = true } = {}) {
  const details = [];
  const files = manifest(out);
  for (const f of files) {
    const want = fs.readFileSync(path.join(out, f));
    const r = await fetch(urlOf(f), { redirect: 'manual' });
    const body = Buffer.from(await r.arrayBuffer());
    if (r.status !== 200) { details.push(`${urlPath(f)}: status ${r.status}, want 200`); continue; }
    if (!body.equals(want)) details.push(`${urlPath(f)}: body (${body.length} bytes) differs from the published file (${want.length} bytes)`);
    const type = (r.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
    const media = wantMedia(f);
    if (media && !media.includes(type)) details.push(`${urlPath(f)}: Content-Type "${r.headers.get('content-type')}", want ${media.join(' or ')}`);
    const cache = cacheProblem(f, r.headers.get('cache-control'));
    if (cache) details.push(`${urlPath(f)}: Cache-Control ${cache}`);
    if (csp && f.endsWith('.html') && f !== '404.html' && r.headers.get('content-security-policy') !== "default-src 'self'")
      details.push(`${urlPath(f)}: Content-Security-Policy ${JSON.stringify(r.headers.get('content-security-policy'))}, want "default-src 'self'"`);
  }
  return { files: files.length, details };
}

const titleOf = (html) => /<title>([^<]*)<\/title>/.exec(html)?.[1];

// ---------------------------------------------------------------------------
// nginx and Caddy: a directory behind a web server.

// The flip: an incident added (a new version), then removed again (another
// version), each by `herald build`; the server must show each at once.
const FLIP_SLUG = 'e2e-flip-check';
async function flipCheck(herald, site, now, base, details) {
  const out = path.join(site, 'public');
  const file = path.join(site, 'incidents', `${FLIP_SLUG}.md`);
  const marker = `Flip marker ${Date.now()}`;
  const get = async (p) => { const r = await fetch(base + p); return { status: r.status, text: await r.text() }; };
  const before = fs.readlinkSync(out);
  fs.writeFileSync(file, `---\ntitle: ${marker}\ncomponents: [website]\nimpact: minor\nstarted: 2026-11-28 06:00\n---\nAdded by the e2e suite to flip the symlink.\n`);
  try {
    await build(herald, site, now);
    const added = fs.readlinkSync(out);
    if (added === before) details.push(`after a rebuild, public still points at ${before}`);
    const index = await get('/');
    if (!index.text.includes(marker)) details.push(`after the rebuild that added an incident (public -> ${added}), / does not show it: the server still serves ${before}`);
    if (index.text !== fs.readFileSync(path.join(out, 'index.html'), 'utf8')) details.push('after a rebuild, / differs from the published index.html');
    const page = await get(`/incidents/${FLIP_SLUG}/`);
    if (page.status !== 200 || !page.text.includes(marker)) details.push(`after a rebuild, /incidents/${FLIP_SLUG}/ answers ${page.status}, want 200 with the new incident`);
  } finally {
    fs.rmSync(file, { force: true });
  }
  await build(herald, site, now);
  const gone = await get(`/incidents/${FLIP_SLUG}/`);
  if (gone.status !== 404) details.push(`after the rebuild that removed the incident, /incidents/${FLIP_SLUG}/ answers ${gone.status}, want 404`);
  if ((await get('/')).text.includes(marker)) details.push('after the rebuild that removed the incident, / still shows it');
  return [before, fs.readlinkSync(out)];
}

// checkServed is the whole check of a web server serving site's public/ at
// base: every file (checkFiles), 404s, and a flip.
async function checkServed(herald, site, now, base) {
  const out = path.join(site, 'public');
  const { files, details } = await checkFiles(out, (f) => base + urlPath(f));
  const notFound = titleOf(fs.readFileSync(path.join(out, '404.html'), 'utf8'));
  for (const p of ['/no-such-page/', '/incidents/no-such-incident/', '/.herald-manifest', '/assets/.herald-manifest']) {
    const r = await fetch(base + p);
    const text = await r.text();
    if (r.status !== 404) details.push(`${p}: status ${r.status}, want 404`);
    else if (!p.includes('/.') && titleOf(text) !== notFound) details.push(`${p}: 404 without the site's 404 page (title ${JSON.stringify(titleOf(text))}, want ${JSON.stringify(notFound)})`);
  }
  const [v1, v2] = await flipCheck(herald, site, now, base, details);
  return { ok: details.length === 0, figure: `${files} files, 4 not-found paths, flipped ${v1} → ${v2}`, details };
}

// servedSite builds a copy of the example for the web servers, once.
let served;
async function servedSite(herald, exampleDir, work, now) {
  served ??= (async () => {
    const site = exampleCopy(exampleDir, path.join(deployRoot(work), 'served-site'));
    await build(herald, site, now);
    return site;
  })();
  return served;
}

// checkNginx runs nginx with serverBlock (docs/deploy.md's, or a broken
// one) as its only server, on a free 127.0.0.1 port with the example at
// the block's root. nginx's own nginx.conf is not used; the http block
// below carries what Debian's does that matters here (mime.types). As
// root, the workers run as www-data, as Debian's package runs them, so a
// file herald wrote unreadable to others would show as a 403.
export async function checkNginx({ herald, exampleDir, work, now, serverBlock }) {
  const nginxBin = tool('nginx', 'NGINX');
  const site = await servedSite(herald, exampleDir, work, now);
  const dir = fs.mkdtempSync(path.join(work, 'nginx-'));
  const port = await freePort();
  let block = replaceOnce(serverBlock, 'listen 80;', `listen 127.0.0.1:${port};`);
  block = replaceOnce(block, 'root /srv/status/public;', `root ${path.join(site, 'public')};`);
  const user = process.getuid() === 0 ? 'user www-data;\n' : '';
  fs.writeFileSync(path.join(dir, 'nginx.conf'), `daemon off;
${user}worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 64; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path ${dir}/client_body;
    proxy_temp_path ${dir}/proxy;
    fastcgi_temp_path ${dir}/fastcgi;
    uwsgi_temp_path ${dir}/uwsgi;
    scgi_temp_path ${dir}/scgi;
# --- the server block under test ---
${block}}
`);
  const procs = processes(dir);
  try {
    const nginx = procs.start(nginxBin, ['-c', path.join(dir, 'nginx.conf'), '-p', dir, '-e', path.join(dir, 'error.log')], 'nginx.log');
    await waitHTTP(`http://127.0.0.1:${port}/`, nginx, 'nginx');
    const result = await checkServed(herald, site, now, `http://127.0.0.1:${port}`);
    if (!result.ok) result.details.push(`nginx config: ${path.join(dir, 'nginx.conf')}; errors: ${tail(path.join(dir, 'error.log'))}`);
    return result;
  } finally { await procs.close(); }
}

// checkCaddy runs caddy with caddyfile (docs/deploy.md's, or a broken one):
// its site address status.example.com becomes http://127.0.0.1:PORT (no
// TLS, no certificate), and a global options block turns the admin
// endpoint off so that nothing else listens.
export async function checkCaddy({ herald, exampleDir, work, now, caddyfile }) {
  const caddyBin = tool('caddy', 'CADDY');
  const site = await servedSite(herald, exampleDir, work, now);
  const dir = fs.mkdtempSync(path.join(work, 'caddy-'));
  const port = await freePort();
  let conf = replaceOnce(caddyfile, 'status.example.com {', `http://127.0.0.1:${port} {`);
  conf = replaceOnce(conf, 'root * /srv/status/public', `root * ${path.join(site, 'public')}`);
  fs.writeFileSync(path.join(dir, 'Caddyfile'), `{\n\tadmin off\n}\n\n${conf}`);
  const procs = processes(dir);
  try {
    const env = { ...process.env, HOME: dir, XDG_DATA_HOME: path.join(dir, 'data'), XDG_CONFIG_HOME: path.join(dir, 'config') };
    const caddy = procs.start(caddyBin, ['run', '--config', path.join(dir, 'Caddyfile'), '--adapter', 'caddyfile'], 'caddy.log', { env });
    await waitHTTP(`http://127.0.0.1:${port}/`, caddy, 'caddy');
    const result = await checkServed(herald, site, now, `http://127.0.0.1:${port}`);
    if (!result.ok) result.details.push(`Caddyfile: ${path.join(dir, 'Caddyfile')}`);
    return result;
  } finally { await procs.close(); }
}

// ---------------------------------------------------------------------------
// systemd.

// unitValue is the last value of key in [section], as systemd reads it
// (a later assignment wins).
function unitValue(unit, section, key) {
  let cur = '', val;
  for (const raw of unit.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const s = /^\[(.+)\]$/.exec(line);
    if (s) { cur = s[1]; continue; }
    const kv = /^([A-Za-z]+)\s*=\s*(.*)$/.exec(line);
    if (kv && cur === section && kv[1] === key) val = kv[2];
  }
  return val;
}

// checkSystemdUnit: no systemd runs here (a container without an init),
// so the unit cannot be started, enabled, restarted or rebooted with. This
// is the most that can run: `systemd-analyze verify` loads the unit as
// systemd would and must print nothing (it exits 0 on ignored bad lines,
// so its output is what counts); Restart=always and
// WantedBy=multi-user.target are read from it; and its ExecStart runs in
// its WorkingDirectory until /healthz answers 200, then gets SIGTERM (what
// `systemctl stop` sends) and must exit 0 within TimeoutStopSec.
export async function checkSystemdUnit({ herald, exampleDir, work, unit }) {
  const dir = fs.mkdtempSync(path.join(deployRoot(work), 'systemd-'));
  const details = [];
  // verify checks that ExecStart's program exists: point it at this build.
  const file = path.join(dir, 'herald.service');
  fs.writeFileSync(file, replaceOnce(unit, 'ExecStart=/usr/local/bin/herald ', `ExecStart=${herald} `));
  const v = await run(tool('systemd-analyze', 'SYSTEMD_ANALYZE'), ['verify', '--man=no', file]);
  const said = (v.stdout + v.stderr).trim();
  if (v.code !== 0 || said) details.push(`systemd-analyze verify exit ${v.code}${said ? ':' : ''}`, ...said.split('\n').filter(Boolean));
  const restart = unitValue(unit, 'Service', 'Restart');
  if (restart !== 'always') details.push(`[Service] Restart=${restart ?? '(unset)'}, want always`);
  const wanted = unitValue(unit, 'Install', 'WantedBy');
  if (!/\bmulti-user\.target\b/.test(wanted ?? '')) details.push(`[Install] WantedBy=${wanted ?? '(unset)'}, want multi-user.target (started at boot)`);

  // Run ExecStart as systemd would, in a site with a local probe target.
  const target = await listen((req, res) => { res.writeHead(200); res.end('up'); });
  const procs = processes(dir);
  let figure = `Restart=${restart}`;
  try {
    const site = exampleCopy(exampleDir, path.join(dir, 'srv-status'), target.url + '/');
    const port = await freePort();
    const exec = unitValue(unit, 'Service', 'ExecStart') ?? '';
    if (/["'\\$%]/.test(exec)) throw new Error(`ExecStart ${exec}: quoting, variables and specifiers are not handled here`);
    const argv = exec.split(/\s+/).map((a) => a.replace('/usr/local/bin/herald', herald).replace('/srv/status', site).replace('127.0.0.1:9190', `127.0.0.1:${port}`));
    if (!exec.includes('127.0.0.1:9190')) throw new Error(`ExecStart ${exec}: no -listen 127.0.0.1:9190 to move to a free port`);
    const cwd = (unitValue(unit, 'Service', 'WorkingDirectory') ?? '/').replace('/srv/status', site);
    const stopSecs = Number(unitValue(unit, 'Service', 'TimeoutStopSec') ?? 90);
    const daemon = procs.start(argv[0], argv.slice(1), 'herald-run.log', { cwd });
    let healthy = null;
    for (let i = 0; i < 300 && !healthy; i++) {
      const r = await waitHTTP(`http://127.0.0.1:${port}/healthz`, daemon, 'herald run', 30);
      if (r.status === 200) healthy = r; else await sleep(100);
    }
    if (!healthy) details.push(`/healthz never answered 200 within 30 s: ${tail(daemon.log)}`);
    const t0 = Date.now();
    process.kill(daemon.pid, 'SIGTERM');
    const exit = await Promise.race([daemon.exited, sleep(stopSecs * 1000).then(() => null)]);
    if (!exit) details.push(`herald run did not exit within TimeoutStopSec=${stopSecs} s of SIGTERM`);
    else if (exit.code !== 0) details.push(`herald run exited ${exit.code ?? exit.signal} on SIGTERM, want 0: ${tail(daemon.log)}`);
    figure += `; ExecStart: /healthz ${healthy ? 200 : 'never 200'}, SIGTERM → exit ${exit?.code ?? exit?.signal ?? 'none'} in ${((Date.now() - t0) / 1000).toFixed(1)} s`;
  } finally {
    await procs.close();
    await target.close();
  }
  return { ok: details.length === 0, figure, details };
}

// ---------------------------------------------------------------------------
// Cron or CI, then a static host: the push goes with rsync into a local
// folder standing for the web server's. Over SSH to another host it is the
// same rsync; that part cannot run here.

// staticHostProblems compares the pushed folder with the published version:
// every file of the manifest with the same bytes, no dotfiles, and nothing
// else but older assets (kept on purpose for pages still in caches).
function staticHostProblems(out, dest) {
  const details = [];
  const want = new Set(manifest(out));
  const have = [];
  const walk = (d, rel) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(path.join(d, e.name), r);
      else have.push([r, e]);
    }
  };
  if (!fs.existsSync(dest)) return [`${dest} does not exist`];
  walk(dest, '');
  const haveNames = new Set(have.map(([r]) => r));
  for (const [r, e] of have) {
    if (!e.isFile()) details.push(`${r}: a ${e.isSymbolicLink() ? 'symlink' : 'special file'} on the static host, want a file`);
    else if (path.basename(r).startsWith('.')) details.push(`${r}: a dotfile was pushed`);
    else if (!want.has(r) && !r.startsWith('assets/')) details.push(`${r}: on the static host but not in the published site (not deleted)`);
  }
  for (const f of want) {
    if (!haveNames.has(f)) details.push(`${f}: missing on the static host`);
    else if (!fs.readFileSync(path.join(dest, f)).equals(fs.readFileSync(path.join(out, f)))) details.push(`${f}: differs from the published file`);
  }
  return details;
}

// cronSetup makes a site (its Website probed at a local target), a bin
// folder where `herald` is this build, and an empty static host folder.
async function cronSetup(herald, exampleDir, work, name) {
  const dir = fs.mkdtempSync(path.join(deployRoot(work), `${name}-`));
  let hits = 0;
  const target = await listen((req, res) => { hits++; res.writeHead(200); res.end('up'); });
  const site = exampleCopy(exampleDir, path.join(dir, 'srv-status'), target.url + '/');
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  fs.symlinkSync(herald, path.join(bin, 'herald'));
  const dest = path.join(dir, 'www-status');
  fs.mkdirSync(dest);
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, PUSH_DEST: dest };
  return { dir, site, dest, env, hits: () => hits, close: () => target.close() };
}

// afterRun checks the static host against the published site and that the
// probe reached its target and was recorded.
function afterRun(s, what, details, hitsBefore) {
  const out = path.join(s.site, 'public');
  if (!fs.existsSync(out)) { details.push(`${what}: nothing was published`); return; }
  details.push(...staticHostProblems(out, s.dest).map((d) => `${what}: ${d}`));
  if (s.hits() <= hitsBefore) details.push(`${what}: herald probe -once never reached the probe target`);
  if (!fs.existsSync(path.join(s.site, 'data', 'history.db'))) details.push(`${what}: no probe history in data/history.db`);
}

// deleteIncident removes the site's first incident file, with its
// translations (<slug>.<lang>.md, which would be left without an
// original), so the next run must remove its pages from the static host.
// Returns its slug.
function deleteIncident(site) {
  const dir = path.join(site, 'incidents');
  const names = fs.readdirSync(dir).filter((n) => n.endsWith('.md')).sort();
  const slug = names.find((n) => !/\.[A-Za-z-]+\.md$/.test(n)).replace(/\.md$/, '');
  for (const n of names) if (n === `${slug}.md` || (n.startsWith(`${slug}.`) && /^[A-Za-z-]+\.md$/.test(n.slice(slug.length + 1)))) fs.rmSync(path.join(dir, n));
  return slug;
}

// sameSecondRebuild edits an incident's title at the same length and
// rebuilds, then gives every pushed file of the same size the new file's
// modification time: the state after a previous push of a build made in
// the same second (herald watch rebuilds 100 ms after a save, and rsync
// compares times to the second). Returns how many files then differ in
// content only; push.sh must still copy them.
async function sameSecondRebuild(herald, site, dest) {
  const dir = path.join(site, 'incidents');
  const file = fs.readdirSync(dir).filter((n) => n.endsWith('.md')).sort().map((n) => path.join(dir, n))
    .find((f) => /^title: [A-Za-z]/m.test(fs.readFileSync(f, 'utf8')));
  if (!file) throw new Error('no incident with a title to edit');
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/^title: ([A-Za-z])/m, (_, c) => `title: ${c === 'X' ? 'Y' : 'X'}`));
  await build(herald, site);
  const out = path.join(site, 'public');
  let hidden = 0;
  for (const f of manifest(out)) {
    const src = path.join(out, f), dst = path.join(dest, f);
    if (!fs.existsSync(dst)) continue;
    const st = fs.statSync(src);
    if (fs.statSync(dst).size !== st.size) continue;
    fs.utimesSync(dst, st.atime, st.mtime);
    if (!fs.readFileSync(dst).equals(fs.readFileSync(src))) hidden++;
  }
  return hidden;
}

// checkCron runs the crontab line of docs/deploy.md (its schedule checked,
// its command run by sh as cron would) with push.sh beside it, twice: once
// on a new site, and once after an incident was deleted. Then push.sh runs
// once more as publish.command would (HERALD_PUBLIC_DIR set), after a
// rebuild within the same second (sameSecondRebuild).
export async function checkCron({ herald, exampleDir, work, crontab, push }) {
  tool('rsync'); // push.sh runs rsync from PATH: fail here, not midway
  const lines = crontab.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));
  if (lines.length !== 1) throw new Error(`the crontab block has ${lines.length} entries, want 1`);
  const fields = lines[0].trim().split(/\s+/);
  const details = [];
  const schedule = fields.slice(0, 5);
  if (!schedule.every((f) => /^(\*|\d+(-\d+)?)(\/\d+)?(,(\*|\d+(-\d+)?)(\/\d+)?)*$/.test(f))) details.push(`crontab schedule "${schedule.join(' ')}" is not five cron fields`);
  const s = await cronSetup(herald, exampleDir, work, 'cron');
  try {
    const command = replaceOnce(fields.slice(5).join(' '), 'cd /srv/status ', `cd ${s.site} `);
    fs.writeFileSync(path.join(s.site, 'push.sh'), push, { mode: 0o755 });
    let deleted = '';
    for (const pass of ['first run', 'run after deleting an incident']) {
      if (pass !== 'first run') deleted = deleteIncident(s.site);
      const hits = s.hits();
      const r = await run('/bin/sh', ['-c', command], { env: s.env, cwd: s.dir, timeout: 120_000 });
      if (r.code !== 0) { details.push(`${pass}: exit ${r.code}`, ...r.stderr.trim().split('\n').slice(-5)); break; }
      afterRun(s, pass, details, hits);
    }
    let hidden = 0;
    if (fs.existsSync(path.join(s.site, 'public'))) {
      hidden = await sameSecondRebuild(herald, s.site, s.dest);
      // Without such a file the pass tests nothing (unless an earlier pass
      // failed to push the site at all).
      if (!hidden && !details.length) throw new Error('the same-length title edit changed no file at the same size: the same-second pass tests nothing');
      const out = path.join(s.site, 'public');
      const r = await run('/bin/sh', ['-c', './push.sh'], { env: { ...s.env, HERALD_PUBLIC_DIR: fs.realpathSync(out) }, cwd: s.site, timeout: 120_000 });
      if (r.code !== 0) details.push(`push.sh after a same-second rebuild: exit ${r.code}`, ...r.stderr.trim().split('\n').slice(-5));
      else details.push(...staticHostProblems(out, s.dest).map((d) => `push.sh after a same-second rebuild: ${d}`));
    }
    const pushed = fs.existsSync(s.dest) ? fs.readdirSync(s.dest).length : 0;
    return { ok: details.length === 0, figure: `"${schedule.join(' ')}": probe, build, push ×2 (deleted ${deleted || 'nothing'}), then a same-second rebuild (${hidden} files changed at equal size and time); ${pushed} entries at the top of the static host`, details };
  } finally { await s.close(); }
}

// checkCI reads the CI workflow (parsed by PyYAML, as a YAML loader would)
// and runs its `run:` steps in order in a fresh checkout-like site copy,
// with PUSH_DEST set to the local static host. Not run here: the `uses:`
// actions and `go install` (this build of herald is on PATH instead),
// which need GitHub's runner and the network.
export async function checkCI({ herald, exampleDir, work, workflow, push }) {
  tool('rsync'); // push.sh runs rsync from PATH: fail here, not midway
  const s = await cronSetup(herald, exampleDir, work, 'ci');
  const details = [];
  try {
    const wf = path.join(s.dir, 'status.yml');
    fs.writeFileSync(wf, workflow);
    const parsed = await run(python(), [path.join(E2E, 'py/workflow.py'), wf]);
    if (parsed.code !== 0) return { ok: false, figure: 'the workflow is not valid YAML', details: parsed.stderr.trim().split('\n') };
    const { crons, steps } = JSON.parse(parsed.stdout);
    if (!crons.length) details.push('the workflow has no on.schedule cron');
    for (const c of crons) if (c.trim().split(/\s+/).length !== 5) details.push(`schedule cron "${c}" is not five fields`);
    fs.writeFileSync(path.join(s.site, 'push.sh'), push, { mode: 0o755 });
    let ran = 0, skipped = 0;
    for (const step of steps) {
      if (step.run == null) { skipped++; continue; }
      if (/^\s*go install\b/.test(step.run)) { skipped++; continue; }
      // GitHub runs a step with bash -e in the checkout.
      const r = await run('/bin/bash', ['-e', '-c', step.run], { env: s.env, cwd: s.site, timeout: 120_000 });
      ran++;
      if (r.code !== 0) { details.push(`step "${step.run.trim()}": exit ${r.code}`, ...r.stderr.trim().split('\n').slice(-5)); break; }
    }
    if (!details.length) afterRun(s, 'after the job', details, 0);
    return { ok: details.length === 0, figure: `${ran} run: steps run, ${skipped} uses:/go install steps not run here; crons ${crons.join(', ')}`, details };
  } finally { await s.close(); }
}

// ---------------------------------------------------------------------------
// Object storage: the doc's script with Debian's AWS CLI against s3rver (npm
// s3rver, pinned in package.json), a local server of the S3 API that keeps
// each object's Content-Type and Cache-Control and serves them back.
// Debian 12 packages no S3 server: no minio or s3proxy, and its rclone
// (1.60) predates `rclone serve s3` (1.65). Its AWS CLI (2.9) has no
// endpoint setting in the environment or config, so `aws` on PATH is a
// two-line wrapper adding --endpoint-url. Not run here: AWS S3 itself,
// bucket policies and website hosting, a CDN.

export async function checkS3({ herald, exampleDir, work, now, script }) {
  const aws = tool('aws', 'AWS');
  const { default: S3rver } = await import('s3rver');
  const dir = fs.mkdtempSync(path.join(deployRoot(work), 's3-'));
  const bucket = /s3:\/\/([a-z0-9.-]+)/.exec(script)?.[1];
  if (!bucket) throw new Error('the script names no s3:// bucket');
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: path.join(dir, 'store'), configureBuckets: [{ name: bucket }] });
  // s3rver lists keys in its folders' readdir order; S3 lists them in UTF-8
  // byte order, and `aws s3 sync` relies on that to pair files with keys
  // (history.atom sorts before history/index.html): out of order, it
  // deletes objects it has just uploaded. A listing here fits in one page,
  // so sorting each one makes it S3's.
  const list = server.store.listObjects.bind(server.store);
  server.store.listObjects = async (...args) => {
    const r = await list(...args);
    if (r.isTruncated) throw new Error('s3rver listing truncated: sorting one page would not give S3\'s order');
    r.objects.sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
    return r;
  };
  const events = []; // [name, key] in the order S3 completed them
  server.on('event', (e) => { for (const r of e.Records ?? []) events.push([r.eventName, decodeURIComponent(r.s3.object.key)]); });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(bin, 'aws'), `#!/bin/sh\nexec ${aws} --endpoint-url ${endpoint} "$@"\n`, { mode: 0o755 });
  const env = {
    ...process.env, PATH: `${bin}:${process.env.PATH}`, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_DEFAULT_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true', AWS_PAGER: '',
    AWS_CONFIG_FILE: path.join(dir, 'no-config'), AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'no-credentials'),
  };
  const details = [];
  try {
    const site = exampleCopy(exampleDir, path.join(dir, 'srv-status'));
    fs.writeFileSync(path.join(site, 's3.sh'), script, { mode: 0o755 });
    const present = new Set();
    let deleted = '', files = 0;
    for (const pass of ['first upload', 'upload after deleting an incident']) {
      if (pass !== 'first upload') deleted = deleteIncident(site);
      await build(herald, site, now);
      const out = path.join(site, 'public');
      // As publish.command runs it: HERALD_PUBLIC_DIR is the version folder.
      const from = events.length;
      const r = await run('/bin/sh', ['s3.sh'], { env: { ...env, HERALD_PUBLIC_DIR: fs.realpathSync(out) }, cwd: site, timeout: 180_000 });
      if (r.code !== 0) { details.push(`${pass}: exit ${r.code}`, ...r.stderr.trim().split('\n').slice(-5)); break; }
      // No page may arrive before an asset it links.
      for (const [name, key] of events.slice(from)) {
        if (name.startsWith('ObjectRemoved')) { present.delete(key); continue; }
        if (key.endsWith('.html')) {
          const html = fs.readFileSync(path.join(out, key), 'utf8');
          for (const m of html.matchAll(/(?:href|src)="([^"]*assets\/[^"]+)"/g)) {
            const asset = path.posix.normalize(path.posix.join(path.posix.dirname(key), m[1]));
            if (!present.has(asset)) details.push(`${pass}: ${key} was uploaded before ${asset}, which it links`);
          }
        }
        present.add(key);
      }
      const got = await checkFiles(out, (f) => `${endpoint}/${bucket}/${f}`, { csp: false });
      files = got.files;
      details.push(...got.details.map((d) => `${pass}: ${d}`));
      for (const f of ['.herald-manifest', ...(deleted ? [`incidents/${deleted}/index.html`] : [])]) {
        const res = await fetch(`${endpoint}/${bucket}/${f}`);
        await res.arrayBuffer();
        if (res.status !== 404) details.push(`${pass}: ${f} answers ${res.status}, want 404 (${f.startsWith('.') ? 'a dotfile was uploaded' : 'a deleted page was not removed'})`);
      }
    }
    const puts = events.filter(([n]) => n.startsWith('ObjectCreated')).length;
    return { ok: details.length === 0, figure: `${files} objects checked; ${puts} PUTs, ${events.length - puts} deletes over 2 uploads (deleted ${deleted || 'nothing'})`, details: details.slice(0, 40) };
  } finally { await server.close(); }
}
