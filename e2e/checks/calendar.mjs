// Calendar: maintenance.ics parses with python3-icalendar and every event
// has UID, DTSTART, DTEND and SUMMARY. A build without the file fails.
import fs from 'node:fs';
import path from 'node:path';
import { E2E, run } from '../lib/harness.mjs';
import { python } from '../lib/tools.mjs';

export async function checkCalendar(file) {
  if (!fs.existsSync(file)) return { ok: false, figure: `missing ${file}` };
  const r = await run(python(), [path.join(E2E, 'py/ics.py'), file]);
  let figure = r.stdout.trim().split('\n')[0];
  const details = [];
  try {
    const j = JSON.parse(r.stdout);
    figure = `${j.events.length} events`;
    details.push(...j.problems);
    if (!j.events.length) details.push('no VEVENT');
  } catch { details.push(r.stdout.trim(), r.stderr.trim()); }
  return { ok: r.code === 0, figure, details };
}
