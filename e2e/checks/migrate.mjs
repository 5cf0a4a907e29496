// Migrated sites: `herald migrate` on the real samples of other status
// page tools, which live beside the repository in ../shared/interop (the
// Go tests read the same ones), each built at a fixed -now. The suite then
// runs its HTML and feed checks on the built site.
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, run, listFiles } from '../lib/harness.mjs';

export const INTEROP = path.resolve(ROOT, '..', 'shared', 'interop');

// The samples, one row a source. A row is { name, from, sample } with
// sample relative to INTEROP; source(file, work), when given, turns the
// sample into the SOURCE herald migrate takes, else the sample is the
// SOURCE.
export const samples = [
  { name: 'cstate', from: 'cstate', sample: 'cstate-example/exampleSite' },
  { name: 'statuspage', from: 'statuspage', sample: 'statuspage-discord-incidents.json' },
  // Upptime's history is its git log, so the bundle is cloned first.
  { name: 'upptime', from: 'upptime', sample: 'upptime-bandlab.bundle', source: cloneBundle },
];

async function cloneBundle(bundle, work) {
  const repo = fs.mkdtempSync(path.join(work, 'upptime-repo-'));
  const cloned = await run('git', ['clone', '--quiet', bundle, repo]);
  if (cloned.code !== 0) throw new Error(`git clone ${bundle}: exit ${cloned.code}: ${cloned.stderr.trim()}`);
  return repo;
}

// checkMigrate migrates source into a new folder under work and builds it
// at now. The outcome carries the site and its output folder for the
// checks that follow. A missing sample is a skip, which the harness counts
// as a failure in CI, as the Go sample tests do.
export async function checkMigrate(herald, { name, from, sample, source }, work, now, dir = INTEROP) {
  const file = path.join(dir, sample);
  if (!fs.existsSync(file)) return { skipped: `no sample at ${file} (../shared/interop beside the repository); CI must have it` };
  const site = fs.mkdtempSync(path.join(work, `migrate-${name}-`));
  const src = source ? await source(file, work) : file;
  const migrated = await run(herald, ['migrate', '-from', from, '-site', site, '-now', now, src]);
  if (migrated.code !== 0) return { ok: false, figure: `herald migrate exit ${migrated.code}`, details: migrated.stderr.trim().split('\n') };
  const built = await run(herald, ['build', '-site', site, '-now', now]);
  if (built.code !== 0) return { ok: false, figure: `herald build exit ${built.code}`, details: built.stderr.trim().split('\n') };
  const out = path.join(site, 'public');
  const summary = migrated.stdout.split('\n')[0].replace(/^migrated .* into .*?: /, '');
  return { ok: true, figure: summary, site, out };
}

// feedsOf lists the feeds of a built site to check: the site's, and those
// of the first component with an item (a component feed without one has
// nothing for a reader to show).
export function feedsOf(out) {
  const feeds = ['history.rss', 'history.atom', 'history.json'];
  const comps = path.join(out, 'components');
  const withItems = fs.existsSync(comps) ? listFiles(comps, 'history.json').find((f) => JSON.parse(fs.readFileSync(f, 'utf8')).items?.length) : null;
  if (withItems) {
    const dir = path.relative(out, path.dirname(withItems));
    feeds.push(...['history.rss', 'history.atom', 'history.json'].map((f) => path.join(dir, f)));
  }
  return feeds;
}
