// The package build, run by `npm pack` (prepack): tsc compiles src/ and models/kernel/ into
// dist/ (JavaScript and .d.ts, import paths rewritten from .ts to .js), then the files tsc does
// not emit are copied next to their modules: the plain-JavaScript loader entries of src/cli/
// and the HTML report's assets. Nothing here runs at the user's run time.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (r.status !== 0) {
  console.error('smpcheck build: tsc -p tsconfig.build.json failed (see above); nothing was packed');
  process.exit(r.status ?? 1);
}
for (const f of readdirSync(join(root, 'src/cli')).filter((f) => f.endsWith('.js'))) {
  cpSync(join(root, 'src/cli', f), join(dist, 'src/cli', f));
}
cpSync(join(root, 'src/report/html'), join(dist, 'src/report/html'), { recursive: true });
// The public types must not need @types/node: an environment is a record of strings.
const declarations = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
  e.isDirectory() ? declarations(join(dir, e.name)) : e.name.endsWith('.d.ts') ? [join(dir, e.name)] : []);
for (const f of declarations(dist)) {
  const text = readFileSync(f, 'utf8');
  if (text.includes('NodeJS.ProcessEnv')) writeFileSync(f, text.replaceAll('NodeJS.ProcessEnv', 'Readonly<Record<string, string | undefined>>'));
}
for (const f of ['src/index.js', 'src/index.d.ts', 'models/kernel/index.js', 'src/cli/main.js', 'src/cli/worker-entry.js']) {
  if (!existsSync(join(dist, f))) {
    console.error(`smpcheck build: dist/${f} is missing after the build`);
    process.exit(1);
  }
}
