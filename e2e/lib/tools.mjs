// Finding the programs the suite starts itself. Each is looked up when a
// check first needs it: in its environment variable (CHROMIUM=/opt/…/chrome)
// when set, else in PATH. A missing program throws, so the check that needed
// it fails with what to do; it never skips.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

// which returns every executable file called name in PATH, in PATH order.
// Empty PATH entries are ignored rather than read as the current folder.
function which(name, env = process.env) {
  const found = [];
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    const file = path.join(dir, name);
    if (dir && isExecutable(file) && !found.includes(file)) found.push(file);
  }
  return found;
}

function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

// find resolves a program: $envVar when set (a path, or a name looked up in
// PATH), else the first executable called name in PATH. Without envVar it
// is PATH only: for a program the recipes under test call by name. With
// accepts, a candidate must also pass accepts(file), which says what it
// lacks (or nothing) so that the error can.
export function find(name, envVar, { env = process.env, accepts = () => '' } = {}) {
  const override = envVar && env[envVar];
  if (override) {
    const file = override.includes('/') ? override : which(override, env)[0];
    if (!file || !isExecutable(file)) throw new Error(`find ${name}: ${envVar}=${override} is not an executable file`);
    const lack = accepts(file);
    if (lack) throw new Error(`find ${name}: ${envVar}=${override} ${lack}`);
    return file;
  }
  const tried = [];
  for (const file of which(name, env)) {
    const lack = accepts(file);
    if (!lack) return file;
    tried.push(`${file} ${lack}`);
  }
  const what = tried.length ? `no usable ${name} in PATH (${tried.join('; ')})` : `no ${name} in PATH`;
  throw new Error(`find ${name}: ${what}; run e2e/setup.sh${envVar ? `, or set ${envVar} to its path` : ''}`);
}

const found = new Map();

// tool is find, once per program for the whole run.
export function tool(name, envVar, opts) {
  if (!found.has(name)) found.set(name, find(name, envVar, opts));
  return found.get(name);
}

// The suite's Python scripts need the modules setup.sh installs from Debian
// (python3-feedparser, -icalendar, -yaml). A python3 earlier in PATH (pyenv,
// a virtualenv) may lack them, so the first python3 that has them is used.
const PY_MODULES = ['feedparser', 'icalendar', 'yaml'];
export function importsPyModules(file) {
  const r = spawnSync(file, ['-c', `import ${PY_MODULES.join(', ')}`], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000 });
  if (r.status === 0) return '';
  const why = r.stderr?.length ? String(r.stderr).trim().split('\n').at(-1) : String(r.error ?? `exit ${r.status}`);
  return `cannot import ${PY_MODULES.join(', ')}: ${why}`;
}

export const python = () => tool('python3', 'PYTHON', { accepts: importsPyModules });
export const chromium = () => tool('chromium', 'CHROMIUM');
