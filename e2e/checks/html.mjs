// HTML: the Nu HTML Checker (vnu.jar) must report zero errors on every page.
import fs from 'node:fs';
import path from 'node:path';
import { E2E, run, listFiles } from '../lib/harness.mjs';

const VNU = path.join(E2E, 'node_modules/vnu-jar/build/dist/vnu.jar');

export async function checkHtml(dir) {
  // vnu exits 0 silently on a missing path, so first make sure there are pages.
  if (!fs.existsSync(dir)) return { ok: false, figure: `no such folder ${dir}` };
  const pages = listFiles(dir, '.html');
  if (pages.length === 0) return { ok: false, figure: `no .html pages in ${dir}` };
  const r = await run('java', ['-jar', VNU, '--errors-only', '--skip-non-html', '--format', 'gnu', dir], { timeout: 300_000 });
  const errors = r.stderr.split('\n').filter((l) => l.trim() !== '');
  const ok = r.code === 0 && errors.length === 0;
  return { ok, figure: `${pages.length} pages, ${errors.length} errors (exit ${r.code})`, details: errors.map((e) => e.replace(dir + '/', '')) };
}
