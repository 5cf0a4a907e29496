// The migrate group's plumbing: a missing sample is a skip (a failure in
// CI, by the harness's verdict), never a pass; a sample that does not
// migrate is a failure.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { verdict } from '../lib/harness.mjs';
import { checkMigrate } from './migrate.mjs';

test('missing sample', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-e2e-interop-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const got = await checkMigrate('/nonexistent/herald', { name: 'cstate', from: 'cstate', sample: 'cstate-example/exampleSite' }, dir, '2026-11-28T15:00:00Z', dir);
  assert.match(got.skipped ?? '', /no sample at .*cstate-example\/exampleSite/, `got ${JSON.stringify(got)}, want a skip naming the sample`);
  assert.equal(verdict('check', got, true), 'FAIL (skipped in CI)');
  assert.equal(verdict('check', got, false), 'skipped');
});
