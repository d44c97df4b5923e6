import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findOnPath, resolveNode } from '../../src/extension/nodeResolver';

describe('extension/nodeResolver', () => {
  let dir: string;
  let savedPath: string | undefined;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'at-node-'));
    savedPath = process.env.PATH;
  });
  afterEach(() => {
    process.env.PATH = savedPath;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('uses the setting when it names an executable, and explains when it does not', async () => {
    assert.deepEqual(await resolveNode(process.execPath, dir), {
      path: process.execPath,
      env: {},
      source: 'setting',
    });
    await assert.rejects(
      resolveNode(path.join(dir, 'missing-node'), dir),
      /asyncTimeline\.node\.path is set to ".*missing-node", which is not an executable file/,
    );
  });

  it('finds node on PATH, skipping non-executables', async () => {
    const fake = path.join(dir, 'node');
    fs.writeFileSync(fake, '#!/bin/sh\n', { mode: 0o644 });
    assert.equal(await findOnPath('node', dir), undefined);
    fs.chmodSync(fake, 0o755);
    assert.equal(await findOnPath('node', `/nonexistent${path.delimiter}${dir}`), fake);
    process.env.PATH = dir;
    assert.deepEqual(await resolveNode('', dir), { path: fake, env: {}, source: 'PATH' });
  });

  it("falls back to VS Code's own runtime when there is no node on PATH", async () => {
    process.env.PATH = dir;
    const r = await resolveNode('', dir);
    assert.equal(r.path, process.execPath);
    assert.equal(r.source, 'vscode');
    assert.deepEqual(r.env, process.versions.electron ? { ELECTRON_RUN_AS_NODE: '1' } : {});
  });
});
