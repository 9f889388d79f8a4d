import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * An external tool a test needs (xmllint, chromium). In CI the test must run, so a missing tool
 * fails it with the package to install; on a developer machine without the tool the test is
 * skipped with that message instead.
 */
export interface Tool {
  readonly available: boolean;
  /** Run the tests: the tool is there, or this is CI, where its absence must fail loudly. */
  readonly run: boolean;
  readonly missing: string;
}

export function tool(command: string, debianPackage: string): Tool {
  const available = command.startsWith('/') ? existsSync(command) : spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
  const missing = `${command} is not installed: apt-get install -y ${debianPackage} (.ci/run installs it)`;
  const ci = Boolean(process.env.CI);
  if (!available && !ci) console.warn(`skipping tests that need ${command}: ${missing}`);
  return { available, run: available || ci, missing };
}
