// The e2e suite's driver. e2e/run.sh builds herald, writes the stress site,
// starts `herald serve` for the sites and then runs this with:
//   HERALD, NOW, WORK, EXAMPLE_SITE, EXAMPLE_URL, STRESS_SITE, STRESS_URL,
//   and the example in German and Arabic: EXAMPLE_DE_SITE, EXAMPLE_DE_URL,
//   EXAMPLE_AR_SITE, EXAMPLE_AR_URL
// Every check runs against the real sites (must pass) and against its broken
// fixture under fixtures/broken/ (a "canary": must fail). Prints a summary
// table and exits 1 on any failure.
import fs from 'node:fs';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { E2E, ROOT, crashed, freePort, guard, record, run, summary, serveDir, listFiles } from './lib/harness.mjs';
import { checkHtml } from './checks/html.mjs';
import { launch, checkConsole, checkNoJs, checkAxe, checkUptimeBars, checkStaleBanner, checkPinnedClock, screenshots } from './checks/browser.mjs';
import { checkLighthouse } from './checks/lighthouse.mjs';
import { checkXmllint, checkFeedparser, checkJsonFeed, checkNewsboat, parseFeed } from './checks/feeds.mjs';
import { checkCalendar } from './checks/calendar.mjs';
import { checkReportCsv } from './checks/reports.mjs';
import { checkStatuspage, checkStatuspageWidget, statusDescription, allGoodSite, wrongSummary } from './checks/statuspage.mjs';
import { prometheusLab } from './checks/prometheus.mjs';
import { samples, checkMigrate, feedsOf } from './checks/migrate.mjs';
import { docBlock, fixture, checkNginx, checkCaddy, checkSystemdUnit, checkCron, checkCI, checkS3 } from './checks/deploy.mjs';

const env = (k) => { if (!process.env[k]) throw new Error(`suite.mjs: ${k} is not set (run it through e2e/run.sh)`); return process.env[k]; };
const HERALD = env('HERALD'), NOW = env('NOW'), WORK = env('WORK');
const BROKEN = path.join(E2E, 'fixtures/broken');

const slugOf = (site, maintenance) => {
  for (const f of listFiles(path.join(site, 'incidents'), '.md')) {
    const isM = /^type:\s*maintenance\s*$/m.test(fs.readFileSync(f, 'utf8'));
    if (isM === maintenance) return path.basename(f, '.md');
  }
  throw new Error(`no ${maintenance ? 'maintenance' : 'incident'} in ${site}`);
};

const sites = [
  // The example's report months: November to date at the pinned clock,
  // and August, observed too little for a figure.
  { name: 'example', site: env('EXAMPLE_SITE'), url: env('EXAMPLE_URL'), incident: '2026-11-28-feed-latency', maintenance: '2026-12-03-failover-and-reboot-test', component: 'package-feed', reports: ['2026-11', '2026-08'] },
  { name: 'stress', site: env('STRESS_SITE'), url: env('STRESS_URL'), component: 'svc-01', page2: true },
];
for (const s of sites) {
  // The output path itself, not the version it points at now: herald serve
  // keeps rebuilding (on its timer, and when a check rebuilds the site), and
  // older versions are removed.
  s.out = path.join(s.site, 'public');
  s.incident ??= slugOf(s.site, false);
  s.maintenance ??= slugOf(s.site, true);
  s.pages = [
    { name: 'index', path: './' },
    { name: 'incident', path: `./incidents/${s.incident}/` },
    { name: 'maintenance', path: `./incidents/${s.maintenance}/` },
    { name: 'history', path: './history/' },
    ...(s.page2 ? [{ name: 'history-2', path: './history/page/2/' }] : []),
    { name: 'component', path: `./components/${s.component}/` },
    { name: 'subscribe', path: './subscribe/' },
    { name: 'reports', path: './reports/' },
    ...(s.reports ?? []).map((m, i) => ({ name: i ? `report-${m}` : 'report', path: `./reports/${m}/` })),
    { name: '404', path: './no-such-page/', status: 404 },
  ];
  s.url = s.url.replace(/\/?$/, '/');
}
const [example] = sites;
// The example in German and in Arabic, right to left (issue #14): the HTML,
// axe and Lighthouse checks run on them as on the example, on its pages.
const translated = ['de', 'ar'].map((lang) => {
  const site = env(`EXAMPLE_${lang.toUpperCase()}_SITE`);
  return { ...example, name: `example-${lang}`, site, out: path.join(site, 'public'), url: env(`EXAMPLE_${lang.toUpperCase()}_URL`).replace(/\/?$/, '/') };
});
const arabic = translated.find((s) => s.name === 'example-ar');

