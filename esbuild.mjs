// The one build script: one entry per bundle. `node esbuild.mjs [--watch] [--production]`.
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
const root = path.dirname(new URL(import.meta.url).pathname);

// Released builds (`--production`, used by `npm run package`) leave test-only switches out.
const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'info',
  absWorkingDir: root,
  define: { ASYNC_TIMELINE_TEST_HOOKS: production ? 'false' : 'true' },
};
const node = { ...common, platform: 'node', target: 'node20' };

/** Every bundle the project ships. Entries whose source does not exist yet are skipped. */
const bundles = [
  // The extension host side: the only bundle that may see `vscode` (provided by VS Code at run time).
  {
    ...node,
    entryPoints: ['src/extension/extension.ts'],
    outfile: 'dist/extension.js',
    format: 'cjs',
    external: ['vscode'],
  },
  // The headless CLI.
  {
    ...node,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    format: 'cjs',
    banner: { js: '#!/usr/bin/env node' },
  },
  // The instrumenter on its own: the traced child loads it lazily for files the host did not prepare.
  { ...node, entryPoints: ['src/instrument/index.ts'], outfile: 'dist/instrument.js', format: 'cjs' },
  // The host's prepare worker: instruments a program's module graph off the caller's thread.
  { ...node, entryPoints: ['src/runner/prepareWorker.ts'], outfile: 'dist/prepareWorker.js', format: 'cjs' },
  // Runtime: preloaded into the traced program (tiny, dependency-free).
  { ...node, entryPoints: ['src/runtime/preload.ts'], outfile: 'dist/runtime/preload.js', format: 'cjs' },
  { ...node, entryPoints: ['src/runtime/hooks.ts'], outfile: 'dist/runtime/hooks.mjs', format: 'esm' },
  { ...node, entryPoints: ['src/runtime/writer.ts'], outfile: 'dist/runtime/writer.js', format: 'cjs' },
  // The timeline viewer (webview and standalone HTML export).
  {
    ...common,
    platform: 'browser',
    target: 'es2022',
    entryPoints: ['media/main.ts'],
    outfile: 'dist/webview/main.js',
    format: 'iife',
  },
].filter((b) => fs.existsSync(path.join(root, b.entryPoints[0])));

/** Static webview assets copied next to the bundle. */
function copyAssets() {
  fs.mkdirSync(path.join(root, 'dist/webview'), { recursive: true });
  for (const f of fs.existsSync(path.join(root, 'media')) ? fs.readdirSync(path.join(root, 'media')) : []) {
    if (f.endsWith('.css')) fs.copyFileSync(path.join(root, 'media', f), path.join(root, 'dist/webview', f));
  }
}

/**
 * The Python tracer (standard-library Python, no build step) ships as source next to the bundles:
 * the Python launcher puts dist/pyruntime first on the program's PYTHONPATH. Only `.py` files and
 * the protocol notes are copied (never a __pycache__ left by a run from the source folder).
 */
function copyPyruntime() {
  const from = path.join(root, 'pyruntime');
  const to = path.join(root, 'dist/pyruntime');
  fs.rmSync(to, { recursive: true, force: true });
  if (!fs.existsSync(from)) return;
  const walk = (dir, rel) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.name === '__pycache__' || e.name.startsWith('.')) continue;
      const src = path.join(dir, e.name);
      if (e.isDirectory()) walk(src, path.join(rel, e.name));
      else if (e.name.endsWith('.py')) {
        fs.mkdirSync(path.join(to, rel), { recursive: true });
        fs.copyFileSync(src, path.join(to, rel, e.name));
      }
    }
  };
  walk(from, '');
}

if (watch) {
  copyAssets();
  copyPyruntime();
  for (const b of bundles) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(bundles.map((b) => esbuild.build(b)));
  copyAssets();
  copyPyruntime();
  const cli = path.join(root, 'dist/cli.js');
  if (fs.existsSync(cli)) fs.chmodSync(cli, 0o755);
}
