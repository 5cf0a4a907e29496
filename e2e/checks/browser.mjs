// Browser checks with headless Chromium through playwright-core: console
// errors and failed requests, reading without JavaScript, axe-core, the
// uptime bars' labels, and screenshots.
import fs from 'node:fs';
import path from 'node:path';
import { chromium as playwright } from 'playwright-core';
import { E2E, CHROME_FLAGS, listFiles } from '../lib/harness.mjs';
import { chromium } from '../lib/tools.mjs';

const AXE = path.join(E2E, 'node_modules/axe-core/axe.min.js');

export function launch() {
  return playwright.launch({ executablePath: chromium(), headless: true, args: CHROME_FLAGS });
}

// A page is {name, path, status?}: status is the expected HTTP status of the
// document (200 unless said, 404 for the not-found page).
async function open(context, base, pg) {
  const page = await context.newPage();
  const problems = [];
  const url = new URL(pg.path, base).href;
  const expected = pg.status ?? 200;
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    // Chromium logs the expected 404 of a not-found page's own document.
    if (expected !== 200 && m.location().url === url && /status of 404/.test(m.text())) return;
    problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`uncaught exception: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
  page.on('response', (r) => {
    if (r.status() >= 400 && !(r.url() === url && r.status() === expected)) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  const res = await page.goto(url, { waitUntil: 'load' });
  if (res.status() !== expected) problems.push(`document ${url}: HTTP ${res.status()}, want ${expected}`);
  await page.waitForLoadState('networkidle').catch(() => {});
  return { page, problems, url };
}

// consoleAndRequests: every page type loads with no console error, no
// uncaught exception, no failed or 4xx/5xx sub-request.
export async function checkConsole(browser, base, pages) {
  const context = await browser.newContext();
  const details = [];
  try {
    for (const pg of pages) {
      const { page, problems } = await open(context, base, pg);
      details.push(...problems.map((p) => `${pg.name}: ${p}`));
      await page.close();
    }
  } finally { await context.close(); }
  return { ok: details.length === 0, figure: `${pages.length} pages, ${details.length} problems`, details };
}

// noJs: with JavaScript disabled every page shows its content (a visible
// h1 and a non-empty main), and every internal link answers 200 and every
// #fragment link has its target.
export async function checkNoJs(browser, base, pages) {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const details = [];
  const links = new Map(); // url → first page linking it
  try {
    for (const pg of pages) {
      const { page, url } = await open(context, base, pg);
      const seen = await page.evaluate(() => {
        const visible = (el) => !!el && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
        const main = document.querySelector('main');
        const h1 = document.querySelector('h1');
        return {
          main: visible(main) ? main.innerText.trim().length : 0,
          h1: visible(h1) ? h1.innerText.trim() : '',
          // getAttribute, not .href: an SVG <a> (an uptime bar) has an
          // SVGAnimatedString there.
          hrefs: [...document.querySelectorAll('a[href]')].map((a) => new URL(a.getAttribute('href'), document.baseURI).href),
          ids: [...document.querySelectorAll('[id]')].map((e) => e.id),
        };
      });
      if (!seen.h1) details.push(`${pg.name}: no visible h1 without JavaScript`);
      if (seen.main < 20) details.push(`${pg.name}: main is empty or hidden without JavaScript (${seen.main} chars)`);
      for (const href of seen.hrefs) {
        const u = new URL(href);
        if (u.origin !== new URL(base).origin) continue;
        if (u.hash && u.pathname === new URL(url).pathname) {
          if (!seen.ids.includes(decodeURIComponent(u.hash.slice(1)))) details.push(`${pg.name}: link ${u.hash} has no target`);
          continue;
        }
        u.hash = '';
        if (!links.has(u.href)) links.set(u.href, pg.name);
      }
      await page.close();
    }
    for (const [u, from] of links) {
      const r = await context.request.get(u, { maxRedirects: 5 });
      if (r.status() !== 200) details.push(`${from}: link ${u} → HTTP ${r.status()}`);
    }
    // and one real click, as a reader would: the first internal link of the first page
    const { page } = await open(context, base, pages[0]);
    const first = page.locator(`a[href^="./"], a[href^="../"], a[href^="/"]`).first();
    if (await first.count()) {
      const before = page.url();
      await Promise.all([page.waitForNavigation(), first.click()]);
      if (page.url() === before) details.push(`${pages[0].name}: clicking the first internal link did not navigate`);
    }
    await page.close();
  } finally { await context.close(); }
  return { ok: details.length === 0, figure: `${pages.length} pages, ${links.size} internal links, ${details.length} problems`, details };
}

// axe: zero violations of axe-core's default rules, in light and dark.
export async function checkAxe(browser, base, pages) {
  const details = [];
  let count = 0;
  for (const scheme of ['light', 'dark']) {
    // herald serve sends a Content-Security-Policy without inline script,
    // which would block the injected axe-core: the test bypasses it.
    const context = await browser.newContext({ colorScheme: scheme, bypassCSP: true });
    try {
      for (const pg of pages) {
        const { page } = await open(context, base, pg);
        await page.addScriptTag({ path: AXE });
        const violations = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations
          .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ') + (n.failureSummary ? ` — ${n.failureSummary.replace(/\s+/g, ' ')}` : '')) })));
        for (const v of violations) {
          count += v.nodes.length;
          details.push(`${pg.name} (${scheme}): ${v.id} [${v.impact}] ${v.help}: ${v.nodes.length} nodes, e.g. ${v.nodes[0]}`);
        }
        await page.close();
      }
    } finally { await context.close(); }
  }
  return { ok: details.length === 0, figure: `${pages.length} pages × light/dark, ${count} violating nodes`, details };
}

// uptimeBars: the pages hold uptime bars, every bar container has an
// accessible name and every day bar a label naming its figure.
export async function checkUptimeBars(browser, base, pages) {
  const context = await browser.newContext();
  const details = [];
  let containers = 0, bars = 0;
  try {
    for (const pg of pages) {
      const { page } = await open(context, base, pg);
      const found = await page.evaluate(() => {
        const label = (el) => {
          const by = el.getAttribute('aria-labelledby');
          if (by) return by.split(/\s+/).map((id) => document.getElementById(id)?.textContent ?? '').join(' ').trim();
          return (el.getAttribute('aria-label') ?? el.querySelector(':scope > title')?.textContent ?? el.getAttribute('title') ?? '').trim();
        };
        return [...document.querySelectorAll('[data-uptime-bars], .uptime')].map((c) => {
          let items = c.querySelectorAll('[data-day]');
          if (!items.length) items = c.querySelectorAll('rect');
          if (!items.length) items = c.querySelectorAll('li');
          const labelled = c.getAttribute('role') === 'img' || c.tagName === 'svg' ? label(c) : label(c) || c.querySelector('h2,h3,h4,caption,figcaption')?.textContent.trim() || '';
          // A bar that is a link is labelled by its <a>.
          const barLabel = (b) => label(b) || (b.parentElement?.localName === 'a' ? label(b.parentElement) : '');
          return { name: labelled, bars: [...items].map(barLabel) };
        });
      });
      containers += found.length;
      for (const [i, c] of found.entries()) {
        if (!c.name) details.push(`${pg.name}: uptime bars #${i + 1} have no accessible name`);
        if (c.bars.length === 0) details.push(`${pg.name}: uptime bars #${i + 1} hold no bar`);
        bars += c.bars.length;
        const bad = c.bars.filter((l) => !/\d/.test(l));
        if (bad.length) details.push(`${pg.name}: uptime bars #${i + 1}: ${bad.length} of ${c.bars.length} bars have no label with a date or figure`);
      }
      await page.close();
    }
  } finally { await context.close(); }
  if (containers === 0) return { ok: false, figure: `no uptime bars on ${pages.map((p) => p.name).join(', ')}` };
  return { ok: details.length === 0, figure: `${containers} bar sets, ${bars} bars`, details };
}