// The groups of checks, in the order they run. E2E_ONLY=feeds,newsboat runs
// some only; the others are listed as skipped (a failure in CI).
const groups = {
  async html() {
    for (const s of [...sites, ...translated]) await guard('check', 'HTML (vnu)', s.name, () => checkHtml(s.out));
    await guard('canary', 'HTML (vnu)', 'html/index.html', () => checkHtml(path.join(BROKEN, 'html')));
  },

  async browser() {
    const browser = await launch();
    try {
      for (const s of sites) await guard('check', 'console & requests', s.name, () => checkConsole(browser, s.url, s.pages));
      await guard('canary', 'console & requests', 'browser/console-error.html', () => checkConsole(browser, fixtures.url, fixturePage('console', 'console-error.html')));
      for (const s of sites) await guard('check', 'works without JS', s.name, () => checkNoJs(browser, s.url, s.pages));
      await guard('canary', 'works without JS', 'browser/nojs.html', () => checkNoJs(browser, fixtures.url, fixturePage('nojs', 'nojs.html')));
      for (const s of [...sites, ...translated]) await guard('check', 'axe-core', s.name, () => checkAxe(browser, s.url, s.pages));
      await guard('canary', 'axe-core', 'browser/a11y.html', () => checkAxe(browser, fixtures.url, fixturePage('a11y', 'a11y.html')));
      for (const s of [...sites, ...translated]) await guard('check', 'uptime bar labels', s.name, () => checkUptimeBars(browser, s.url, s.pages.filter((p) => ['index', 'component'].includes(p.name))));
      await guard('canary', 'uptime bar labels', 'browser/bars.html', () => checkUptimeBars(browser, fixtures.url, fixturePage('bars', 'bars.html')));
      // The example has probes, so its index carries the stale-page script.
      await guard('check', 'stale-page banner', 'example', () => checkStaleBanner(browser, example.url));
      // Canary: a page "too fresh to warn" judged 1 minute after a 10-minute
      // threshold must not pass as showing a banner at +1 min.
      await guard('canary', 'stale-page banner', 'example, banner expected at +1 min', () => checkStaleBanner(browser, example.url, { fresh: 30, stale: 1 }));
      // make run's `herald serve -now`: pages told the pinned clock show no
      // banner at the browser's real clock, and the built site holds none of
      // it; the canary is the example as published (-reload=false).
      await guard('check', 'stale-page banner under serve -now', 'example copy', async () => {
        const pinned = await servePinned();
        try { return await checkPinnedClock(browser, pinned.url, pinned.out); } finally { pinned.stop(); }
      });
      await guard('canary', 'stale-page banner under serve -now', 'example as published, real clock', () => checkPinnedClock(browser, example.url, null));
      const shots = path.join(E2E, 'screenshots');
      fs.rmSync(shots, { recursive: true, force: true });
      // At the clock each page was built at, as a reader sees it fresh: at
      // the browser's real clock, days after NOW, they show the stale banner.
      await guard('check', 'screenshots', 'example', () => screenshots(browser, example.url, example.pages, shots, 'example', true));
      await guard('check', 'screenshots', 'example-ar', () => screenshots(browser, arabic.url, arabic.pages.filter((p) => p.name === 'index'), shots, 'example-ar', true));
      await guard('check', 'screenshots', 'stress', () => screenshots(browser, sites[1].url, sites[1].pages.filter((p) => ['index', 'history-2'].includes(p.name)), shots, 'stress', true));
      // Canary: the example's index at the browser's real clock shows the
      // stale banner, which the check must see.
      await guard('canary', 'screenshots', 'example index at the real clock', () => screenshots(browser, example.url, example.pages.filter((p) => p.name === 'index'), fs.mkdtempSync(path.join(WORK, 'shots-')), 'canary', false));
      if (process.env.E2E_UPDATE_SCREENSHOT === '1') {
        for (const [shot, doc] of [['example-index-desktop-light.png', 'screenshot.png'], ['example-ar-index-desktop-light.png', 'screenshot-ar.png']]) {
          fs.copyFileSync(path.join(shots, shot), path.join(ROOT, 'docs', doc));
          console.log(`updated docs/${doc} from e2e/screenshots/${shot}`);
        }
      }
    } finally { await browser.close(); }
  },

  async lighthouse() {
    for (const s of [example, ...translated])
      for (const p of s.pages.filter((p) => ['index', 'incident', 'component', 'subscribe', 'report'].includes(p.name)))
        await guard('check', 'Lighthouse', `${s.name} ${p.name}`, () => checkLighthouse(new URL(p.path, s.url).href));
    await guard('canary', 'Lighthouse', 'browser/lighthouse.html', () => checkLighthouse(fx('browser/lighthouse.html')));
  },

  async feeds() {
    const xmlFeeds = [];
    for (const s of sites) for (const f of ['history.rss', 'history.atom', `components/${s.component}/history.rss`, `components/${s.component}/history.atom`]) xmlFeeds.push([s, f]);
    for (const [s, f] of xmlFeeds) await guard('check', 'xmllint', `${s.name} ${f}`, () => checkXmllint(path.join(s.out, f)));
    await guard('canary', 'xmllint', 'feeds/malformed.rss', () => checkXmllint(path.join(BROKEN, 'feeds/malformed.rss')));
    for (const [s, f] of xmlFeeds) await guard('check', 'feedparser', `${s.name} ${f}`, () => checkFeedparser(path.join(s.out, f)));
    await guard('canary', 'feedparser', 'feeds/malformed.rss', () => checkFeedparser(path.join(BROKEN, 'feeds/malformed.rss')));
    for (const s of sites) for (const f of ['history.json', `components/${s.component}/history.json`])
      await guard('check', 'JSON Feed 1.1 schema', `${s.name} ${f}`, () => checkJsonFeed(path.join(s.out, f)));
    await guard('canary', 'JSON Feed 1.1 schema', 'feeds/no-ids.json', () => checkJsonFeed(path.join(BROKEN, 'feeds/no-ids.json')));
  },

  async reports() {
    for (const m of example.reports) await guard('check', 'report CSV (python csv)', `example ${m}`, () => checkReportCsv(example.out, m));
    await guard('canary', 'report CSV (python csv)', 'reports/reports/2026-11.csv', () => checkReportCsv(path.join(BROKEN, 'reports'), '2026-11'));
  },

  async calendar() {
    await guard('check', 'iCalendar (maintenance.ics)', 'example', () => checkCalendar(path.join(example.out, 'maintenance.ics')));
    await guard('canary', 'iCalendar (maintenance.ics)', 'calendar/maintenance.ics', () => checkCalendar(path.join(BROKEN, 'calendar/maintenance.ics')));
    await guard('canary', 'iCalendar (maintenance.ics)', 'a build without maintenance.ics', () => checkCalendar(path.join(emptyBuild(), 'maintenance.ics')));
  },

  async statuspage() {
    await guard('check', 'Statuspage v2 API', 'example', () => checkStatuspage(example.out));
    await guard('canary', 'Statuspage v2 API', 'statuspage/api/v2/summary.json', () => checkStatuspage(path.join(BROKEN, 'statuspage')));
    await guard('canary', 'Statuspage v2 API', 'a build without api/v2/summary.json', () => checkStatuspage(emptyBuild()));
    // Atlassian's embeddable widget against the example (an ongoing
    // incident) and an all-good copy; the canaries serve a summary.json
    // whose description differs from the site's status.json, and none.
    const browser = await launch();
    try {
      await guard('check', 'Statuspage widget', 'example', () => checkStatuspageWidget(browser, example.out, statusDescription(example.out)));
      await guard('check', 'Statuspage widget', 'all-good example copy', async () => {
        const good = await allGoodSite(HERALD, example.site, WORK, NOW, example.incident);
        return checkStatuspageWidget(browser, good, statusDescription(good), 'All Systems Operational');
      });
      await guard('canary', 'Statuspage widget', 'summary.json with another description', () => checkStatuspageWidget(browser, wrongSummary(example.out, WORK), statusDescription(example.out)));
      await guard('canary', 'Statuspage widget', 'a build without api/v2/summary.json', () => checkStatuspageWidget(browser, emptyBuild(), 'All Systems Operational'));
    } finally { await browser.close(); }
  },

  async prometheus() {
    // One ~35 s recording serves both rows: the check (a target that was
    // down for 15 s) and its canary (a target that never went down).
    const lab = prometheusLab(HERALD, example.site, WORK);
    try {
      await guard('check', 'Prometheus history source', 'example, target down 15 s', () => lab.check('flapping'));
      await guard('canary', 'Prometheus history source', 'example, target never down', () => lab.check('steady'));
    } finally { await lab.close(); }
  },

  async newsboat() {
    // A rebuild flips a site between its state as written (A) and one hour
    // later with a new update on an ongoing incident (B): the feed's items
    // change content and dates but must keep their GUIDs.
    const later = new Date(Date.parse(NOW) + 3600e3).toISOString().replace('.000', '');
    const stamp = new Date(Date.parse(NOW) + 1800e3).toISOString().slice(0, 16).replace('T', ' ');
    const flip = (s) => {
      const file = listFiles(path.join(s.site, 'incidents'), '.md').find((f) => f.endsWith(`${s.incident}.md`));
      const orig = fs.readFileSync(file, 'utf8');
      let state = 'A';
      const fn = async () => {
        state = state === 'A' ? 'B' : 'A';
        fs.writeFileSync(file, state === 'A' ? orig : orig.replace(/\n## /, `\n## ${stamp} UTC — Monitoring\nA new update posted by the e2e suite's rebuild.\n\n## `));
        const r = await run(HERALD, ['build', '-site', s.site, '-now', state === 'A' ? NOW : later]);
        if (r.code !== 0) throw new Error(`rebuild of ${s.name}: ${r.stderr}`);
      };
      fn.restore = async () => { if (state === 'B') await fn(); };
      return fn;
    };
    for (const s of sites) {
      const rebuild = flip(s);
      try {
        for (const f of s.name === 'example' ? ['history.rss', 'history.atom', `components/${s.component}/history.rss`] : ['history.rss', 'history.atom']) {
          // the live output (public/ is flipped by each rebuild), as newsboat will fetch it
          const titles = (await parseFeed(path.join(s.site, 'public', f))).entries.map((e) => e.title);
          await guard('check', 'newsboat', `${s.name} ${f}`, () => checkNewsboat([{ url: s.url + f, titles }], rebuild));
        }
      } finally { await rebuild.restore(); }
    }
    await guard('canary', 'newsboat', 'newsboat/duplicate-guids.rss', async () => checkNewsboat(
      [{ url: fx('newsboat/duplicate-guids.rss'), titles: (await parseFeed(path.join(BROKEN, 'newsboat/duplicate-guids.rss'))).entries.map((e) => e.title) }], async () => {}));
    await guard('canary', 'newsboat', 'newsboat/unstable-{1,2}.rss', async () => checkNewsboat(
      [{ url: fx('newsboat/unstable.rss'), titles: (await parseFeed(path.join(BROKEN, 'newsboat/unstable-1.rss'))).entries.map((e) => e.title) }], async () => { unstableBuild = 2; }));
    await guard('canary', 'newsboat', 'an unreachable feed URL', () => checkNewsboat([{ url: fx('newsboat/no-such-feed.rss'), titles: ['x'] }], async () => {}));
  },

  async deploy() {
    // docs/deploy.md's recipes, each read from the doc (docBlock) and run
    // against a copy of the example; each canary is the same recipe with
    // one mistake (fixtures/broken/deploy/).
    const base = { herald: HERALD, exampleDir: example.site, work: WORK, now: NOW };
    await guard('check', 'deploy: nginx', 'docs/deploy.md server block', () => checkNginx({ ...base, serverBlock: docBlock('nginx') }));
    for (const [f, what] of [['nginx-cache.conf', 'pages cached 1 h, assets not immutable'], ['nginx-types.conf', 'types block in location /'],
      ['nginx-open-file-cache.conf', 'open_file_cache across a flip'], ['nginx-404.conf', 'dotfiles served, no 404 page']])
      await guard('canary', 'deploy: nginx', `deploy/${f}: ${what}`, () => checkNginx({ ...base, serverBlock: fixture(f) }));
    await guard('check', 'deploy: Caddy', 'docs/deploy.md Caddyfile', () => checkCaddy({ ...base, caddyfile: docBlock('caddy') }));
    await guard('canary', 'deploy: Caddy', 'deploy/Caddyfile-header-order: assets get max-age=60', () => checkCaddy({ ...base, caddyfile: fixture('Caddyfile-header-order') }));
    await guard('check', 'deploy: systemd unit', 'docs/deploy.md herald.service', () => checkSystemdUnit({ ...base, unit: docBlock('systemd') }));
    await guard('canary', 'deploy: systemd unit', 'deploy/herald-restart-typo.service', () => checkSystemdUnit({ ...base, unit: fixture('herald-restart-typo.service') }));
    await guard('canary', 'deploy: systemd unit', 'deploy/herald-on-failure.service', () => checkSystemdUnit({ ...base, unit: fixture('herald-on-failure.service') }));
    await guard('check', 'deploy: cron + push.sh', 'docs/deploy.md crontab line and push.sh', () => checkCron({ ...base, crontab: docBlock('crontab'), push: docBlock('push.sh') }));
    await guard('canary', 'deploy: cron + push.sh', 'deploy/push-no-slash.sh: pushes the symlink', () => checkCron({ ...base, crontab: docBlock('crontab'), push: fixture('push-no-slash.sh') }));
    await guard('canary', 'deploy: cron + push.sh', 'deploy/push-no-delete.sh: deleted pages stay', () => checkCron({ ...base, crontab: docBlock('crontab'), push: fixture('push-no-delete.sh') }));
    await guard('canary', 'deploy: cron + push.sh', 'deploy/push-quick-check.sh: same-second changes skipped', () => checkCron({ ...base, crontab: docBlock('crontab'), push: fixture('push-quick-check.sh') }));
    await guard('check', 'deploy: CI job', 'docs/deploy.md workflow', () => checkCI({ ...base, workflow: docBlock('ci'), push: docBlock('push.sh') }));
    await guard('canary', 'deploy: CI job', 'deploy/ci-push-before-build.yml', () => checkCI({ ...base, workflow: fixture('ci-push-before-build.yml'), push: docBlock('push.sh') }));
    await guard('check', 'deploy: object storage', 'docs/deploy.md s3.sh on s3rver', () => checkS3({ ...base, script: docBlock('s3.sh') }));
    await guard('canary', 'deploy: object storage', 'deploy/s3-pages-first.sh', () => checkS3({ ...base, script: fixture('s3-pages-first.sh') }));
  },

  async migrate() {
    // Each real sample of another tool (checks/migrate.mjs) migrated and
    // built, then the html and feeds groups' checkers on the result (their
    // canaries run in those groups). A missing sample is a skipped row, a
    // failure in CI; the checks of a site that did not build are left out,
    // its failed row standing for them.
    for (const s of samples) {
      let built = null;
      await guard('check', 'herald migrate + build', s.name, async () => {
        const m = await checkMigrate(HERALD, s, WORK, NOW);
        if (m.ok) built = m;
        return m;
      });
      if (!built) continue;
      await guard('check', 'HTML (vnu)', `${s.name} migrated`, () => checkHtml(built.out));
      // A source with no incidents (the Upptime sample has had no outage)
      // gives feeds with no entries, which must still parse.
      const empty = /\b0 incidents, 0 maintenance\b/.test(built.figure);
      for (const f of feedsOf(built.out)) {
        const file = path.join(built.out, f);
        if (f.endsWith('.json')) {
          await guard('check', 'JSON Feed 1.1 schema', `${s.name} ${f}`, () => checkJsonFeed(file));
          continue;
        }
        await guard('check', 'xmllint', `${s.name} ${f}`, () => checkXmllint(file));
        await guard('check', 'feedparser', `${s.name} ${f}`, () => checkFeedparser(file, { empty }));
      }
    }
    await guard('canary', 'herald migrate + build', 'migrate/cstate: an issue date that is no date',
      () => checkMigrate(HERALD, { name: 'broken-cstate', from: 'cstate', sample: 'cstate' }, WORK, NOW, path.join(BROKEN, 'migrate')));
  },

  async sigkill() {
    // cmd/herald's TestWatchSurvivesSIGKILL at full size (HERALD_TEST_HEAVY:
    // 2,000 incidents, about 200 rebuilds, a SIGKILL of the real herald
    // watch at a random moment of one rebuild in eleven, each followed by a
    // check that the output is a complete site). Its assertions are the Go
    // test's own, so it has no canary here; it runs last, alone, as it
    // loads both cores.
    await guard('check', 'SIGKILL during rebuilds (go test, full size)', 'TestWatchSurvivesSIGKILL, HERALD_TEST_HEAVY=1', async () => {
      const t0 = Date.now();
      const r = await run('go', ['test', './cmd/herald', '-run', '^TestWatchSurvivesSIGKILL$', '-count=1', '-v', '-timeout', '40m'],
        { cwd: ROOT, env: { ...process.env, HERALD_TEST_HEAVY: '1' }, timeout: 41 * 60_000 });
      const secs = ((Date.now() - t0) / 1000).toFixed(0);
      const out = (r.stdout + r.stderr).trim().split('\n');
      const rebuilds = out.find((l) => /rebuilds in \d+ kill cycles/.test(l))?.replace(/^.*?: /, '') ?? 'no rebuild count';
      return { ok: r.code === 0 && /^--- PASS/m.test(r.stdout), figure: `${rebuilds}; ${secs} s wall`, details: r.code === 0 ? [] : out.slice(-30) };
    });
  },
};

const only = new Set((process.env.E2E_ONLY ?? '').split(',').filter(Boolean));
const unknown = [...only].filter((g) => !Object.hasOwn(groups, g));
if (unknown.length) {
  // A misspelt or retired name would otherwise run nothing and pass.
  console.error(`e2e: E2E_ONLY names no group ${unknown.join(', ')}; the groups are ${Object.keys(groups).join(', ')}`);
  process.exit(2);
}

// A build folder with nothing in it: each output's check must fail on it.
let empty;
const emptyBuild = () => (empty ??= fs.mkdtempSync(path.join(WORK, 'empty-build-')));

// The fixture server: broken inputs over HTTP for the browser, Lighthouse
// and newsboat canaries. unstable.rss changes its GUIDs after a "rebuild".
let unstableBuild = 1;
const fixtures = await serveDir(BROKEN, (p) => p === '/newsboat/unstable.rss'
  ? { type: 'application/rss+xml', body: fs.readFileSync(path.join(BROKEN, `newsboat/unstable-${unstableBuild}.rss`)) } : null);
const fx = (p) => `${fixtures.url}/${p}`;
const fixturePage = (name, file) => [{ name, path: `/browser/${file}` }];

try {
  for (const [name, checks] of Object.entries(groups)) {
    if (only.size && !only.has(name)) {
      record('check', `${name} group`, 'all its checks', { skipped: 'not in E2E_ONLY' });
      continue;
    }
    // A group whose setup throws (a browser that does not start) is a
    // failed row, and the summary still prints.
    try { await checks(); } catch (err) { crashed('check', `${name} group`, 'its setup', err); }
  }
} finally {
  await fixtures.close();
}

process.exitCode = summary() ? 0 : 1;

// servePinned starts `herald serve -now NOW`, with live reload as make run
// has it, for a copy of the example site, and resolves when it answers.
async function servePinned() {
  const site = path.join(WORK, 'pinned');
  // The site's files and its history store, not its published versions.
  const ours = (p) => !/^(public$|\.public\.)/.test(path.relative(example.site, p).split(path.sep)[0]);
  fs.cpSync(example.site, site, { recursive: true, filter: ours });
  const port = await freePort();
  const child = spawn(HERALD, ['serve', '-site', site, '-addr', `127.0.0.1:${port}`, '-now', NOW], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}/`;
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`herald serve -now exited with ${child.exitCode}`);
    try { if ((await fetch(url)).ok) return { url, out: path.join(site, 'public'), stop: () => child.kill() }; } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error('herald serve -now did not answer within 20 s');
}
