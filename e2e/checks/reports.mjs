// Monthly reports: reports/YYYY-MM.csv is read back by Python's csv module
// (py/report_csv.py), and each component's daily rows sum to the month's
// figures in reports/YYYY-MM.json. A build without the files fails.
import fs from 'node:fs';
import path from 'node:path';
import { E2E, run } from '../lib/harness.mjs';
import { python } from '../lib/tools.mjs';

export async function checkReportCsv(dir, month) {
  const csv = path.join(dir, 'reports', `${month}.csv`), json = path.join(dir, 'reports', `${month}.json`);
  for (const f of [csv, json]) if (!fs.existsSync(f)) return { ok: false, figure: `missing ${f}` };
  const r = await run(python(), [path.join(E2E, 'py/report_csv.py'), csv, json]);
  let figure = r.stdout.trim().split('\n')[0];
  const details = [];
  try {
    const j = JSON.parse(r.stdout);
    figure = `${j.rows} rows`;
    details.push(...j.problems);
  } catch { details.push(r.stdout.trim(), r.stderr.trim()); }
  return { ok: r.code === 0, figure, details };
}
