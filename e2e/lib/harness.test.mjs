// Unit tests of the suite's own plumbing (node --test; run.sh runs them
// before any check).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inCI, verdict } from './harness.mjs';

test('verdict', async (t) => {
  const cases = [
    { name: 'check passes', kind: 'check', outcome: { ok: true }, ci: false, want: 'pass' },
    { name: 'check fails', kind: 'check', outcome: { ok: false }, ci: false, want: 'FAIL' },
    { name: 'check skipped outside CI stays a skip', kind: 'check', outcome: { skipped: 'no tool' }, ci: false, want: 'skipped' },
    { name: 'check skipped in CI fails', kind: 'check', outcome: { skipped: 'no tool' }, ci: true, want: 'FAIL (skipped in CI)' },
    { name: 'canary caught', kind: 'canary', outcome: { ok: false }, ci: false, want: 'pass (caught)' },
    { name: 'canary passed a broken input', kind: 'canary', outcome: { ok: true }, ci: false, want: 'FAIL (check passed a broken input)' },
    { name: 'canary skipped outside CI fails', kind: 'canary', outcome: { skipped: 'no tool' }, ci: false, want: 'FAIL (canary skipped: its checker cannot fail)' },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const got = verdict(c.kind, c.outcome, c.ci);
      assert.equal(got, c.want, `got ${got}, want ${c.want}`);
    });
  }
});

test('inCI', async (t) => {
  const cases = [
    { name: 'CI=true', env: { CI: 'true' }, want: true },
    { name: 'CI=1', env: { CI: '1' }, want: true },
    { name: 'CI unset', env: {}, want: false },
    { name: 'CI empty', env: { CI: '' }, want: false },
    { name: 'CI=false', env: { CI: 'false' }, want: false },
    { name: 'CI=0', env: { CI: '0' }, want: false },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const got = inCI(c.env);
      assert.equal(got, c.want, `got ${got}, want ${c.want}`);
    });
  }
});