// screenshots: desktop (1280) and phone (390), light and dark, full page.
// With pinned, the browser's clock is the time herald built each page at
// (builtAt), so a screenshot shows the page as a reader sees it fresh, and
// a stale-page banner in one is a failure; without, the browser's real
// clock, for the canary.
export async function screenshots(browser, base, pages, outDir, prefix, pinned) {
  fs.mkdirSync(outDir, { recursive: true });
  const shots = [];
  const details = [];
  for (const [size, viewport] of [['desktop', { width: 1280, height: 800 }], ['phone', { width: 390, height: 844 }]]) {
    for (const scheme of ['light', 'dark']) {
      const context = await browser.newContext({ viewport, colorScheme: scheme, deviceScaleFactor: 1, isMobile: size === 'phone', hasTouch: size === 'phone' });
      try {
        for (const pg of pages) {
          const built = pinned && await builtAt(context, new URL(pg.path, base).href);
          if (built) await context.clock.setFixedTime(built);
          const { page } = await open(context, base, pg);
          const file = path.join(outDir, `${prefix}-${pg.name}-${size}-${scheme}.png`);
          await page.screenshot({ path: file, fullPage: true });
          if (await page.locator('.stale-banner').count()) details.push(`${path.basename(file)}: shows the stale-page banner`);
          shots.push(file);
          await page.close();
        }
      } finally { await context.close(); }
    }
  }
  return { ok: shots.length === pages.length * 4 && details.length === 0, figure: `${shots.length} screenshots in ${outDir.startsWith(E2E) ? path.relative(E2E, outDir) : outDir}/, ${details.length} with a stale banner`, details };
}

