// A build that stopped writing an output must fail that output's check,
// never skip it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { checkCalendar } from './calendar.mjs';
import { checkReportCsv } from './reports.mjs';
import { checkStatuspage, checkStatuspageWidget } from './statuspage.mjs';

test('missing output', async (t) => {
  const build = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-e2e-empty-build-'));
  t.after(() => fs.rmSync(build, { recursive: true, force: true }));
  const cases = [
    { name: 'maintenance.ics', check: () => checkCalendar(path.join(build, 'maintenance.ics')), file: 'maintenance.ics' },
    { name: 'api/v2/summary.json', check: () => checkStatuspage(build), file: 'api/v2/summary.json' },
    { name: 'reports/2026-11.csv', check: () => checkReportCsv(build, '2026-11'), file: 'reports/2026-11.csv' },
    // The browser is never reached: the missing file fails first.
    { name: 'api/v2/summary.json for the widget', check: () => checkStatuspageWidget(null, build, 'All Systems Operational'), file: 'api/v2/summary.json' },
  ];
  for (const c of cases) {
    await t.test(c.name, async () => {
      const got = await c.check();
      assert.equal(got.skipped, undefined, `got skipped: ${got.skipped}, want a failure`);
      assert.equal(got.ok, false, `got ok ${got.ok}, want false`);
      const want = `missing ${path.join(build, c.file)}`;
      assert.equal(got.figure, want, `got figure ${JSON.stringify(got.figure)}, want ${JSON.stringify(want)}`);
    });
  }
});
