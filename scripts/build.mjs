// The package build, run as npm's prepare script: by `npm pack` and `npm publish`, and when npm
// installs smpcheck from a git URL (it packs the clone). tsc compiles src/ and models/kernel/ into dist/ (JavaScript and .d.ts,
// import paths rewritten from .ts to .js), then the files tsc does not emit are copied next to
// their modules: the plain-JavaScript loader entries of src/cli/ and the HTML report's assets.
// Nothing here runs at the user's run time.
//
// npm also runs prepare on `npm install` and `npm ci` in the checkout, which needs no dist/ (it
// runs the sources). There a failed build (a type error in work in progress) must not fail the
// install: it says so and leaves no dist/. `npm pack` and `npm publish` still refuse to pack.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const prepare = process.env.npm_lifecycle_event === 'prepare' && !['pack', 'publish'].includes(process.env.npm_command ?? '');
rmSync(dist, { recursive: true, force: true });
let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  console.error('smpcheck build: typescript is not installed (a dev dependency); run npm install first');
  process.exit(prepare ? 0 : 1);
}
const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (r.status !== 0) {
  rmSync(dist, { recursive: true, force: true });
  console.error(`smpcheck build: tsc -p tsconfig.build.json failed (see above); ${prepare ? 'dist/ not built (the checkout runs src/ and does not need it)' : 'nothing was packed'}`);
  process.exit(prepare ? 0 : (r.status ?? 1));
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
