import { spawn } from 'node:child_process';
import { lstatSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, ROOT, tempDir } from '../support/cli.ts';

describe('output paths are checked before any spec runs', () => {
  it('a report path that is a folder, or under a file: exit 2, one line, nothing checked', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'folder'));
    writeFileSync(join(dir, 'file'), 'x');
    const folder = cli(['check', 'test/fixtures/slow', '--engine', 'dpor', '--reporter', `json=${dir}/folder`]);
    expect([folder.code, folder.out, folder.err]).toEqual([2, '', `smpcheck: ${dir}/folder: cannot write this file (EISDIR: it is a folder); choose another path\n`]);
    const under = cli(['check', 'test/fixtures/slow', '--engine', 'dpor', '--reporter', `junit=${dir}/file/r.xml`]);
    expect([under.code, under.out, under.err]).toEqual([2, '', `smpcheck: ${dir}/file/r.xml: cannot write this file (ENOTDIR: a part of its path is a file, not a folder); choose another path\n`]);
    expect(readdirSync(dir).sort()).toEqual(['file', 'folder']); // no probe file left
    expect(readdirSync(join(dir, 'folder'))).toEqual([]);
  });

  it('a report path that is a spec file being checked: refused, the spec file untouched', () => {
    const before = readFileSync(join(ROOT, 'test/fixtures/ok/counter.spec.ts'), 'utf8');
    const r = cli(['check', 'test/fixtures/ok', '--reporter', 'text=test/fixtures/ok/counter.spec.ts']);
    expect([r.code, r.out, r.err]).toEqual([2, '', 'smpcheck: --reporter text=test/fixtures/ok/counter.spec.ts: that is a spec file being checked, and the report would overwrite it; choose another path\n']);
    expect(readFileSync(join(ROOT, 'test/fixtures/ok/counter.spec.ts'), 'utf8')).toBe(before);
  });

  it('a --trace-dir that is a file: exit 2, one line', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'file'), 'x');
    const r = cli(['check', 'test/fixtures/slow', '--engine', 'dpor', '--trace-dir', join(dir, 'file')]);
    expect([r.code, r.out, r.err]).toEqual([2, '', `smpcheck: --trace-dir ${dir}/file: cannot write traces there (it is a file, not a folder); choose another folder with --trace-dir\n`]);
  });

  it('a path under /proc fails at once instead of hanging (recursive mkdir loops there in Node 20)', () => {
    const r = cli(['check', 'test/fixtures/ok', '--reporter', 'json=/proc/no-such-folder/r.json']);
    expect([r.code, r.out, r.err]).toEqual([2, '', 'smpcheck: /proc/no-such-folder/r.json: cannot write this file (ENOENT: no such file or folder, and it cannot be created there); choose another path\n']);
  });
});

describe('stdout as a document', () => {
  it('stays one JSON document when a spec file or a step prints: what specs print goes to stderr', () => {
    const r = cli(['check', 'test/fixtures/chatty', '--reporter', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).specs.map((s: any) => s.verdict)).toEqual(['PASS']);
    expect(r.err).toContain('loading chatty.spec.ts\n');
    expect(r.err).toContain('debug: x = 0');
    const list = cli(['list', 'test/fixtures/chatty', '--reporter', 'json']);
    expect(JSON.parse(list.out).map((s: any) => s.name)).toEqual(['chatty']);
    expect(list.err).toBe('loading chatty.spec.ts\n');
  });
});

describe('devices and pipes as report paths', () => {
  it('/dev/stdout is written in place, never replaced by a file', () => {
    const before = lstatSync('/dev/stdout');
    const dir = tempDir();
    const r = cli(['check', 'test/fixtures/ok', '--reporter', 'junit=/dev/stdout', '--reporter', `text=${dir}/r.txt`]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites>\n/);
    expect(lstatSync('/dev/stdout').isSymbolicLink()).toBe(before.isSymbolicLink());
    expect(readFileSync(`${dir}/r.txt`, 'utf8')).toContain('2 specs, all as expected');
  });

  it.runIf(statSync('/dev/full', { throwIfNoEntry: false })?.isCharacterDevice())('a report that fails to write at the end (/dev/full) loses nothing else: exit 2 after every other output', () => {
    const dir = tempDir();
    const r = cli(['check', 'test/fixtures/ok', '--reporter', 'text', '--reporter', 'junit=/dev/full', '--reporter', `json=${dir}/r.json`]);
    expect(r.code).toBe(2);
    expect(r.out).toContain('2 specs, all as expected');
    expect(JSON.parse(readFileSync(`${dir}/r.json`, 'utf8')).summary).toMatchObject({ total: 2, ok: 2 });
    expect(r.err).toBe('smpcheck: /dev/full: cannot write this file (ENOSPC: no space left on the device); choose another path\n');
    expect(statSync('/dev/full').isCharacterDevice()).toBe(true);
  });
});

