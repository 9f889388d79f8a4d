// Module resolution hooks of smpcheck's CLI, registered by register.js in every thread that
// loads spec files. Plain JavaScript: they run before any TypeScript can be loaded.

let fromSource = false;

/** `data.fromSource`: this is the checkout, whose own files import `smpcheck` as TypeScript source. */
export function initialize(data) {
  fromSource = Boolean(data?.fromSource);
}

/** A top-level `import` or `export` statement: the file is an ES module whatever its package says. */
const ESM_SYNTAX = /^[ \t]*(?:import[ \t]*[\w{*'"]|import[ \t]+type\b|export[ \t]+|export[ \t]*[{*])/m;
const TYPESCRIPT = /\.(?:ts|tsx)$/;

export async function resolve(specifier, context, next) {
  // In the checkout, `smpcheck` and `smpcheck/kernel` resolve to src/ and models/ (the
  // 'smpcheck-source' condition of package.json's exports), so nothing needs building first.
  const ctx = fromSource ? { ...context, conditions: [...context.conditions, 'smpcheck-source'] } : context;
  const r = await next(specifier, ctx);
  // A spec file or model is written with import/export. In a project whose package.json says
  // "type": "commonjs" (npm init's default) a .ts file would be handed to Node's CommonJS loader,
  // which finds ES module syntax and fails with "Cannot require() ES Module ... in a cycle".
  // Such a file is an ES module; say so, and tsx compiles it as one.
  if (r.format === 'commonjs' && r.url.startsWith('file:') && !r.url.includes('/node_modules/')) {
    const path = new URL(r.url).pathname;
    if (TYPESCRIPT.test(path)) {
      const { readFileSync } = await import('node:fs');
      const { fileURLToPath } = await import('node:url');
      let source = '';
      try {
        source = readFileSync(fileURLToPath(r.url), 'utf8');
      } catch {
        return r;
      }
      if (ESM_SYNTAX.test(source)) return { ...r, format: 'module' };
    }
  }
  return r;
}
