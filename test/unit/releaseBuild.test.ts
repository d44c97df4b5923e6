import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as esbuild from 'esbuild';

const root = path.resolve(__dirname, '../../..');

/** The value esbuild.mjs gives the test-hook switch in a build, read from the script itself. */
function defineFor(production: boolean): string {
  const script = fs.readFileSync(path.join(root, 'esbuild.mjs'), 'utf8');
  const m = /ASYNC_TIMELINE_TEST_HOOKS:\s*production\s*\?\s*'(\w+)'\s*:\s*'(\w+)'/.exec(script);
  assert.ok(m, 'esbuild.mjs defines ASYNC_TIMELINE_TEST_HOOKS from --production');
  return production ? m[1] : m[2];
}

/** Bundles the instrumenter as esbuild.mjs would (with or without --production) and loads it. */
async function instrumenterBuilt(production: boolean): Promise<typeof import('../../src/instrument')> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atl-release-'));
  const outfile = path.join(dir, 'instrument.js');
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: ['src/instrument/index.ts'],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    outfile,
    minify: production,
    logLevel: 'silent',
    define: { ASYNC_TIMELINE_TEST_HOOKS: defineFor(production) },
  });
  return createRequire(outfile)(outfile) as typeof import('../../src/instrument');
}

describe('released builds leave test-only switches out', function () {
  this.timeout(120_000);
  const source = 'export async function f() { await null; }\n';
  const options = { format: 'module' as const, trace: true, cwd: '/p' };

  it('ASYNC_TIMELINE_TEST_UNTRACEABLE makes a file untraced in a development build only', async () => {
    const prev = process.env.ASYNC_TIMELINE_TEST_UNTRACEABLE;
    process.env.ASYNC_TIMELINE_TEST_UNTRACEABLE = 'a.ts';
    try {
      const dev = (await instrumenterBuilt(false)).instrumentFile(source, '/p/a.ts', options);
      assert.match(dev.untraced ?? '', /^could not be instrumented: /);
      const released = (await instrumenterBuilt(true)).instrumentFile(source, '/p/a.ts', options);
      assert.equal(released.untraced, undefined);
      assert.match(released.code, /__asyncTimeline/);
    } finally {
      if (prev === undefined) delete process.env.ASYNC_TIMELINE_TEST_UNTRACEABLE;
      else process.env.ASYNC_TIMELINE_TEST_UNTRACEABLE = prev;
    }
  });
});