/** Runs the CLI with its stdout closed by the reader before it writes (`smpcheck list | head -0`). */
function withReaderGone(args: string[]): Promise<{ code: number | null; err: string }> {
  const child = spawn(process.execPath, [join(ROOT, 'bin/smpcheck.js'), ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.destroy();
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
  return new Promise((res) => child.on('close', (code) => res({ code, err })));
}

describe('a reader that goes away (EPIPE)', () => {
  it('ends list quietly with exit 0', async () => {
    expect(await withReaderGone(['list', 'test/fixtures/ok'])).toEqual({ code: 0, err: '' });
  });

  it('ends check quietly with the gate\'s exit code, reports still written', async () => {
    const dir = tempDir();
    expect(await withReaderGone(['check', 'test/fixtures/unexpected', '--trace-dir', dir, '--reporter', 'text', '--reporter', `json=${dir}/r.json`])).toEqual({ code: 1, err: '' });
    expect(JSON.parse(readFileSync(`${dir}/r.json`, 'utf8')).summary).toMatchObject({ total: 1, failed: 1 });
  });
});

describe('bad input is one line naming it, exit 2', () => {
  it('an invalid --filter regular expression is not taken as a substring', () => {
    const r = cli(['check', 'test/fixtures/ok', '-t', 'counter/(locked']);
    expect([r.code, r.out, r.err]).toEqual([2, '', "smpcheck: --filter 'counter/(locked': invalid regular expression: Unterminated group; escape special characters, e.g. -t 'counter/\\(locked' to match the text as written\n"]);
    expect(cli(['list', 'test/fixtures/ok', '-t', '[']).code).toBe(2);
  });

  it('a syntax error in a spec file: file, line, column and what esbuild expected', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    writeFileSync(join(dir, 'x.spec.ts'), "const a: number = 1;\nfunction f() {\n  const b: number = (a + 1;\n}\nexport default f;\n");
    const r = cli(['check', 'x.spec.ts'], { cwd: dir });
    expect([r.code, r.out, r.err]).toEqual([2, '', 'smpcheck: x.spec.ts:3:27: cannot load this spec file: Expected ")" but found ";"\n']);
  });

  it('unknown options and commands, without a second line', () => {
    expect(cli(['check', '--filtr', 'x']).err).toBe("smpcheck: unknown option '--filtr'; did you mean --filter?; run 'smpcheck --help' for usage\n");
    expect(cli(['chek']).err).toBe("smpcheck: unknown command 'chek'; did you mean check?; run 'smpcheck --help' for usage\n");
    expect(cli(['check', '--max-depth', '0', 'test/fixtures/ok']).err).toBe("smpcheck: --max-depth must be a positive integer, got '0'\n");
  });

  it('a file that is no module, a folder given to replay, and --version', () => {
    expect(cli(['check', 'README.md'])).toMatchObject({ code: 2, out: '', err: 'smpcheck: README.md: not a spec file; spec files are TypeScript or JavaScript modules (*.spec.ts, or .mts, .js, .mjs)\n' });
    expect(cli(['replay', 'test'])).toMatchObject({ code: 2, out: '', err: 'smpcheck: test: is a folder; give one trace file in it, e.g. smpcheck replay test/<spec>-<hash>.json\n' });
    expect(cli(['--version'])).toMatchObject({ code: 0, out: `${JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version}\n` });
  });

  it('check with no paths where there is no specs/ folder', () => {
    const dir = tempDir();
    const r = cli(['check'], { cwd: dir });
    expect([r.code, r.err]).toEqual([2, `smpcheck: no spec files given and there is no specs/ folder in ${dir}; give spec files or folders, e.g. smpcheck check path/to/x.spec.ts\n`]);
  });
});
