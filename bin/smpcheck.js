#!/usr/bin/env node
// Entry point. In the checkout it runs the TypeScript sources (src/cli/main.ts); in the installed
// package, which ships no src/, the compiled JavaScript (dist/src/cli/main.js). Either way
// register.js installs tsx first, so that models and spec files (TypeScript) load directly.
import { existsSync } from 'node:fs';

const dir = existsSync(new URL('../src/cli/main.ts', import.meta.url)) ? '../src/cli/' : '../dist/src/cli/';
const { ext } = await import(new URL(`${dir}register.js`, import.meta.url).href);
const { main } = await import(new URL(`${dir}main${ext}`, import.meta.url).href);
process.exitCode = await main(process.argv);
