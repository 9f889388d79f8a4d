import { existsSync } from 'node:fs';

/**
 * The folder of smpcheck's package.json: two folders above src/cli/ in the checkout, three
 * above dist/src/cli/ in the installed package.
 */
export const PACKAGE_ROOT: URL = [new URL('../../', import.meta.url), new URL('../../../', import.meta.url)]
  .find((u) => existsSync(new URL('package.json', u)) && existsSync(new URL('bin/smpcheck.js', u))) ?? new URL('../../', import.meta.url);
