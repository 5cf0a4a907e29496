import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { find, importsPyModules } from './tools.mjs';

// bin writes an executable shell script (or, with mode 0o644, a file that is
// not executable) at dir/name.
function bin(dir, name, script = 'exit 0', mode = 0o755) {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  fs.writeFileSync(file, `#!/bin/sh\n${script}\n`, { mode });
  return file;
}

test('find', async (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-e2e-tools-'));
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  const [a, b, c] = ['a', 'b', 'c'].map((d) => path.join(root, d));
  const notExec = bin(a, 'tool', 'exit 0', 0o644);
  const inB = bin(b, 'tool');
  const inC = bin(c, 'tool');
  const otherInC = bin(c, 'other');
  const PATH = [a, b, c].join(path.delimiter);
  const cases = [
    { name: 'first executable in PATH', env: { PATH }, want: inB },
    { name: 'PATH with empty entries', env: { PATH: `${path.delimiter}${PATH}${path.delimiter}` }, want: inB },
    { name: 'override by path', env: { PATH, TOOL: inC }, want: inC },
    { name: 'override by name', env: { PATH, TOOL: 'other' }, want: otherInC },
    { name: 'accepts passes over a candidate', env: { PATH }, accepts: (f) => (f === inB ? 'lacks a module' : ''), want: inC },
    { name: 'not in PATH', env: { PATH: a }, wantErr: /^find tool: no tool in PATH; run e2e\/setup\.sh, or set TOOL to its path$/ },
    { name: 'no PATH at all', env: {}, wantErr: /no tool in PATH/ },
    { name: 'override not executable', env: { PATH, TOOL: notExec }, wantErr: /TOOL=.*\/a\/tool is not an executable file/ },
    { name: 'override missing', env: { PATH, TOOL: path.join(root, 'gone') }, wantErr: /TOOL=.*\/gone is not an executable file/ },
    { name: 'override not accepted', env: { PATH, TOOL: inC }, accepts: () => 'lacks a module', wantErr: /TOOL=.*\/c\/tool lacks a module/ },
    { name: 'none accepted', env: { PATH }, accepts: () => 'lacks a module', wantErr: /no usable tool in PATH \(.*\/b\/tool lacks a module; .*\/c\/tool lacks a module\)/ },
  ];
  for (const tc of cases) {
    await t.test(tc.name, () => {
      let got, err;
      try { got = find('tool', 'TOOL', { env: tc.env, accepts: tc.accepts }); } catch (e) { err = e; }
      if (tc.wantErr) {
        assert.ok(err, `got ${got}, want an error matching ${tc.wantErr}`);
        assert.match(err.message, tc.wantErr);
      } else {
        assert.equal(err, undefined, `got error ${err?.message}, want ${tc.want}`);
        assert.equal(got, tc.want, `got ${got}, want ${tc.want}`);
      }
    });
  }
  await t.test('without an environment variable', () => {
    assert.throws(() => find('tool', undefined, { env: { PATH: a } }), { message: 'find tool: no tool in PATH; run e2e/setup.sh' });
  });
});

// A python3 early in PATH without Debian's modules (pyenv's, a
// virtualenv's) is passed over for one that has them.
test('python3 without the modules', async (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-e2e-tools-'));
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  const bare = bin(path.join(root, 'pyenv'), 'python3', `echo "ModuleNotFoundError: No module named 'feedparser'" >&2; exit 1`);
  const debian = bin(path.join(root, 'usr'), 'python3', 'exit 0');
  const PATH = [path.dirname(bare), path.dirname(debian)].join(path.delimiter);
  await t.test('picks the python3 that has them', () => {
    const got = find('python3', 'PYTHON', { env: { PATH }, accepts: importsPyModules });
    assert.equal(got, debian, `got ${got}, want ${debian}`);
  });
  await t.test('says what the other lacks', () => {
    const got = importsPyModules(bare);
    const want = "cannot import feedparser, icalendar, yaml: ModuleNotFoundError: No module named 'feedparser'";
    assert.equal(got, want, `got ${got}, want ${want}`);
  });
});
