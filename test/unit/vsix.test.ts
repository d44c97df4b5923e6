import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../../..');

/** What may ship in the .vsix: the bundles the extension loads, the manifest, README, licence, icon. */
const ALLOWED = [
  /^package\.json$/,
  /^README\.md$/,
  /^LICENSE$/,
  /^media\/icon\.png$/,
  /^dist\/extension\.js$/,
  /^dist\/instrument\.js$/,
  /^dist\/prepareWorker\.js$/,
  /^dist\/runtime\/[\w.-]+\.m?js$/,
  /^dist\/webview\/[\w.-]+\.(js|css)$/,
  /^dist\/pyruntime\/([\w.-]+\/)*[\w.-]+\.py$/,
];
const REQUIRED = [
  'package.json',
  'LICENSE',
  'dist/extension.js',
  'dist/instrument.js',
  'dist/prepareWorker.js',
  'dist/runtime/preload.js',
  'dist/runtime/writer.js',
  'dist/runtime/hooks.mjs',
  'dist/webview/main.js',
  'dist/webview/main.css',
  'dist/pyruntime/sitecustomize.py',
  'dist/pyruntime/_async_timeline/tracer.py',
  'dist/pyruntime/lenses.py',
];

describe('.vsix contents (.vscodeignore allowlist)', function () {
  this.timeout(60_000);
  let files: string[] = [];

  before(function () {
    if (!fs.existsSync(path.join(root, 'dist/extension.js'))) this.skip(); // needs `npm run build`
    const vsce = path.join(root, 'node_modules/@vscode/vsce/vsce');
    const out = execFileSync(process.execPath, [vsce, 'ls', '--no-dependencies'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    files = out
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
  });

  it('holds only what the extension needs at run time', () => {
    const extra = files.filter((f) => !ALLOWED.some((re) => re.test(f)));
    assert.deepEqual(extra, [], `unexpected files in the package: ${extra.join(', ')}`);
    assert.ok(!files.some((f) => f.endsWith('.map')), 'no source maps');
  });

  it('holds everything it needs: the main bundle, the runtime, the instrumenter and the viewer', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    for (const f of [...REQUIRED, path.posix.normalize(pkg.main)]) assert.ok(files.includes(f), `${f} is packaged`);
  });
});
