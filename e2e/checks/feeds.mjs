// Feeds: xmllint and feedparser on RSS/Atom, the JSON Feed against the
// JSON Feed 1.1 schema, and newsboat as a real reader.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { E2E, run } from '../lib/harness.mjs';
import { python } from '../lib/tools.mjs';

export async function checkXmllint(file) {
  if (!fs.existsSync(file)) return { ok: false, figure: `missing ${file}` };
  const r = await run('xmllint', ['--noout', file]);
  const errs = r.stderr.split('\n').filter(Boolean);
  return { ok: r.code === 0 && errs.length === 0, figure: `exit ${r.code}, ${errs.length} messages`, details: errs };
}

export async function parseFeed(file) {
  const r = await run(python(), [path.join(E2E, 'py/feed.py'), file]);
  if (r.code !== 0) throw new Error(`feed.py: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

// feedparser: bozo must be 0, at least one entry, every entry with an id
// and a title, ids unique.
// checkFeedparser parses file as a feed reader would. A feed must have
// entries, unless empty says that its site has nothing to tell yet, and
// then it must have none.
export async function checkFeedparser(file, { empty = false } = {}) {
  if (!fs.existsSync(file)) return { ok: false, figure: `missing ${file}` };
  const f = await parseFeed(file);
  const details = [];
  if (f.bozo) details.push(`bozo=1: ${f.bozo_exception}`);
  if (!empty && !f.entries.length) details.push('no entries');
  if (empty && f.entries.length) details.push(`${f.entries.length} entries from a site with no incidents`);
  const ids = f.entries.map((e) => e.id);
  if (ids.some((i) => !i)) details.push('an entry has no id');
  if (new Set(ids).size !== ids.length) details.push('duplicate entry ids');
  if (f.entries.some((e) => !e.title)) details.push('an entry has no title');
  return { ok: details.length === 0, figure: `${f.version || 'unknown format'}, bozo=${f.bozo}, ${f.entries.length} entries`, details };
}

let validate;
export async function checkJsonFeed(file) {
  if (!fs.existsSync(file)) return { ok: false, figure: `missing ${file}` };
  if (!validate) {
    const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
    addFormats(ajv);
    validate = ajv.compile(JSON.parse(fs.readFileSync(path.join(E2E, 'schema/jsonfeed-1.1.schema.json'), 'utf8')));
  }
  let feed;
  try { feed = JSON.parse(fs.readFileSync(file, 'utf8')); } catch (e) { return { ok: false, figure: 'not JSON', details: [e.message] }; }
  const ok = validate(feed);
  const details = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}${e.params ? ' ' + JSON.stringify(e.params) : ''}`);
  const ids = (feed.items ?? []).map((i) => i.id);
  if (new Set(ids).size !== ids.length) details.push('duplicate item ids');
  return { ok: ok && details.length === 0, figure: `${(feed.items ?? []).length} items, ${details.length} schema errors`, details };
}

// newsboat: a real reader subscribes to the feed URLs, reloads, and must
// hold exactly the feed's items as unread, with the same titles; after
// rebuild() (the site rebuilt, or the fixture changed) a second reload must
// add nothing (stable GUIDs). Its reload exits 0 even on errors, so its
// error-log must stay empty.
const norm = (s) => s.replace(/\s+/g, ' ').trim();
export async function checkNewsboat(feeds, rebuild) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-e2e-newsboat-'));
  try {
    const urls = path.join(dir, 'urls'), cache = path.join(dir, 'cache.db'), config = path.join(dir, 'config'), log = path.join(dir, 'error.log');
    fs.writeFileSync(urls, feeds.map((f) => f.url).join('\n') + '\n');
    fs.writeFileSync(config, [`error-log "${log}"`, 'download-timeout 20', 'download-retries 1', 'reload-threads 1',
      'max-items 0', 'keep-articles-days 0', 'show-read-feeds yes', 'suppress-first-reload no'].join('\n') + '\n');
    const env = { ...process.env, HOME: dir, XDG_CONFIG_HOME: path.join(dir, 'xdg-config'), XDG_DATA_HOME: path.join(dir, 'xdg-data'), TERM: 'dumb' };
    const nb = (...a) => run('newsboat', ['-u', urls, '-c', cache, '-C', config, ...a], { env, timeout: 120_000 });
    const details = [];
    const expected = feeds.reduce((n, f) => n + f.titles.length, 0);
    const reload = async (label) => {
      const r = await nb('-x', 'reload');
      if (r.code !== 0) details.push(`${label}: newsboat -x reload exit ${r.code}: ${r.stderr.trim()}`);
      const logged = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim() : '';
      if (logged) details.push(...logged.split('\n').map((l) => `${label}: error-log: ${l}`));
      const items = JSON.parse((await run(python(), [path.join(E2E, 'py/newsboat_cache.py'), cache])).stdout);
      return items;
    };
    const first = await reload('first reload');
    const pu = await nb('-x', 'print-unread');
    const unread = parseInt(pu.stdout.trim(), 10);
    if (unread !== expected) details.push(`print-unread says "${pu.stdout.trim()}", want ${expected} unread`);
    for (const f of feeds) {
      const got = first.filter((i) => i.feedurl === f.url).map((i) => norm(i.title)).sort();
      const want = f.titles.map(norm).sort();
      if (JSON.stringify(got) !== JSON.stringify(want)) {
        const missing = want.filter((t) => !got.includes(t)), extra = got.filter((t) => !want.includes(t));
        details.push(`${f.url}: cache has ${got.length} items, feed ${want.length}; missing ${JSON.stringify(missing.slice(0, 3))}, unexpected ${JSON.stringify(extra.slice(0, 3))}`);
      }
    }
    await rebuild();
    const second = await reload('second reload');
    if (second.length !== first.length) details.push(`second reload after a rebuild: ${second.length} items, was ${first.length} (unstable GUIDs → duplicates)`);
    return { ok: details.length === 0, figure: `${feeds.length} feeds, ${first.length} items, ${unread} unread, ${second.length} after reload #2`, details };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
