import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('..', import.meta.url).pathname;
const readme = readFileSync(`${ROOT}README.md`, 'utf8');

describe('README.md stays true', () => {
  it('shows the tutorial exactly as examples/refcount.spec.ts has it', () => {
    const block = /<!-- tutorial:begin -->\n```ts\n([\s\S]*?)```\n<!-- tutorial:end -->/.exec(readme);
    expect(block).not.toBeNull();
    expect(block![1]).toBe(readFileSync(`${ROOT}examples/refcount.spec.ts`, 'utf8'));
  });

  it('gives the two quick-start commands', () => {
    expect(readme).toContain('npm ci && npm run check');
    expect(readme).toContain('npm test');
  });
});

describe('README.md, Reading a trace', () => {
  it('shows the trace exactly as smpcheck prints it', async () => {
    const { cli } = await import('./support/cli.ts');
    const r = cli(['check', 'examples/refcount.spec.ts', '--trace-dir', '.smpcheck/traces']);
    const printed = r.out.slice(r.out.indexOf('── refcount/get'), r.out.indexOf('\n\n1 spec,'));
    const section = readme.slice(readme.indexOf('## Reading a trace'));
    const block = /```\n(── refcount\/get[\s\S]*?)\n```/.exec(section);
    expect(block?.[1]).toBe(printed);
  });
});
