#!/usr/bin/env node
// Entry point. In the checkout it runs the TypeScript sources (src/cli/main.ts); in the installed
// package, which ships no src/, the compiled JavaScript (dist/src/cli/main.js). Either way
// register.js installs tsx first, so that models and spec files (TypeScript) load directly.
import { existsSync } from 'node:fs';

const source = existsSync(new URL('../src/cli/main.ts', import.meta.url));
if (!source && !existsSync(new URL('../dist/src/cli/main.js', import.meta.url))) {
  process.stderr.write('smpcheck: this installation has no dist/ (its build failed when npm installed it from git); reinstall it, or install a tarball made by npm pack\n');
  process.exit(2);
}
const dir = source ? '../src/cli/' : '../dist/src/cli/';
const { ext } = await import(new URL(`${dir}register.js`, import.meta.url).href);
const { main } = await import(new URL(`${dir}main${ext}`, import.meta.url).href);
process.exitCode = await main(process.argv);
