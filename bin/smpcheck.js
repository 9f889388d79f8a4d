#!/usr/bin/env node
// Entry point: registers tsx so that models and spec files (TypeScript) load directly.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv);
