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