// builtAt is the time herald built the page at url, as its stale-page
// script reads it (templates/stale.js): the data-generated of the element
// carrying data-stale-after, or the datetime of the first <time> in it; null
// for a page without one. herald serve's clock starts at -now and runs on,
// so a page rebuilt on serve's timer is younger than -now.
async function builtAt(context, url) {
  const html = await (await context.request.get(url)).text();
  const el = html.match(/<[a-z]+\b[^>]*\bdata-stale-after="[^"]*"[^>]*>[\s\S]*?<time\b[^>]*\bdatetime="([^"]+)"/);
  const generated = el?.[0].match(/\bdata-generated="([^"]+)"/)?.[1] ?? el?.[1];
  return generated ? new Date(generated) : null;
}

// stalePage: the index's one script warns when the page is older than
// stale_after, and only then. The browser's clock is set with Playwright's
// clock API: `fresh` minutes after the page's own "Updated" time no banner
// may show, `stale` minutes after it must, naming that time.
export async function checkStaleBanner(browser, base, { fresh = 5, stale = 30 } = {}) {
  const details = [];
  const banner = async (minutes) => {
    const context = await browser.newContext();
    try {
      // The page states when it was generated; read it without the script.
      const probe = await context.newPage();
      await probe.goto(base, { waitUntil: 'load' });
      const generated = await probe.locator('[data-stale-after] time').first().getAttribute('datetime');
      const after = await probe.locator('[data-stale-after]').first().getAttribute('data-stale-after');
      await probe.close();
      if (!generated || !after) return { missing: true };
      const page = await context.newPage();
      await page.clock.install({ time: new Date(Date.parse(generated) + minutes * 60_000) });
      await page.goto(base, { waitUntil: 'load' });
      await page.waitForTimeout(200);
      const el = page.locator('.stale-banner[role="status"]');
      return { shown: await el.count() > 0, text: (await el.count()) ? await el.innerText() : '', after };
    } finally { await context.close(); }
  };
  const early = await banner(fresh);
  if (early.missing) return { ok: false, figure: 'no data-stale-after element', details: ['the index carries no stale-page threshold'] };
  const late = await banner(stale);
  if (early.shown) details.push(`a banner shows ${fresh} min after the update (stale_after ${early.after} s): ${early.text}`);
  if (!late.shown) details.push(`no banner ${stale} min after the update (stale_after ${late.after} s)`);
  else if (!/not been updated since/.test(late.text)) details.push(`the banner does not say since when: ${late.text}`);
  return { ok: details.length === 0, figure: `stale_after ${late.after} s; at +${fresh} min ${early.shown ? 'banner' : 'none'}, at +${stale} min ${late.shown ? 'banner' : 'none'}`, details };
}

// checkPinnedClock: `herald serve -now` (make run) tells the pages it
// serves its pinned clock, so the example, pinned to its own date, shows no
// stale-page banner in a browser whose clock is days later (the machine's
// real one); and nothing of that is written to the built site, out. Its
// canary is the same page served as published (-reload=false), where the
// real clock must bring the banner, as on a real deployment.
export async function checkPinnedClock(browser, base, out) {
  const details = [];
  const context = await browser.newContext();
  let clockLoaded = false, banner = false;
  try {
    const page = await context.newPage();
    page.on('request', (r) => { if (new URL(r.url()).pathname === '/_herald/clock.js') clockLoaded = true; });
    await page.goto(base, { waitUntil: 'load' });
    const generated = await page.locator('[data-stale-after] time').first().getAttribute('datetime');
    if (!generated) details.push('the index carries no stale-page threshold');
    else if (Date.now() - Date.parse(generated) < 3600_000) details.push(`the browser's clock is within an hour of the page's time (${generated}): this check needs a pinned clock in the past`);
    await page.waitForTimeout(300);
    banner = await page.locator('.stale-banner').count() > 0;
    if (banner) details.push(`a stale-page banner shows: ${await page.locator('.stale-banner').first().innerText()}`);
  } finally { await context.close(); }
  if (out) {
    const leaks = listFiles(out, '').filter((f) => /_herald\/|clock\.js/.test(fs.readFileSync(f, 'utf8')));
    if (leaks.length) details.push(`the built site holds serve's clock script: ${leaks.slice(0, 3).join(', ')}`);
  }
  return { ok: details.length === 0, figure: `clock.js ${clockLoaded ? 'loaded' : 'not loaded'}; ${banner ? 'a banner' : 'no banner'} at the browser's real clock`, details };
}
