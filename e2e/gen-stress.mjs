// Writes a stress site: N incidents and maintenance notices over M components,
// spread over the two years before NOW, in the format of docs/incidents.md.
// Deterministic (seeded), so a failure can be reproduced.
//   node gen-stress.mjs DIR [incidents=300] [components=20] [now=2026-11-28T15:00:00Z]
import fs from 'node:fs';
import path from 'node:path';

const [dir, nInc = '300', nComp = '20', nowText = '2026-11-28T15:00:00Z'] = process.argv.slice(2);
if (!dir) { console.error('usage: node gen-stress.mjs DIR [incidents] [components] [now]'); process.exit(2); }
const now = Date.parse(nowText);

let seed = 42;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const pick = (a) => a[Math.floor(rand() * a.length)];
const pad = (n) => String(n).padStart(2, '0');
const local = (t) => { const d = new Date(t); return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`; };

const groups = ['Core', 'Edge', 'Data', 'Tooling'];
const components = Array.from({ length: +nComp }, (_, i) => ({
  id: `svc-${pad(i + 1)}`, name: `Service ${i + 1} ${pick(['API', 'Web', 'Queue', 'Store', 'Search', 'Auth'])}`,
  group: groups[i % groups.length], description: `Stress component number ${i + 1}.`,
}));

fs.mkdirSync(path.join(dir, 'incidents', 'archive'), { recursive: true });
fs.writeFileSync(path.join(dir, 'herald.yaml'), [
  'title: Stress Test Status',
  // served at / by herald serve, so the 404 page's <base href> (the path of
  // base_url) resolves locally too
  'base_url: https://stress.example/',
  'description: A generated site with many incidents and components.',
  'timezone: UTC',
  'links:', '  - name: Home', '    url: https://stress.example/',
  'components:',
  ...components.flatMap((c) => [`  - id: ${c.id}`, `    name: ${c.name}`, `    group: ${c.group}`, `    description: ${c.description}`]),
  'history:', '  days: 90', 'feeds:', '  items: 50', 'publish:', '  dir: public', '',
].join('\n'));

const statuses = ['degraded_performance', 'partial_outage', 'major_outage'];
const words = ['Investigating', 'Identified', 'Monitoring'];
const span = 730 * 864e5;
for (let i = 0; i < +nInc; i++) {
  const maintenance = i % 7 === 3;
  const affected = [...new Set(Array.from({ length: 1 + Math.floor(rand() * 3) }, () => pick(components).id))];
  // the newest two are ongoing / upcoming, so the index shows them
  const start = i === 0 ? now - 3 * 36e5 : i === 3 ? now + 5 * 864e5 : now - 864e5 - Math.floor(rand() * span);
  const minutes = 15 + Math.floor(rand() * 600);
  const end = start + minutes * 6e4;
  const slug = `${local(start).slice(0, 10)}-stress-${String(i).padStart(3, '0')}`;
  const title = maintenance ? `Planned maintenance ${i} of ${affected.join(', ')}` : `Incident ${i}: ${pick(['errors', 'latency', 'timeouts', 'failed logins'])} on ${affected.join(', ')}`;
  const lines = ['---', `title: "${title}"`];
  if (maintenance) {
    lines.push('type: maintenance', `components: [${affected.join(', ')}]`, `scheduled_start: ${local(start)}`, `scheduled_end: ${local(end)}`, '---',
      `We will work on **${affected.join('**, **')}**. Expect short interruptions.`, '');
    const done = end < now;
    if (done) lines.push(`## ${local(end)} UTC — Completed`, 'The work is done.', '', `## ${local(start)} UTC — In progress`, 'We have started.', '');
    lines.push(`## ${local(start - 3 * 864e5)} UTC — Scheduled`, `Window: ${local(start)} to ${local(end)} UTC.`, '');
  } else {
    const ongoing = i === 0;
    lines.push(`components: {${affected.map((c) => `${c}: ${pick(statuses)}`).join(', ')}}`, `started: ${local(start)}`);
    if (!ongoing) lines.push(`resolved: ${local(end)}`);
    lines.push('---', `Users of ${affected.join(', ')} saw ${pick(['errors', 'slow responses', 'timeouts'])}.`, '',
      '- a list item with `code`', '- and a [link](https://stress.example/docs)', '');
    if (!ongoing) lines.push(`## ${local(end)} UTC — Resolved`, 'Fixed.', '');
    const n = 1 + Math.floor(rand() * 3);
    for (let u = n; u >= 1; u--) lines.push(`## ${local(start + Math.floor(((end - start) * u) / (n + 2)))} UTC — ${words[(n - u) % 3]}`, `Update ${u} of ${n}.`, '');
  }
  const sub = i % 2 ? 'archive' : '';
  fs.writeFileSync(path.join(dir, 'incidents', sub, `${slug}.md`), lines.join('\n'));
}
console.log(`stress site: ${nInc} incidents, ${nComp} components in ${dir}`);
